/**
 * What an OpenAPI call throws before an adapter translates it. The fields are the ones
 * @alicloud/openapi-core's ClientError / ServerError / ThrottlingError carry (`code`, `statusCode`,
 * `data`, `retryAfter`), so the adapters' translators read either the same way.
 */

/** The service answered 4xx or 5xx; `data` is its error body (`{ Code, Message, RequestId }`). */
export class OpenApiError extends Error {
  readonly code?: string;
  readonly statusCode: number;
  readonly requestId?: string;
  readonly data: Record<string, unknown>;
  /** Milliseconds, from `x-acs-retry-after` (a throttling answer). */
  readonly retryAfter?: number;

  constructor(init: { statusCode: number; data: Record<string, unknown>; retryAfter?: number }) {
    const code = typeof init.data.Code === 'string' ? init.data.Code : undefined;
    const requestId = typeof init.data.RequestId === 'string' ? init.data.RequestId : undefined;
    const message = typeof init.data.Message === 'string' ? init.data.Message : `HTTP ${init.statusCode}`;
    super(`code: ${init.statusCode}, ${message} request id: ${requestId}`);
    this.code = code;
    this.statusCode = init.statusCode;
    this.requestId = requestId;
    this.data = init.data;
    this.retryAfter = init.retryAfter;
  }
}

/** No answer within the deadline. The code contains "Timeout", as the SDK's did, for the translators. */
export class OpenApiTimeoutError extends Error {
  readonly code = 'ReadTimeout';

  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`no answer within ${timeoutMs} ms`, options);
  }
}

/** The connection failed or closed before an answer; `code` is the socket's (ECONNRESET, UND_ERR_SOCKET, …). */
export class OpenApiNetworkError extends Error {
  readonly code?: string;

  constructor(cause: unknown) {
    const inner = (cause as { cause?: { code?: unknown; message?: unknown } })?.cause;
    super(typeof inner?.message === 'string' ? inner.message : String((cause as Error)?.message ?? cause), { cause });
    this.code = typeof inner?.code === 'string' ? inner.code : undefined;
  }
}
