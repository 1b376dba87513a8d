/**
 * Bounded retries with exponential backoff and full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"), honouring the server's Retry-After. Only retryable RamErrors are retried;
 * sleep and random are injectable so tests never wait.
 */
import { isRamError, type RamError } from './errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts: number;
  /** First backoff ceiling in ms. Default 200. */
  baseMs: number;
  /** Largest backoff in ms, also the cap for a server's Retry-After. Default 20 000. */
  capMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { maxAttempts: 5, baseMs: 200, capMs: 20_000, sleep: realSleep, random: Math.random, ...overrides };
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): the server's hint, else full jitter. */
export function backoffMs(policy: RetryPolicy, attempt: number, error?: RamError): number {
  if (error?.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, policy.capMs);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
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
  policy: RetryPolicy, fn: (attempt: number) => Promise<T>, hooks: RetryHooks<T> = {},
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
    await policy.sleep(backoffMs(policy, attempt, error));
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
