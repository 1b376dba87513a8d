/**
 * The RAM OpenAPI surface (RPC, version 2015-05-01) as the SDK `@alicloud/ram20150501` calls it:
 * action in `x-acs-action` (V3) or `Action` (V2), parameters in the query string, a verified
 * signature, and RAM's JSON error body `{RequestId, HostId, Code, Message}`.
 */
import { RamEntityError } from './errors';
import { formBody, header, json, type EmulatorReply, type EmulatorRequest } from './http';
import { requestId } from './ids';
import { ACTIONS } from './openapiActions';
import { RpcParams } from './openapiParams';
import { verifySignature, type NonceCache } from './signature';
import type { EmulatorState } from './store';

export const RAM_VERSION = '2015-05-01';
export const RAM_HOST_ID = 'ram.aliyuncs.com';

export interface OpenApiContext {
  state: EmulatorState;
  secrets: ReadonlyMap<string, string>;
  nonces: NonceCache;
}

export interface OpenApiRoute {
  action: string;
  write: boolean;
  run(req: EmulatorRequest, ctx: OpenApiContext): EmulatorReply;
}

export function ramErrorReply(status: number, code: string, message: string, headers: Record<string, string> = {}): EmulatorReply {
  const id = requestId();
  return json(status, { RequestId: id, HostId: RAM_HOST_ID, Code: code, Message: message }, { 'x-acs-request-id': id, ...headers });
}

/** RAM's flow-control answer; the SDK turns it into a ThrottlingError with `retryAfter` (ms). */
export function throttlingReply(status: number, retryAfterMs: number): EmulatorReply {
  return ramErrorReply(status, 'Throttling.User', 'Request was denied due to user flow control.', {
    'x-acs-retry-after': String(retryAfterMs),
  });
}

/** An OpenAPI request names its action in a header (V3) or the query (V2); SCIM never does. */
export function openApiRoute(req: EmulatorRequest): OpenApiRoute | undefined {
  const action = header(req, 'x-acs-action') ?? req.query.get('Action') ?? undefined;
  if (action === undefined) return undefined;
  return { action, write: ACTIONS[action]?.write ?? false, run: (r, ctx) => runAction(r, ctx, action) };
}

function runAction(req: EmulatorRequest, ctx: OpenApiContext, action: string): EmulatorReply {
  if (req.method !== 'POST' && req.method !== 'GET') return ramErrorReply(405, 'UnsupportedHTTPMethod', 'Use GET or POST.');
  const version = header(req, 'x-acs-version') ?? req.query.get('Version');
  if (version !== RAM_VERSION) return ramErrorReply(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
  const auth = verifySignature(req, ctx.secrets, ctx.nonces);
  if (!auth.ok) return ramErrorReply(auth.status, auth.code, auth.message);
  const spec = ACTIONS[action];
  if (!spec) return ramErrorReply(404, 'InvalidAction.NotFound', `Specified api ${action} is not found.`);
  const values = new Map<string, string>(req.query);
  for (const [k, v] of formBody(req)) values.set(k, v);
  try {
    const body = spec.run({ state: ctx.state, params: new RpcParams(values), callerAccessKeyId: auth.accessKeyId });
    const id = requestId();
    return json(200, { RequestId: id, ...body }, { 'x-acs-request-id': id });
  } catch (err) {
    if (err instanceof RamEntityError) return ramErrorReply(err.status, err.code, err.message);
    throw err;
  }
}
