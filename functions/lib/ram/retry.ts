/**
 * The RAM client's retry loop: the shared policy (core/retryPolicy.ts), honouring the server's
 * Retry-After. Only retryable RamErrors are retried. When the limiter paces throttling (it slowed
 * the whole budget down and paused it for the Retry-After), a throttled attempt is retried without
 * a sleep of its own: it waits for the bucket like every other request.
 */
import { backoffMs, type RetryPolicy } from '../core/retryPolicy';
import { throttlingOf } from './accountRate';
import { isRamError, type RamError } from './errors';

export { backoffMs, realSleep, retryPolicy, type RetryPolicy } from '../core/retryPolicy';

export interface RamRetryPolicy extends RetryPolicy {
  /** The limiter the attempts run under slows down on throttling: retry those without backing off. */
  pacedThrottling?: boolean;
}

export interface RetryHooks<T> {
  /**
   * Called after the backoff and before the next attempt, e.g. to find out whether a create
   * whose answer was lost went through. A value ends the retries as success.
   */
  beforeRetry?: (error: RamError, attempt: number) => Promise<T | undefined>;
  /** Turns whatever `fn` threw into a RamError (non-RamErrors are final by default). */
  translate?: (error: unknown) => RamError;
}

/**
 * Runs `fn(attempt)` until it succeeds, throws a final error, or the attempts are spent
 * (then the last retryable error is thrown).
 *
 * @example
 * const user = await withRetry(policy, () => scim.post('/Users', body));
 */
export async function withRetry<T>(
  policy: RamRetryPolicy, fn: (attempt: number) => Promise<T>, hooks: RetryHooks<T> = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let error: RamError;
    try {
      return await fn(attempt);
    } catch (thrown) {
      if (isRamError(thrown)) error = thrown;
      else if (hooks.translate) error = hooks.translate(thrown);
      else throw thrown;
    }
    if (!error.retryable || attempt >= policy.maxAttempts) throw error;
    if (!(policy.pacedThrottling && throttlingOf(error))) await policy.sleep(backoffMs(policy, attempt, error.retryAfterMs));
    if (hooks.beforeRetry) {
      try {
        const recovered = await hooks.beforeRetry(error, attempt);
        if (recovered !== undefined) return recovered;
      } catch (lookupError) {
        // A look-up that fails retryably does not end the retries: the next attempt decides.
        if (!isRamError(lookupError) || !lookupError.retryable) throw lookupError;
      }
    }
  }
}
