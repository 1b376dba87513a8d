/**
 * The change queue on FC 3.0: each batch is one asynchronous invocation of the `push` function
 * (`x-fc-invocation-type: Async`), which FC persists and retries. InvokeFunction is one signed POST
 * (`/2023-03-30/functions/<name>/invocations`), made through our OpenAPI call rather than
 * `@alicloud/fc20230330`, whose runtime was ~97 % of a webhook bundle.
 */
import type { Change, ChangeBatch } from '../core/model';
import type { ChangeQueue, CloudCredentials, PublishRequest } from '../core/ports';
import { scrub } from '../core/redact';
import { callOpenApi, OpenApiNetworkError, parseEndpoint, percentEncode } from '../openapi';
import { encodeBatch, toBatches, type BatchOptions } from './batches';
import { MissingFcSettingError } from './errors';
import { publishBatches, retryableStatus, transportFailure, type PublishOptions, type SendFailure } from './publish';

export interface FcAsyncQueueOptions extends PublishOptions {
  functionName: string;
  /** Version or alias; FC's default (LATEST) when absent. */
  qualifier?: string;
  /**
   * Asked per publish: `<accountId>.<region>.fc.aliyuncs.com` (https), or an http(s):// URL
   * (a loopback fake in tests). A function so the account and region come from the FC context.
   */
  endpoint: () => string;
  /** Asked per publish, so the role's rotating STS credentials are used. */
  credentials: () => CloudCredentials;
  /** Per invocation, from connecting to the answer. Default 5 s. */
  timeoutMs?: number;
  batch?: BatchOptions;
}

/** Splits an endpoint setting into protocol and host[:port]. A bare host means https, except loopback. */
export const parseFcEndpoint = parseEndpoint;

/**
 * @example
 * const queue = new FcAsyncQueue({
 *   functionName: 'push',
 *   endpoint: () => `${context.accountId}.${context.region}.fc.aliyuncs.com`,
 *   credentials: () => context.credentials,
 * });
 * await queue.publish([{ source: 'lark', kind: 'user', sourceId: 'ou_1', reason: 'contact.user.updated_v3' }]);
 */
export class FcAsyncQueue implements ChangeQueue {
  constructor(private readonly options: FcAsyncQueueOptions) {}

  async publish(changes: Change[], options: PublishRequest = {}): Promise<ChangeBatch[]> {
    const batches = toBatches(changes, this.options.batch);
    if (batches.length === 0) return [];
    const { functionName, qualifier } = this.options;
    const target = `FC function ${functionName}`;
    const timeoutMs = this.options.timeoutMs ?? 5_000;
    let secrets: Array<string | undefined> = [];
    const send = async (batch: ChangeBatch, taskId?: string): Promise<void> => {
      const credentials = this.options.credentials();
      if (!credentials?.accessKeyId || !credentials.accessKeySecret) throw new MissingFcSettingError('no FC credentials');
      secrets = [credentials.accessKeySecret, credentials.securityToken];
      await callOpenApi({
        ...parseEndpoint(this.options.endpoint()),
        action: 'InvokeFunction', version: '2023-03-30',
        path: `/2023-03-30/functions/${percentEncode(functionName)}/invocations`,
        query: { qualifier },
        headers: { 'x-fc-invocation-type': 'Async', ...(taskId && { 'x-fc-async-task-id': taskId }) },
        body: encodeBatch(batch), contentType: 'application/octet-stream',
        credentials, timeoutMs,
      });
    };
    return publishBatches(target, batches, send, (thrown) => translateFc3Error(thrown, secrets), this.options, options.dedupeKey);
  }
}

/** OpenApiError (FC answered 4xx/5xx), a timeout, or a dropped connection. */
function translateFc3Error(thrown: unknown, secrets: Array<string | undefined>): SendFailure {
  const e = thrown as { statusCode?: unknown; code?: unknown; message?: unknown; data?: { Message?: unknown } } | undefined;
  const raw = typeof e?.message === 'string' ? e.message : String(thrown);
  const message = scrub(typeof e?.data?.Message === 'string' ? e.data.Message : raw, secrets);
  if (thrown instanceof MissingFcSettingError) return { code: 'MissingSetting', retryable: false, message, cause: thrown };
  if (typeof e?.statusCode === 'number') {
    const code = typeof e.code === 'string' && e.code !== 'undefined' ? e.code : `HTTP ${e.statusCode}`;
    return { code, status: e.statusCode, retryable: retryableStatus(e.statusCode), message, cause: thrown };
  }
  if (thrown instanceof OpenApiNetworkError) return { code: 'NetworkError', retryable: true, message, cause: thrown };
  return transportFailure(thrown, message) ?? { code: 'InvokeFailed', retryable: true, message, cause: thrown };
}
