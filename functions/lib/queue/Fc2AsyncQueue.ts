/**
 * The change queue on FC 2.0 (service-based API 2016-08-15): each batch is one asynchronous
 * invocation through `@alicloud/fc2`. The only file that imports that SDK. Bundling it needs
 * esbuild `external: ['proxy-agent']` (ali-oss → urllib requires it lazily).
 */
import { ConfigError } from '../core/errors';
import type { Change, ChangeBatch } from '../core/model';
import type { ChangeQueue, PublishRequest } from '../core/ports';
import { encodeBatch, toBatches, type BatchOptions } from './batches';
import { scrub } from '../core/redact';
import { MissingFcSettingError } from './errors';
import type { CloudCredentials } from '../core/ports';
import { publishBatches, retryableStatus, transportFailure, type PublishOptions, type SendFailure } from './publish';

/** The part of `@alicloud/fc2` (CommonJS, no types) we use; checked against its lib/client.js. */
interface Fc2ClientConfig {
  /** Capital "ID", as the SDK spells it. */
  accessKeyID: string;
  accessKeySecret: string;
  /** Required by the SDK when the key id starts with "STS". */
  securityToken?: string;
  region: string;
  /** Default false would mean http://. */
  secure: boolean;
  /** Overrides `http(s)://<account>.<region>.fc.aliyuncs.com`. */
  endpoint?: string;
  timeout: number;
}
interface Fc2Client {
  invokeFunction(
    serviceName: string, functionName: string, event: string | Buffer, headers?: Record<string, string>, qualifier?: string,
  ): Promise<{ headers: Record<string, string>; data: unknown }>;
}
type Fc2ClientConstructor = new (accountId: string, config: Fc2ClientConfig) => Fc2Client;

/**
 * Loaded on first use: the SDK pulls in ali-oss and urllib (megabytes), which FC 3.0 deployments
 * never need. `npm run build` leaves it out of the bundles unless FC_BUNDLE_FC2=1, so a deployment
 * on FC 2.0 builds with that and the others stay small.
 */
function loadFcClient(): Fc2ClientConstructor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
  return require('@alicloud/fc2') as Fc2ClientConstructor;
}

/** Fails at cold start, naming the fix, when QUEUE_KIND=fc2 but the bundle has no FC 2.0 SDK. */
export function assertFc2Available(): void {
  try {
    loadFcClient();
  } catch {
    throw new ConfigError([{
      variable: 'QUEUE_KIND', problem: 'is fc2, but this bundle was built without the FC 2.0 SDK: rebuild with FC_BUNDLE_FC2=1 npm run build',
    }]);
  }
}

export interface Fc2AsyncQueueOptions extends PublishOptions {
  serviceName: string;
  functionName: string;
  /** Version or alias, sent as `<service>.<qualifier>`. */
  qualifier?: string;
  /** Asked per publish, from the FC context. */
  accountId: () => string;
  region: () => string;
  credentials: () => CloudCredentials;
  /** Full URL override, e.g. `http://127.0.0.1:9100` (tests). Default https to the account's endpoint. */
  endpoint?: string;
  /** Per invocation. Default 5 s. */
  timeoutMs?: number;
  batch?: BatchOptions;
}

/**
 * @example
 * const queue = new Fc2AsyncQueue({
 *   serviceName: 'ram-sync', functionName: 'push',
 *   accountId: () => context.accountId, region: () => context.region, credentials: () => context.credentials,
 * });
 */
export class Fc2AsyncQueue implements ChangeQueue {
  private cached?: { key: string; client: Fc2Client };

  constructor(private readonly options: Fc2AsyncQueueOptions) {}

  async publish(changes: Change[], options: PublishRequest = {}): Promise<ChangeBatch[]> {
    const batches = toBatches(changes, this.options.batch);
    if (batches.length === 0) return [];
    const { serviceName, functionName, qualifier } = this.options;
    let secrets: Array<string | undefined> = [];
    const send = async (batch: ChangeBatch, taskId?: string): Promise<void> => {
      const { client, credentials } = this.client();
      secrets = [credentials.accessKeySecret, credentials.securityToken];
      // FC 2.0's name for an async task id: a "stateful async invocation" (the service needs statefulInvocation).
      const headers = { 'x-fc-invocation-type': 'Async', ...(taskId && { 'x-fc-stateful-async-invocation-id': taskId }) };
      await client.invokeFunction(serviceName, functionName, encodeBatch(batch), headers, qualifier);
    };
    const target = `FC service ${serviceName} function ${functionName}`;
    return publishBatches(target, batches, send, (thrown) => translateFc2Error(thrown, secrets), this.options, options.dedupeKey);
  }

  private client(): { client: Fc2Client; credentials: CloudCredentials } {
    const credentials = this.options.credentials();
    if (!credentials?.accessKeyId || !credentials.accessKeySecret) throw new MissingFcSettingError('no FC credentials');
    const accountId = this.options.accountId();
    const region = this.options.region();
    if (!accountId || !region) throw new MissingFcSettingError('no FC account id or region');
    const key = [accountId, region, credentials.accessKeyId, credentials.accessKeySecret, credentials.securityToken ?? ''].join('\n');
    if (this.cached?.key !== key) {
      const FCClient = loadFcClient();
      const client = new FCClient(accountId, {
        accessKeyID: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        securityToken: credentials.securityToken,
        region,
        secure: true,
        endpoint: this.options.endpoint,
        timeout: this.options.timeoutMs ?? 5_000,
      });
      this.cached = { key, client };
    }
    return { client: this.cached.client, credentials };
  }
}

/**
 * fc2 throws `Error` named `FC<ErrorCode>Error` with `code` and the status only in the message
 * (`POST /services/… failed with 413. requestid: …`); httpx throws transport errors.
 */
function translateFc2Error(thrown: unknown, secrets: Array<string | undefined>): SendFailure {
  const e = thrown as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const message = scrub(typeof e?.message === 'string' ? e.message : String(thrown), secrets);
  if (thrown instanceof MissingFcSettingError) return { code: 'MissingSetting', retryable: false, message, cause: thrown };
  // The SDK's constructor checks (an STS key without a token) are configuration faults.
  if (thrown instanceof TypeError) return { code: 'InvalidConfig', retryable: false, message, cause: thrown };
  const status = /failed with (\d{3})\./.exec(message)?.[1];
  if (status !== undefined) {
    const code = typeof e?.code === 'string' && e.code !== '' ? e.code : `HTTP ${status}`;
    return { code, status: Number(status), retryable: retryableStatus(Number(status)), message, cause: thrown };
  }
  return transportFailure(thrown, message) ?? { code: 'InvokeFailed', retryable: true, message, cause: thrown };
}
