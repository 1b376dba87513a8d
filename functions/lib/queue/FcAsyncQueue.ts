/**
 * The change queue on FC 3.0: each batch is one asynchronous invocation of the `push` function
 * (`x-fc-invocation-type: Async`), which FC persists and retries. The only file that imports
 * `@alicloud/fc20230330`.
 */
import type { CloudCredentials } from '../core/ports';
import { Readable } from 'node:stream';
import type FC3 from '@alicloud/fc20230330';
import type { Change, ChangeBatch } from '../core/model';
import type { ChangeQueue, PublishRequest } from '../core/ports';
import { encodeBatch, toBatches, type BatchOptions } from './batches';
import { scrub } from '../core/redact';
import { MissingFcSettingError } from './errors';
import { publishBatches, retryableStatus, transportFailure, type PublishOptions, type SendFailure } from './publish';

type FcSdk = typeof import('@alicloud/fc20230330');
type OpenApiCore = typeof import('@alicloud/openapi-core');
/** Loaded on the first publish: most of a webhook bundle, and a handshake or ignored event never needs it. */
let sdk: { fc: FcSdk; core: OpenApiCore } | undefined;
function loadSdk(): { fc: FcSdk; core: OpenApiCore } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  sdk ??= { fc: require('@alicloud/fc20230330') as FcSdk, core: require('@alicloud/openapi-core') as OpenApiCore };
  return sdk;
}

/** The same three fields as the FC role's `context.credentials`. */

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
  /** Read timeout per invocation. Default 5 s; connect timeout at most 3 s. */
  timeoutMs?: number;
  batch?: BatchOptions;
}

/** Splits an endpoint setting into protocol and host[:port]. A bare host means https, except loopback. */
export function parseFcEndpoint(endpoint: string): { protocol: 'http' | 'https'; host: string } {
  const match = /^(https?):\/\/([^/]+)\/?$/i.exec(endpoint.trim());
  if (match) return { protocol: match[1]!.toLowerCase() as 'http' | 'https', host: match[2]! };
  const host = endpoint.trim().replace(/\/+$/, '');
  // A bare loopback address is a local fake, which speaks plain HTTP.
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i.test(host);
  return { protocol: loopback ? 'http' : 'https', host };
}

type Runtime = Parameters<FC3['invokeFunctionWithOptions']>[3];

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
  private cached?: { key: string; client: FC3 };

  constructor(private readonly options: FcAsyncQueueOptions) {}

  async publish(changes: Change[], options: PublishRequest = {}): Promise<ChangeBatch[]> {
    const batches = toBatches(changes, this.options.batch);
    if (batches.length === 0) return [];
    const target = `FC function ${this.options.functionName}`;
    let secrets: Array<string | undefined> = [];
    const send = async (batch: ChangeBatch, taskId?: string): Promise<void> => {
      const { client, credentials } = this.client();
      secrets = [credentials.accessKeySecret, credentials.securityToken];
      const { InvokeFunctionRequest, InvokeFunctionHeaders } = loadSdk().fc;
      const request = new InvokeFunctionRequest({ qualifier: this.options.qualifier, body: Readable.from(encodeBatch(batch)) });
      const headers = new InvokeFunctionHeaders({ xFcInvocationType: 'Async', ...(taskId && { xFcAsyncTaskId: taskId }) });
      const answer = await client.invokeFunctionWithOptions(this.options.functionName, request, headers, {} as Runtime);
      answer.body?.resume(); // the answer's body is empty for async calls; drain it so the socket is reused
    };
    return publishBatches(target, batches, send, (thrown) => translateFc3Error(thrown, secrets), this.options, options.dedupeKey);
  }

  /** One client per endpoint and credentials; a new STS token builds a new one. */
  private client(): { client: FC3; credentials: CloudCredentials } {
    const credentials = this.options.credentials();
    if (!credentials?.accessKeyId || !credentials.accessKeySecret) throw new MissingFcSettingError('no FC credentials');
    const { protocol, host } = parseFcEndpoint(this.options.endpoint());
    const key = [protocol, host, credentials.accessKeyId, credentials.accessKeySecret, credentials.securityToken ?? ''].join('\n');
    if (this.cached?.key !== key) {
      const timeout = this.options.timeoutMs ?? 5_000;
      const { fc, core } = loadSdk();
      const config = new core.$OpenApiUtil.Config({
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        securityToken: credentials.securityToken,
        endpoint: host,
        protocol,
        readTimeout: timeout,
        connectTimeout: Math.min(timeout, 3_000),
      });
      this.cached = { key, client: new fc.default(config) };
    }
    return { client: this.cached.client, credentials };
  }
}

/** openapi-core's ClientError / ServerError / ThrottlingError, or a transport error. */
function translateFc3Error(thrown: unknown, secrets: Array<string | undefined>): SendFailure {
  const e = thrown as { statusCode?: unknown; code?: unknown; message?: unknown; data?: { Message?: unknown } } | undefined;
  const raw = typeof e?.message === 'string' ? e.message : String(thrown);
  const message = scrub(typeof e?.data?.Message === 'string' ? e.data.Message : raw, secrets);
  if (thrown instanceof MissingFcSettingError) return { code: 'MissingSetting', retryable: false, message, cause: thrown };
  if (typeof e?.statusCode === 'number') {
    const code = typeof e.code === 'string' && e.code !== 'undefined' ? e.code : `HTTP ${e.statusCode}`;
    return { code, status: e.statusCode, retryable: retryableStatus(e.statusCode), message, cause: thrown };
  }
  return transportFailure(thrown, message) ?? { code: 'InvokeFailed', retryable: true, message, cause: thrown };
}
