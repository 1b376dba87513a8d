/** Retry delays for the local queue: exponential, capped, with jitter so failures do not retry in step. */

export interface BackoffPolicy {
  /** Delay after the first failure. Default 1 s. */
  baseMs?: number;
  /** Upper bound before jitter. Default 5 min. */
  maxMs?: number;
  /** Extra random share on top of the delay, 0..1. Default 0.25 (so 1 s becomes 1–1.25 s). */
  jitter?: number;
  /** Injectable for tests. Default Math.random. */
  random?: () => number;
}

/**
 * The delay before attempt `failedAttempts + 1`.
 *
 * @example
 * backoffDelay(3, { baseMs: 1000, jitter: 0 }) // 4000
 */
export function backoffDelay(failedAttempts: number, policy: BackoffPolicy = {}): number {
  const base = policy.baseMs ?? 1_000;
  const cap = policy.maxMs ?? 5 * 60_000;
  const exponential = Math.min(cap, base * 2 ** Math.max(0, failedAttempts - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.25));
  return Math.round(exponential * (1 + jitter * (policy.random ?? Math.random)()));
}
