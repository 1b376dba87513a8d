/**
 * The two handler factories FC functions are made with. Each runs a middy chain inside the
 * invocation's context (request id, role credentials), so the logger and `roleCredentials()`
 * work anywhere below it.
 *
 * @example
 * // functions/push/index.ts
 * export const handler = eventHandler('push', (message, ctx) => push(message), { parse: QueueMessage.parse });
 * // functions/dingtalk-webhook/index.ts
 * export const handler = httpHandler('dingtalk-webhook', async (req) => ({ status: 200, body: await receive(req) }));
 */
import middy from '@middy/core';
import type { EventDecodeError } from './errors';
import type { HttpRequest, HttpResponse } from './http';
import { invocationFrom, runInvocation } from './invocation';
import { type Logger, logger as defaultLogger } from './logger';
import {
  type MiddyFcContext, decodeFailureAnswer, fcEventDecoder, httpErrorResponder, httpEventDecoder, httpResultEncoder, invocationLogger,
} from './middlewares';
import type { FcContext, FcHttpEvent, FcHttpResult } from './types';

export interface EventHandlerOptions<E, R = unknown> {
  /** Validates the decoded event (e.g. `parseChangeBatch`); a failure is a final `EventDecodeError`. */
  parse?: (raw: unknown) => E;
  /**
   * Answers an event that cannot be decoded (not JSON, or refused by `parse`) instead of failing the
   * invocation, so FC does not retry what no retry can fix; the answer should record it somewhere.
   */
  onDecodeError?: (error: EventDecodeError, ctx: FcContext) => Promise<R>;
  logger?: Logger;
}

/**
 * For event triggers (timer, async invocation, queue). Errors are logged and rethrown, so FC's
 * async invocation retries them and, once retries are spent, sends them to the failure destination.
 */
export function eventHandler<E, R>(
  name: string,
  fn: (event: E, ctx: FcContext) => Promise<R>,
  options: EventHandlerOptions<E, R> = {},
): (event: Buffer | unknown, context: FcContext) => Promise<R> {
  const chain = middy<unknown, R, Error, MiddyFcContext>((event: unknown, context: MiddyFcContext) => fn(event as E, context))
    .use(invocationLogger({ logger: options.logger ?? defaultLogger }));
  if (options.onDecodeError) chain.use(decodeFailureAnswer(options.onDecodeError));
  chain.use(fcEventDecoder(options.parse));
  return withInvocation(name, chain);
}

export interface HttpHandlerOptions {
  /** Larger bodies are answered 413 without being decoded; default 1 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
}

/**
 * For HTTP triggers. `fn` answers with any status and body; an `HttpError` under 500 is answered
 * `{"error": code, "message": message}` with its status; anything else thrown becomes
 * `500 {"error":"internal_error","requestId":…}` and is logged with its detail.
 */
export function httpHandler(
  name: string,
  fn: (req: HttpRequest, ctx: FcContext) => Promise<HttpResponse>,
  options: HttpHandlerOptions = {},
): (event: Buffer | FcHttpEvent, context: FcContext) => Promise<FcHttpResult> {
  const chain = middy<unknown, FcHttpResult, Error, MiddyFcContext>(
    // The encoder turns this HttpResponse into an FcHttpResult before the chain returns.
    async (event: unknown, context: MiddyFcContext) => (await fn(event as HttpRequest, context)) as unknown as FcHttpResult,
  )
    .use(invocationLogger({ logger: options.logger ?? defaultLogger }))
    .use(httpErrorResponder())
    .use(httpEventDecoder({ maxBodyBytes: options.maxBodyBytes }))
    .use(httpResultEncoder());
  return withInvocation(name, chain);
}

function withInvocation<R>(
  name: string,
  chain: (event: unknown, context: MiddyFcContext) => Promise<R>,
): (event: unknown, context: FcContext) => Promise<R> {
  return (event, context) => {
    const invocation = invocationFrom(context, name);
    // Local callers may pass no context; give the handler one with the request id it is logged under.
    const ctx = (context ?? { requestId: invocation.requestId }) as MiddyFcContext;
    return runInvocation(invocation, () => chain(event, ctx));
  };
}
