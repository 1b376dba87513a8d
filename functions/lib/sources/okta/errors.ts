/**
 * The Okta module's API errors, translated once in errcodes.ts: each says whether a retry can help
 * and, for set-up mistakes, which variable or Admin Console page fixes it. Messages name Okta's
 * error codes, paths and variables, never a token, key, email or login.
 */
import { ClassifiedError } from '../../core/errors';

export interface OktaApiErrorInit {
  /** `Okta E0000011` or the OAuth `error` (`Okta invalid_client`) when Okta gave one; else ours: `HTTP 502`, `NetworkError`, `Timeout`, `InvalidAnswer`. */
  code: string;
  reason: string;
  retryable: boolean;
  /** Okta's `errorCode` (E0000…) or OAuth `error`, when the answer had one. */
  oktaCode?: string;
  status?: number;
  recommendedAction?: string;
  cause?: unknown;
}

export class OktaApiError extends ClassifiedError {
  readonly retryable: boolean;
  readonly oktaCode?: string;
  readonly status?: number;

  constructor(init: OktaApiErrorInit) {
    super(init);
    this.retryable = init.retryable;
    this.oktaCode = init.oktaCode;
    this.status = init.status;
  }
}
