/**
 * The DingTalk module's errors. DingTalk's answers are translated once, in errcodes.ts: callers see
 * retryable (rate limits, token expiry, outages) or terminal (permissions, bad requests) errors.
 * Messages carry errcodes and API paths, never tokens, secrets or people's details.
 */
import { ClassifiedError } from '../../core/errors';

/** A decrypted callback whose plaintext is not a DingTalk event we can read. */
export class DingtalkEventError extends Error {
  override readonly name = 'DingtalkEventError';
}

export interface DingtalkApiErrorInit {
  /** The API path, e.g. `/topapi/v2/user/get`. */
  api: string;
  /** `DingTalk <errcode>` for answers with one, or ours: `NetworkError`, `HTTP 502`, `IpBanned`, `InvalidAnswer`. */
  code: string;
  /** What failed after `DingTalk <api>`, e.g. `answered errcode 90018 (rate limited)`. */
  detail: string;
  retryable: boolean;
  errcode?: number;
  httpStatus?: number;
  recommendedAction?: string;
  cause?: unknown;
}

/** A DingTalk API call that failed; `retryable` says whether the same call may succeed later (rate limits, outages). */
export class DingtalkApiError extends ClassifiedError {
  readonly retryable: boolean;
  readonly api: string;
  /** DingTalk's errcode, or undefined when the failure was HTTP or network. */
  readonly errcode?: number;
  readonly httpStatus?: number;

  constructor(init: DingtalkApiErrorInit) {
    super({ ...init, reason: `DingTalk ${init.api} ${init.detail}` });
    this.retryable = init.retryable;
    this.api = init.api;
    this.errcode = init.errcode;
    this.httpStatus = init.httpStatus;
  }
}
