/**
 * HTTP as a webhook sees it, with no runtime attached: the request in (raw body bytes exactly as
 * sent, so signatures can hash them), the answer out, and `HttpError` for anything but success.
 * Here in core so a source's webhook handling depends on no runtime; `fc/` converts from and to
 * FC's shapes and answers an `HttpError` (its status and code always, its message only when `expose`).
 */

export interface HttpRequest {
  /** Upper case, e.g. `POST`. */
  method: string;
  /** Decoded path, e.g. `/dingtalk`. */
  path: string;
  /** Lower-case keys; a header sent several times has its values joined with commas, as FC does. */
  headers: Record<string, string>;
  /** Query parameters; repeated keys are comma-joined, as FC does. */
  query: Record<string, string>;
  /** The body bytes exactly as received. */
  rawBody: Buffer;
  /** `rawBody` decoded as UTF-8. */
  body: string;
  sourceIp?: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /**
   * A string is sent as is (default `text/plain; charset=utf-8`), a Buffer as bytes (default
   * `application/octet-stream`), any other object as JSON (default `application/json; charset=utf-8`).
   */
  body?: string | Buffer | object;
}

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
