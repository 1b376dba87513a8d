/**
 * The invocation being served, kept in AsyncLocalStorage so code far from the handler (a RAM
 * client built at module scope, the logger) can read this invocation's request id and the role's
 * STS credentials, which FC hands over per invocation. AsyncLocalStorage rather than a module
 * variable because the local stack serves several requests in one process at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../core/errors';
import type { CloudCredentials } from '../core/ports';
import type { FcContext } from './types';

export interface Invocation {
  requestId: string;
  accountId?: string;
  region?: string;
  /** The role's credentials; absent when the function has no role (FC then sends `{}`). */
  credentials?: CloudCredentials;
  /** FC's function name, else the name the handler was created with. */
  functionName?: string;
  retryCount?: number;
}

const storage = new AsyncLocalStorage<Invocation>();

/** The invocation this code runs in, or undefined outside one (cold start, scripts). */
export function currentInvocation(): Invocation | undefined {
  return storage.getStore();
}

/** Runs `fn` as the given invocation: everything it awaits sees it through `currentInvocation()`. */
export function runInvocation<R>(invocation: Invocation, fn: () => R): R {
  return storage.run(invocation, fn);
}

/** What to remember of FC's context: the role's keys only when both halves are present. */
export function invocationFrom(context: FcContext | undefined, functionName?: string): Invocation {
  const c = context?.credentials;
  const credentials = c?.accessKeyId && c.accessKeySecret
    ? { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.securityToken ? { securityToken: c.securityToken } : {}) }
    : undefined;
  return {
    requestId: typeof context?.requestId === 'string' && context.requestId ? context.requestId : `local-${randomUUID()}`,
    accountId: context?.accountId || undefined,
    region: context?.region || undefined,
    credentials,
    functionName: context?.function?.name || functionName,
    retryCount: typeof context?.retryCount === 'number' ? context.retryCount : undefined,
  };
}

/**
 * Cloud credentials for SDK calls: the function role's STS keys of the current invocation, else
 * `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN` (local runs).
 * Ask per call rather than caching: STS keys change between invocations.
 * @example
 * const ram = createRamClient(config, { credentials: () => roleCredentials() });
 */
export function roleCredentials(env: NodeJS.ProcessEnv = process.env): CloudCredentials {
  const fromRole = currentInvocation()?.credentials;
  if (fromRole) return fromRole;
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim();
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim();
  const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN?.trim();
  if (accessKeyId && accessKeySecret) {
    return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
  }
  const noRole = 'is required when the function has no role (context.credentials is empty)';
  const problems = [];
  if (!accessKeyId) problems.push({ variable: 'ALIBABA_CLOUD_ACCESS_KEY_ID', problem: noRole });
  if (!accessKeySecret) problems.push({ variable: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', problem: noRole });
  throw new ConfigError(problems);
}
