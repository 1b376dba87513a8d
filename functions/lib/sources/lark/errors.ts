/**
 * The Lark module's errors. Webhook refusals carry the HTTP status the webhook answers with; API
 * failures are translated once, in errcodes.ts, into a `LarkApiError` that says whether a retry can help.
 * Messages name codes, paths and variables, never a token, secret, email or mobile number.
 */
import { ClassifiedError } from '../../core/errors';

/** Why a webhook request was refused, and the status it is answered with. */
export const WEBHOOK_REFUSALS = {
  missing_signature: 401,
  invalid_signature: 401,
  stale_request: 401,
  undecryptable: 401,
  missing_token: 401,
  invalid_token: 403,
  malformed: 400,
  encryption_required: 400,
} as const;
export type WebhookRefusal = keyof typeof WEBHOOK_REFUSALS;

/**
 * A webhook request we will not act on. Nothing is enqueued for it.
 *
 * @example
 * throw new LarkWebhookError('invalid_signature', 'X-Lark-Signature does not match the body');
 */
export class LarkWebhookError extends Error {
  override readonly name = 'LarkWebhookError';
  readonly reason: WebhookRefusal;
  readonly status: number;

  constructor(reason: WebhookRefusal, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.status = WEBHOOK_REFUSALS[reason];
  }
}

export interface LarkApiErrorInit {
  /** `Lark <code>` when the answer had one, or ours: `HTTP 502`, `NetworkError`, `Timeout`, `InvalidAnswer`. */
  code: string;
  /** What failed, in plain words, naming the call (Lark's msg, masked). */
  reason: string;
  retryable: boolean;
  /** Lark's `code`, when the answer had one. */
  larkCode?: number;
  /** The HTTP status, when there was an answer. */
  status?: number;
  recommendedAction?: string;
  cause?: unknown;
}

/**
 * A Lark API call failed. `retryable` is true for throttling, Lark's transient errors, 5xx and
 * network failures; false for refusals a retry cannot fix (bad credentials, missing scopes).
 */
export class LarkApiError extends ClassifiedError {
  readonly retryable: boolean;
  readonly larkCode?: number;
  readonly status?: number;

  constructor(init: LarkApiErrorInit) {
    super(init);
    this.retryable = init.retryable;
    this.larkCode = init.larkCode;
    this.status = init.status;
  }
}

/** An `encrypt` value that is not base64 of IV ‖ AES-256-CBC ciphertext under our key. */
export class LarkDecryptError extends Error {
  override readonly name = 'LarkDecryptError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
