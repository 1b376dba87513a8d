/**
 * RAM's failures as typed errors, translated once at the adapter boundary: every SCIM answer,
 * token answer, SDK error and dropped connection becomes a `RamError` that says whether a retry
 * can help, why it failed in plain words, and what an operator should do.
 * Messages are redacted: never a token, secret, email or mobile number.
 */
import { ClassifiedError } from '../core/errors';
import { maskText } from '../core/redact';
import { recommendedActionFor } from './recommendations';

export interface RamErrorInit {
  /** RAM code (`EntityAlreadyExists.User.Group`), SCIM `scimType`, or ours (`NetworkError`, `Timeout`). */
  code: string;
  /** What failed, in plain words; redacted before it reaches the message. */
  reason: string;
  /** The operation that failed, e.g. `scim.createUser` or `AddUserToGroup`. */
  operation?: string;
  status?: number;
  recommendedAction?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export abstract class RamError extends ClassifiedError {
  readonly operation?: string;
  readonly status?: number;
  declare readonly recommendedAction: string;
  readonly retryAfterMs?: number;

  constructor(init: RamErrorInit) {
    const reason = maskText(init.reason);
    const where = init.operation ? `${init.operation}: ` : '';
    const status = init.status !== undefined ? ` (HTTP ${init.status})` : '';
    super({
      code: init.code, reason, message: `${where}${init.code}${status}: ${reason}`, cause: init.cause,
      recommendedAction: maskText(init.recommendedAction ?? recommendedActionFor(init.code, init.status)),
    });
    this.operation = init.operation;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Throttling, 5xx, timeouts, dropped connections: the same request may succeed later. */
export class RetryableRamError extends RamError {
  readonly retryable = true;
}

/** Any other refusal: retrying the same request cannot help. */
export class FinalRamError extends RamError {
  readonly retryable = false;
}

/** 401/403 and OAuth client errors: wrong credentials, missing consent or a missing policy. */
export class RamAuthError extends FinalRamError {}

/** 409: the entity exists already, or a delete is refused while something is attached. */
export class RamConflictError extends FinalRamError {}

/** 404: the entity is not there. */
export class RamNotFoundError extends FinalRamError {}

/** True for every error this module throws (translators pass these through untouched). */
export function isRamError(error: unknown): error is RamError {
  return error instanceof RamError;
}

const RETRYABLE_CODE = /throttl|serviceunavailable|internalerror|servicebusy/i;
const RETRYABLE_NET_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'ReadTimeout', 'ConnectTimeout',
]);

/** Builds the right subclass from a status and a code. */
export function ramErrorFrom(init: RamErrorInit): RamError {
  const { status, code } = init;
  if (status === 429 || (status !== undefined && status >= 500) || RETRYABLE_CODE.test(code)) {
    return new RetryableRamError(init);
  }
  if (status === 401 || status === 403) return new RamAuthError(init);
  if (status === 409) return new RamConflictError(init);
  if (status === 404) return new RamNotFoundError(init);
  return new FinalRamError(init);
}

/**
 * A failure that never produced an HTTP answer: a timeout (AbortSignal), a reset or refused
 * connection, or the SDK's plain error for a dropped socket. Always retryable.
 */
export function translateTransportError(error: unknown, operation: string): RamError {
  if (isRamError(error)) return error;
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  const timeout = /^(TimeoutError|AbortError|RequestTimeoutError)$/.test(e?.name ?? '') || /timeout/i.test(String(e?.code ?? e?.cause?.code ?? ''));
  if (timeout) return new RetryableRamError({ code: 'Timeout', reason: 'no answer within the timeout', operation, cause: error });
  const netCode = e?.cause?.code ?? e?.code;
  const detail = netCode && RETRYABLE_NET_CODES.has(netCode) ? netCode : (e?.name ?? 'Error');
  return new RetryableRamError({ code: 'NetworkError', reason: `connection failed (${detail})`, operation, cause: error });
}

/** A SCIM error answer (RFC 7644 §3.12 body, or whatever a proxy returned). */
export function translateScimResponse(
  status: number, body: unknown, retryAfterHeader: string | null, operation: string, now = Date.now(),
): RamError {
  const b = (body && typeof body === 'object' ? body : {}) as { scimType?: unknown; detail?: unknown };
  const scimType = typeof b.scimType === 'string' && b.scimType ? b.scimType : undefined;
  const detail = typeof b.detail === 'string' && b.detail ? b.detail : undefined;
  // RAM names the blocking attachment of a refused DELETE as `DeleteConflict.User.AccessKey: …`.
  const ramCode = detail && /^([A-Z][A-Za-z]+(?:\.[A-Za-z]+)+):/.exec(detail)?.[1];
  return ramErrorFrom({
    code: ramCode || scimType || scimCodeForStatus(status),
    reason: detail ?? `SCIM answered HTTP ${status}`,
    operation,
    status,
    retryAfterMs: parseRetryAfter(retryAfterHeader, now),
  });
}

function scimCodeForStatus(status: number): string {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 429) return 'TooManyRequests';
  if (status >= 500) return 'ServerError';
  return 'BadRequest';
}

/**
 * An error thrown by `@alicloud/openapi-core` (ThrottlingError, ClientError, ServerError, each
 * with `code`, `statusCode`, `data`), or a plain error for a dropped connection.
 * Read structurally so this file needs no SDK import.
 */
export function translateSdkError(error: unknown, operation: string): RamError {
  if (isRamError(error)) return error;
  const e = error as {
    name?: string; code?: unknown; statusCode?: unknown; retryAfter?: unknown; data?: unknown; message?: unknown;
  };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (status === undefined && !(code && RETRYABLE_CODE.test(code))) {
    // The SDK throws a plain error when an answer does not fit its model (e.g. a list sent as one
    // object): the same answer would come again, so that is final, unlike a dropped connection.
    if (typeof e?.message === 'string' && /mismatch|is not (a )?valid/i.test(e.message)) {
      return new FinalRamError({ code: 'MalformedResponse', operation, reason: 'RAM answered in a shape the SDK cannot read', cause: error });
    }
    return translateTransportError(error, operation);
  }
  const data = (e.data && typeof e.data === 'object' ? e.data : {}) as { Message?: unknown; Recommend?: unknown };
  const message = typeof data.Message === 'string' ? data.Message : `RAM answered HTTP ${status ?? 'error'}`;
  const retryAfter = typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : undefined;
  return ramErrorFrom({
    code: code ?? 'UnknownError',
    reason: message,
    operation,
    status,
    retryAfterMs: retryAfter,
    cause: error,
  });
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}


