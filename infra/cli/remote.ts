/**
 * `--remote`: the operator's laptop reaching a deployed system. The held list and the suspension
 * records live on NAS inside the VPC, so the CLI does not read them: it invokes the deployed
 * `full-sync` function synchronously (FC 3.0 InvokeFunction, signed with the operator's own
 * credentials) with `{"held": true}`, `{"release": …}`, `{"discardUnfinished": true}` and the like
 * (messages.ts) and prints what it answers.
 *
 * | variable                                  | default                                   |
 * |-------------------------------------------|-------------------------------------------|
 * | `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` | required: the operator's (fc:InvokeFunction on full-sync) |
 * | `ALIBABA_CLOUD_SECURITY_TOKEN`            | none (set with STS credentials)           |
 * | `FC_ACCOUNT_ID`, `FC_REGION`              | required / `cn-hangzhou`: the endpoint `<account>.<region>.fc.aliyuncs.com` |
 * | `FC_INVOKE_ENDPOINT`                      | instead of the two above (a URL or host)  |
 * | `FULL_SYNC_FUNCTION_NAME`                 | `<FC_PREFIX or ram-scim-sync>-full-sync`, as s.yaml names it |
 */
import { Readable } from 'node:stream';
import FC3, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { ConfigProblems, type ConfigProblem } from '../../functions/lib/core/errors';
import type { CloudCredentials } from '../../functions/lib/core/ports';
import { parseFcEndpoint } from '../../functions/lib/queue/FcAsyncQueue';

export interface RemoteFunction {
  endpoint: string;
  functionName: string;
  credentials: CloudCredentials;
}

export function remoteFromEnv(env: NodeJS.ProcessEnv): RemoteFunction {
  const problems = new ConfigProblems();
  const access = operatorFcAccess(env, problems, 'for --remote: the operator credentials that invoke full-sync');
  problems.throwIfAny();
  const value = (name: string) => env[name]?.trim() || undefined;
  return { ...access!, functionName: value('FULL_SYNC_FUNCTION_NAME') ?? `${value('FC_PREFIX') ?? 'ram-scim-sync'}-full-sync` };
}

/**
 * The operator's credentials and the FC invoke endpoint, from the variables in the table above;
 * `purpose` ends "is required …" in the messages. Problems go to `problems`; undefined when any.
 */
export function operatorFcAccess(env: NodeJS.ProcessEnv, problems: ConfigProblems, purpose: string): Omit<RemoteFunction, 'functionName'> | undefined {
  const found: ConfigProblem[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const accessKeyId = value('ALIBABA_CLOUD_ACCESS_KEY_ID');
  const accessKeySecret = value('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  if (!accessKeyId) found.push({ variable: 'ALIBABA_CLOUD_ACCESS_KEY_ID', problem: `is required ${purpose}` });
  if (!accessKeySecret) found.push({ variable: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', problem: `is required ${purpose}` });
  let endpoint = value('FC_INVOKE_ENDPOINT');
  if (!endpoint) {
    const account = value('FC_ACCOUNT_ID');
    if (!account) found.push({ variable: 'FC_ACCOUNT_ID', problem: 'is required (or FC_INVOKE_ENDPOINT): the Alibaba Cloud account id the functions run in' });
    else if (!/^\d+$/.test(account)) found.push({ variable: 'FC_ACCOUNT_ID', problem: 'must be the numeric account id' });
    endpoint = `${account}.${value('FC_REGION') ?? 'cn-hangzhou'}.fc.aliyuncs.com`;
  }
  found.forEach((p) => problems.add(p));
  if (found.length > 0) return undefined;
  return {
    endpoint: endpoint!,
    credentials: { accessKeyId: accessKeyId!, accessKeySecret: accessKeySecret!, securityToken: value('ALIBABA_CLOUD_SECURITY_TOKEN') },
  };
}

/** The deployed function failed, or FC refused the call; the message is FC's or the function's own. */
export class RemoteInvocationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemoteInvocationError';
  }
}

/** Invokes the function synchronously with `payload` and answers its JSON result. */
export async function invokeRemote(remote: RemoteFunction, payload: unknown): Promise<unknown> {
  const { protocol, host } = parseFcEndpoint(remote.endpoint);
  const client = new FC3(new $OpenApiUtil.Config({
    ...remote.credentials, endpoint: host, protocol,
    // A release applies RAM changes: wait as long as full-sync may run.
    readTimeout: 3_600_000, connectTimeout: 10_000,
  }));
  let answer;
  try {
    answer = await client.invokeFunctionWithOptions(
      remote.functionName,
      new InvokeFunctionRequest({ body: Readable.from(Buffer.from(JSON.stringify(payload))) }),
      new InvokeFunctionHeaders({ xFcInvocationType: 'Sync' }),
      {} as Parameters<FC3['invokeFunctionWithOptions']>[3],
    );
  } catch (error) {
    const e = error as { code?: unknown; data?: { Message?: unknown }; message?: unknown };
    const why = typeof e.data?.Message === 'string' ? e.data.Message : String(e.message ?? error);
    throw new RemoteInvocationError(`invoking ${remote.functionName} at ${host} failed: ${typeof e.code === 'string' ? `${e.code}: ` : ''}${why}`, { cause: error });
  }
  const text = await readAll(answer.body);
  const errorType = Object.entries(answer.headers ?? {}).find(([name]) => name.toLowerCase() === 'x-fc-error-type')?.[1];
  if (errorType) {
    // FC answers a function's error with 200 and this header; the body is {errorMessage, errorType}.
    let message = text;
    try {
      const body = JSON.parse(text) as { errorMessage?: unknown };
      if (typeof body.errorMessage === 'string') message = body.errorMessage;
    } catch { /* not JSON: keep the text */ }
    throw new RemoteInvocationError(`${remote.functionName} failed (${errorType}): ${message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RemoteInvocationError(`${remote.functionName} answered something that is not JSON`, { cause: error });
  }
}

async function readAll(body: Readable | undefined): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
