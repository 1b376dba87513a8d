/**
 * WeCom's failures as typed errors, translated once: API errcodes in `errcodes.ts`, callback
 * bodies in `xml.ts`/`events.ts`. Messages never carry the secret, an access token, an email or a
 * mobile number; callback errors never quote the message they refused.
 */
import { ClassifiedError } from '../../core/errors';

export interface WecomApiErrorInit {
  /** `WeCom <errcode>` for API answers, or ours: `NetworkError`, `Timeout`, `HTTP 502`, `InvalidAnswer`. */
  code: string;
  /** The API path, e.g. `user/get`. */
  operation: string;
  /** What failed, in plain words (WeCom's errmsg, scrubbed). */
  reason: string;
  retryable: boolean;
  errcode?: number;
  status?: number;
  /** What an operator should do; set for configuration errors. */
  recommendedAction?: string;
  cause?: unknown;
}

/**
 * An API call that failed. The engine reads `retryable`, `code`, `reason` and `recommendedAction`
 * (the ClassifiedError contract) to decide whether FC retries the batch and what to log.
 */
export class WecomApiError extends ClassifiedError {
  readonly retryable: boolean;
  readonly operation: string;
  readonly errcode?: number;
  readonly status?: number;

  constructor(init: WecomApiErrorInit) {
    super({ ...init, message: `WeCom ${init.operation}: ${init.code}: ${init.reason}` });
    this.retryable = init.retryable;
    this.operation = init.operation;
    this.errcode = init.errcode;
    this.status = init.status;
  }
}

/**
 * WeCom refused because of how it is set up (wrong secret, missing permission, untrusted IP):
 * never retried; `recommendedAction` says what to change in the admin console.
 */
export class WecomConfigurationError extends WecomApiError {
  declare readonly recommendedAction: string;
}

/** Why a callback body was refused; the webhook answers 400. */
export const WECOM_EVENT_PROBLEMS = {
  tooLarge: 'tooLarge',
  notXml: 'notXml',
  forbiddenMarkup: 'forbiddenMarkup',
  shape: 'shape',
} as const;
export type WecomEventProblem = (typeof WECOM_EVENT_PROBLEMS)[keyof typeof WECOM_EVENT_PROBLEMS];

/** A callback body or decrypted event that is not what WeCom sends. Names the field, never its value. */
export class WecomEventError extends Error {
  override readonly name = 'WecomEventError';
  readonly problem: WecomEventProblem;

  constructor(problem: WecomEventProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.problem = problem;
  }
}
