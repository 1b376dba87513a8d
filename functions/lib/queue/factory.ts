/**
 * Builds the FC change queue a function publishes to, from its parsed config and its context.
 * Imports no SQLite: the local queue is built by the local stack itself (`SqliteQueue.ts`).
 */
import type { ChangeQueue } from '../core/ports';
import type { FcQueueConfig } from './config';
import { MissingFcSettingError } from './errors';
import { Fc2AsyncQueue, assertFc2Available } from './Fc2AsyncQueue';
import type { CloudCredentials } from '../core/ports';
import { FcAsyncQueue } from './FcAsyncQueue';
import type { PublishOptions } from './publish';

/** Read per publish, from the current invocation's FC context (or the environment locally). */
export interface FcQueueDeps {
  accountId: () => string | undefined;
  region: () => string | undefined;
  credentials: () => CloudCredentials | undefined;
  timeoutMs?: number;
  publish?: PublishOptions;
}

/** FC's invoke endpoint for an account and region (https). */
export function fcInvokeEndpoint(accountId: string, region: string): string {
  return `${accountId}.${region}.fc.aliyuncs.com`;
}

/**
 * @example
 * let ctx: FcContext | undefined; // set by a middleware per invocation
 * const queue = createFcQueue(parseQueueConfig(process.env), {
 *   accountId: () => ctx?.accountId, region: () => ctx?.region, credentials: () => ctx?.credentials,
 * });
 */
export function createFcQueue(config: FcQueueConfig, deps: FcQueueDeps): ChangeQueue {
  const need = (what: string, read: () => string | undefined) => (): string => {
    const v = read();
    if (!v) throw new MissingFcSettingError(`no FC ${what} in the function context`);
    return v;
  };
  const credentials = (): CloudCredentials => {
    const c = deps.credentials();
    if (!c?.accessKeyId || !c.accessKeySecret) throw new MissingFcSettingError('no FC credentials in the function context');
    return c;
  };
  const accountId = need('account id', deps.accountId);
  const region = need('region', deps.region);
  const common = { credentials, timeoutMs: deps.timeoutMs, ...deps.publish };

  if (config.kind === 'fc2') {
    assertFc2Available();
    return new Fc2AsyncQueue({
      ...common, serviceName: config.serviceName, functionName: config.functionName, qualifier: config.qualifier,
      accountId, region, endpoint: config.endpoint,
    });
  }
  const fixed = config.endpoint;
  return new FcAsyncQueue({
    ...common, functionName: config.functionName, qualifier: config.qualifier,
    endpoint: fixed ? () => fixed : () => fcInvokeEndpoint(accountId(), region()),
  });
}
