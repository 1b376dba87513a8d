/**
 * A function invoking itself asynchronously (FC 3.0 InvokeFunction, `x-fc-invocation-type: Async`),
 * the way FcAsyncQueue invokes push: `full-sync` hands an unfinished run over to a fresh invocation
 * before its own timeout. FC persists an async invocation and retries it.
 */
import type { CloudCredentials } from '../core/ports';
import { callOpenApi, parseEndpoint, percentEncode } from '../openapi';

export interface SelfInvocation {
  functionName: string;
  qualifier?: string;
  /** `<accountId>.<region>.fc.aliyuncs.com`, or an http(s):// URL (a loopback fake in tests). */
  endpoint: string;
  credentials: CloudCredentials;
  timeoutMs?: number;
}

export async function invokeAsync(target: SelfInvocation, payload: object): Promise<void> {
  await callOpenApi({
    ...parseEndpoint(target.endpoint),
    action: 'InvokeFunction', version: '2023-03-30',
    path: `/2023-03-30/functions/${percentEncode(target.functionName)}/invocations`,
    query: { qualifier: target.qualifier },
    headers: { 'x-fc-invocation-type': 'Async' },
    body: new TextEncoder().encode(JSON.stringify(payload)), contentType: 'application/octet-stream',
    credentials: target.credentials, timeoutMs: target.timeoutMs ?? 5_000,
  });
}
