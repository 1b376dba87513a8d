/**
 * Errors of the FC glue. An `HttpError` is how an HTTP handler answers anything but success: its
 * status and code always reach the caller, its message only when `expose` (by default under 500).
 */

export interface HttpErrorOptions {
  /** Whether the message may be shown to the caller; default `status < 500`. */
  expose?: boolean;
  /** Extra response headers, e.g. `allow` on a 405. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * @example
 * throw new HttpError(401, 'invalid_signature', 'the signature does not match the body');
 */
export class HttpError extends Error {
  readonly status: number;
  /** A stable, machine-readable snake_case code, sent as `error` in the JSON answer. */
  readonly code: string;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message, { cause: options.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be 400..599, got ${status}`);
    }
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
  }
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}

export const badRequest = (message: string, code = 'bad_request', cause?: unknown): HttpError =>
  new HttpError(400, code, message, { cause });

/** Missing or wrong credentials, e.g. a webhook signature that does not verify. */
export const unauthorized = (message: string, code = 'unauthorized', cause?: unknown): HttpError =>
  new HttpError(401, code, message, { cause });

export const forbidden = (message: string, code = 'forbidden', cause?: unknown): HttpError =>
  new HttpError(403, code, message, { cause });

export const notFound = (message = 'no such resource', code = 'not_found'): HttpError =>
  new HttpError(404, code, message);

export const methodNotAllowed = (allowed: readonly string[]): HttpError =>
  new HttpError(405, 'method_not_allowed', `use ${allowed.join(' or ')}`, { headers: { allow: allowed.join(', ') } });

export const payloadTooLarge = (limitBytes: number): HttpError =>
  new HttpError(413, 'payload_too_large', `the body is larger than ${limitBytes} bytes`);

export const unsupportedMediaType = (message: string): HttpError =>
  new HttpError(415, 'unsupported_media_type', message);

/**
 * A dependency failed and the caller should retry (webhook platforms redeliver on 5xx). The
 * message is logged, never sent.
 */
export const serviceUnavailable = (message: string, cause?: unknown): HttpError =>
  new HttpError(503, 'service_unavailable', message, { cause });

/**
 * The event could not be read: not JSON, or rejected by the handler's `parse`. Retrying the same
 * bytes cannot help, hence `retryable: false`. Carries where it failed, never the event itself.
 */
export class EventDecodeError extends Error {
  readonly retryable = false;
  readonly code = 'InvalidEvent';
  /** Paths and rule messages from the parser (e.g. `changes.0.kind: Invalid option`). */
  readonly issues: string[];

  constructor(message: string, issues: string[] = [], cause?: unknown) {
    super(issues.length > 0 ? `${message}: ${issues.join('; ')}` : message, { cause });
    this.name = 'EventDecodeError';
    this.issues = issues;
  }
}
