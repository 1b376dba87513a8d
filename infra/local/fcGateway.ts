/**
 * The local stand-in for FC's invoke API (`POST /2023-03-30/functions/<name>/invocations`), so the
 * function bundles publish exactly as in FC (FcAsyncQueue, signed by the SDK). An asynchronous
 * invocation of `push` lands in the durable SQLite queue; a synchronous one runs the bundle.
 */
import type { ChangeBatch } from '../../functions/lib/core/model';
import { type EmulatorReply, type EmulatorRequest, header, json } from '../emulator/http';
import { NonceCache, verifySignature } from '../emulator/signature';

/** FC's async payload limit: larger invocations are refused, as FC refuses them. */
export const FC_ASYNC_LIMIT_BYTES = 128 * 1024;
const INVOKE_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;

export interface FcGatewayOptions {
  /** accessKeyId → secret the SDK may sign with (the credentials the local stack hands the functions). */
  secrets: ReadonlyMap<string, string>;
  /** Stores an async invocation's batch; false when its async task id was seen before (409); throws when it cannot. */
  enqueue(functionName: string, batch: ChangeBatch, taskId?: string): boolean;
  /** Runs a synchronous invocation. */
  invoke(functionName: string, payload: Buffer): Promise<unknown>;
  functionNames(): string[];
}

export function createFcGateway(options: FcGatewayOptions) {
  const nonces = new NonceCache();
  return async (req: EmulatorRequest): Promise<EmulatorReply | undefined> => {
    const match = INVOKE_PATH.exec(req.rawPath);
    if (!match || req.method !== 'POST') return undefined;
    const name = decodeURIComponent(match[1]!);
    const signature = verifySignature(req, options.secrets, nonces);
    if (!signature.ok) return fcError(signature.status === 404 ? 403 : signature.status, signature.code, signature.message);
    if (!options.functionNames().includes(name)) return fcError(404, 'FunctionNotFound', `function ${name} does not exist`);

    const requestId = `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    if ((header(req, 'x-fc-invocation-type') ?? 'Sync').toLowerCase() === 'async') {
      if (req.body.length > FC_ASYNC_LIMIT_BYTES) return fcError(413, 'EntityTooLarge', `payload over ${FC_ASYNC_LIMIT_BYTES} bytes`);
      let batch: ChangeBatch;
      try {
        batch = JSON.parse(req.body.toString('utf8')) as ChangeBatch;
      } catch {
        return fcError(400, 'InvalidArgument', 'the async payload is not JSON');
      }
      if (!options.enqueue(name, batch, header(req, 'x-fc-async-task-id'))) {
        // FC answers 409 (reference/fc.md §3.1); the error code's name is ours, FC's is not documented.
        return fcError(409, 'AsyncTaskAlreadyExists', 'an async task with this id was already submitted');
      }
      return { status: 202, headers: { 'x-fc-request-id': requestId } };
    }
    let result: unknown;
    try {
      result = await options.invoke(name, req.body);
    } catch (error) {
      // As FC does: a function's error is a 200 whose X-Fc-Error-Type says so, its message in the body.
      const e = error as { name?: unknown; message?: unknown };
      return json(200, { errorMessage: String(e?.message ?? error), errorType: String(e?.name ?? 'Error') },
        { 'x-fc-request-id': requestId, 'x-fc-error-type': 'UnhandledInvocationError' });
    }
    return json(200, result ?? null, { 'x-fc-request-id': requestId });
  };
}

function fcError(status: number, code: string, message: string): EmulatorReply {
  return json(status, { ErrorCode: code, ErrorMessage: message });
}
