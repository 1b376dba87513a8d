/**
 * The DingTalk module's errors. DingTalk errcodes are translated here, once: callers see
 * retryable (rate limits, token expiry, outages) or terminal (permissions, bad requests) errors.
 * Messages carry errcodes and API paths, never tokens, secrets or people's details.
 */

/** A decrypted callback whose plaintext is not a DingTalk event we can read. */
export class DingtalkEventError extends Error {
  override readonly name = 'DingtalkEventError';
}

/** A DingTalk API call that failed. */
export class DingtalkApiError extends Error {
  override readonly name = 'DingtalkApiError';
  /** The API path, e.g. `/topapi/v2/user/get`. */
  readonly api: string;
  /** DingTalk's errcode, or undefined when the failure was HTTP or network. */
  readonly errcode?: number;
  readonly httpStatus?: number;
  /** Whether the same call may succeed later (rate limits, outages). */
  readonly retryable: boolean;

  constructor(
    message: string,
    init: { api: string; errcode?: number; httpStatus?: number; retryable: boolean; cause?: unknown },
  ) {
    super(message, { cause: init.cause });
    this.api = init.api;
    this.errcode = init.errcode;
    this.httpStatus = init.httpStatus;
    this.retryable = init.retryable;
  }
}
