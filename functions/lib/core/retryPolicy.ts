/**
 * Bounded retries with exponential backoff and full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): the policy and the wait, shared by the RAM client and the vendor API
 * clients. Sleep and random are injectable so tests never wait.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts: number;
  /** First backoff ceiling in ms. Default 200. */
  baseMs: number;
  /** Largest backoff in ms, also the cap for a server's Retry-After. Default 20 000. */
  capMs: number;
  /**
   * How the wait is drawn under the doubling ceiling: `full` uniform in [0, ceiling) (default),
   * `equal` in [ceiling/2, ceiling), `none` the ceiling itself.
   */
  jitter?: 'full' | 'equal' | 'none';
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { maxAttempts: 5, baseMs: 200, capMs: 20_000, sleep: realSleep, random: Math.random, ...overrides };
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): the server's hint, else the jittered ceiling. */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.capMs);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  if (policy.jitter === 'none') return ceiling;
  if (policy.jitter === 'equal') return Math.floor(ceiling / 2 + policy.random() * (ceiling / 2));
  return Math.floor(policy.random() * ceiling);
}
