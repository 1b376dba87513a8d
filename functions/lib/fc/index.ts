/** FC 3.0 runtime glue: handler factories, HTTP shapes, invocation context, logging, config. */
export type { FcContext, FcCredentials, FcHttpEvent, FcHttpResult, FcTimerEvent } from './types';
export {
  EventDecodeError, HttpError, type HttpErrorOptions, badRequest, forbidden, isHttpError, methodNotAllowed, notFound,
  payloadTooLarge, serviceUnavailable, unauthorized, unsupportedMediaType,
} from './errors';
export { type Invocation, currentInvocation, invocationFrom, roleCredentials, runInvocation } from './invocation';
export { type LogFields, type LogLevel, type Logger, type LoggerOptions, createLogger, levelFromEnv, logger } from './logger';
export { DEFAULT_REDACT_KEYS, REDACTED, isSensitiveKey, maskExternalId, maskId, maskText, sanitize, serializeError } from '../core/redact';
export { loadConfig } from './config';
export { decodeEvent, parseEvent, parseTimerEvent } from './event';
export {
  DEFAULT_MAX_BODY_BYTES, type HttpRequest, type HttpResponse, errorToFcHttpResult, lowerCaseKeys, toFcHttpResult,
  toHttpRequest,
} from './http';
export { type DecodedHttpResult, type HttpRequestLike, buildFcHttpEvent, decodeFcHttpResult } from './httpEvent';
export {
  type MiddyFcContext, fcEventDecoder, httpErrorResponder, httpEventDecoder, httpResultEncoder, invocationLogger,
} from './middlewares';
export { type EventHandlerOptions, type HttpHandlerOptions, eventHandler, httpHandler } from './handlers';
