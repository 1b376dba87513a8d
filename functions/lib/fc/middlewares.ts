/**
 * The middy middlewares the handler factories compose. Each is a small factory returning named
 * `{ before, after, onError }` phases around a plain function (event.ts, http.ts) that is tested
 * on its own. Order in a chain: `invocationLogger` first (outermost), then decoders, then encoders.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context as LambdaContext } from 'aws-lambda';
import { EventDecodeError, badRequest } from './errors';
import { decodeEvent, parseEvent } from './event';
import { type HttpRequest, type HttpResponse, errorToFcHttpResult, toFcHttpResult, toHttpRequest } from './http';
import { currentInvocation } from './invocation';
import type { Logger } from './logger';
import type { FcContext, FcHttpResult } from './types';

/** middy types its context as Lambda's; FC's never has those fields, the intersection only satisfies the types. */
export type MiddyFcContext = LambdaContext & FcContext;
type Middleware<E = unknown, R = unknown> = MiddlewareObj<E, R, Error, MiddyFcContext>;
type MiddyRequest<E = unknown, R = unknown> = Request<E, R, Error, MiddyFcContext>;

/** Buffer → JSON (→ `parse`, when given). Failures are `EventDecodeError`s: final, never retryable. */
export function fcEventDecoder<E>(parse?: (raw: unknown) => E): Middleware {
  return {
    before: (request: MiddyRequest) => {
      const decoded = decodeEvent(request.event);
      request.event = parse ? parseEvent(decoded, parse) : decoded;
    },
  };
}

/**
 * Answers an event that cannot be decoded with `answer` instead of failing the invocation: FC's
 * async invocation would retry it (three times by default), and retrying cannot fix it.
 */
export function decodeFailureAnswer<R>(answer: (error: EventDecodeError, context: MiddyFcContext) => Promise<R>): Middleware {
  return {
    onError: async (request: MiddyRequest) => {
      if (request.error instanceof EventDecodeError) request.response = await answer(request.error, request.context);
    },
  };
}

/** FC's HTTP event (Buffer or object) → `HttpRequest`. A body over `maxBodyBytes` is a 413. */
export function httpEventDecoder(options: { maxBodyBytes?: number } = {}): Middleware {
  return {
    before: (request: MiddyRequest) => {
      let decoded: unknown;
      try {
        decoded = decodeEvent(request.event);
      } catch (error) {
        if (error instanceof EventDecodeError) throw badRequest('the event is not JSON', 'invalid_event', error);
        throw error;
      }
      request.event = toHttpRequest(decoded, options);
    },
  };
}

/** `HttpResponse` → FC's result. */
export function httpResultEncoder(): Middleware<unknown, HttpResponse | FcHttpResult> {
  return {
    after: (request: MiddyRequest<unknown, HttpResponse | FcHttpResult>) => {
      request.response = toFcHttpResult(request.response as HttpResponse);
    },
  };
}

/** Any error → an HTTP answer: exposed `HttpError`s as they are, everything else a bare 500. */
export function httpErrorResponder(): Middleware {
  return {
    onError: (request: MiddyRequest) => {
      request.response = errorToFcHttpResult(request.error, currentInvocation()?.requestId ?? request.context?.requestId ?? '');
    },
  };
}

const START = 'fcInvocationStartedAt';

/**
 * One line when an invocation starts and one when it ends, with its duration. An error is logged
 * once, here, with its detail: at `warn` when it was answered with a 4xx, else at `error`.
 */
export function invocationLogger(options: { logger: Logger }): Middleware {
  const log = options.logger;
  const durationMs = (request: MiddyRequest): number | undefined => {
    const started = (request.internal as Record<string, unknown>)[START];
    return typeof started === 'number' ? Math.round(performance.now() - started) : undefined;
  };
  return {
    before: (request: MiddyRequest) => {
      (request.internal as Record<string, unknown>)[START] = performance.now();
      log.info('invocation start', { retryCount: currentInvocation()?.retryCount });
    },
    after: (request: MiddyRequest) => {
      log.info('invocation end', { ...httpFields(request), durationMs: durationMs(request) });
    },
    onError: (request: MiddyRequest) => {
      const fields = { ...httpFields(request), durationMs: durationMs(request), error: request.error };
      const status = statusOfResponse(request.response);
      if (status !== undefined && status < 500) log.warn('request refused', fields);
      else log.error('invocation failed', fields);
    },
  };
}

function statusOfResponse(response: unknown): number | undefined {
  const status = (response as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Method, path and status of an HTTP invocation (never the query: it carries signatures). */
function httpFields(request: MiddyRequest): Record<string, unknown> {
  const e = request.event as Partial<HttpRequest> | undefined;
  const status = statusOfResponse(request.response);
  if (!e || typeof e.method !== 'string' || typeof e.path !== 'string') return status === undefined ? {} : { status };
  return { method: e.method, path: e.path, ...(status === undefined ? {} : { status }) };
}
