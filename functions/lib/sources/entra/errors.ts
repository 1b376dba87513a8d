/**
 * The Entra module's errors. Graph and token-endpoint failures are translated once, in errcodes.ts,
 * into an `EntraApiError` that says whether a retry can help; a delta link Graph no longer knows is
 * a `DeltaExpiredError`, on which the poller drops its watermark and resyncs in full.
 * Messages name codes, paths and variables, never a token, secret, UPN or email.
 */
import { ClassifiedError } from '../../core/errors';

export interface EntraApiErrorInit {
  /** `Graph <code>` / `AADSTS<n>` when the answer had one, or ours: `HTTP 502`, `NetworkError`, `Timeout`, `InvalidAnswer`. */
  code: string;
  reason: string;
  retryable: boolean;
  /** The HTTP status, when there was an answer. */
  status?: number;
  recommendedAction?: string;
  cause?: unknown;
}

/**
 * A Graph or token call failed. `retryable` is true for throttling (429, 503), 5xx and network
 * failures; false for refusals a retry cannot fix (a wrong secret, a permission without consent).
 */
export class EntraApiError extends ClassifiedError {
  readonly retryable: boolean;
  readonly status?: number;

  constructor(init: EntraApiErrorInit) {
    super(init);
    this.retryable = init.retryable;
    this.status = init.status;
  }
}

/**
 * Graph no longer knows the delta token (HTTP 410, or 400 `syncStateNotFound` / `resyncRequired`:
 * tokens of directory objects live 7 days). Not retryable as it is: the link must be dropped and
 * round 1 read again, which the poller does as a full resync under the deletion safeguard.
 */
export class DeltaExpiredError extends EntraApiError {
  constructor(init: Omit<EntraApiErrorInit, 'retryable' | 'recommendedAction'>) {
    super({
      ...init, retryable: false,
      recommendedAction: 'nothing: entra-poll drops the stored delta link and resyncs the entra source in full',
    });
  }
}
