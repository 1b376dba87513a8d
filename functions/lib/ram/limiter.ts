/**
 * The client-side rate limit and concurrency cap, shared by the SCIM and OpenAPI calls of one
 * client, so RAM sees one well-behaved caller. Tokens come from a RateBudget (accountRate.ts): the
 * account's bucket in the state store when every instance should share `RAM_RATE_LIMIT`, else a
 * bucket for this process. A throttling answer inside `run` slows the budget down (AIMD) before
 * the error goes on to the retry loop, whose throttled retry then simply waits here for a token.
 * Retry backoff happens outside `run`, so a sleeping retry does not hold a slot.
 */
import { type RateBudget, processRateBudget, throttlingOf } from './accountRate';

export interface LimiterOptions {
  /** Sustained requests per second (the budget's ceiling when `budget` is not given). */
  ratePerSecond: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Where tokens come from; default a bucket for this process at `ratePerSecond`. */
  budget?: RateBudget;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Limiter {
  /** Runs `fn` when a slot and a token are free; a throttling answer from `fn` slows the budget. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Requests in flight now (for tests and metrics). */
  readonly active: number;
  /** Throttling answers seen by this limiter (for logs and tests). */
  readonly throttles: number;
}

/** Tokens taken in a block are spent within this long, or dropped: a stale block would be a burst. */
const BLOCK_LIFETIME_MS = 1000;

export function createLimiter(options: LimiterOptions): Limiter {
  const rate = options.ratePerSecond;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  if (!(rate > 0) || !(options.concurrency >= 1)) {
    throw new RangeError('the RAM limiter needs ratePerSecond > 0 and concurrency >= 1');
  }
  const budget = options.budget ?? processRateBudget(rate, now);

  let pocket = 0;
  let pocketAt = 0;
  let active = 0;
  let throttles = 0;
  const waiting: Array<() => void> = [];
  // Token takers queue behind one another so waits are FIFO and tokens are never overdrawn.
  let tokenChain: Promise<void> = Promise.resolve();

  function takeToken(): Promise<void> {
    const next = tokenChain.then(async () => {
      if (pocket > 0 && now() - pocketAt <= BLOCK_LIFETIME_MS) {
        pocket -= 1;
        return;
      }
      for (;;) {
        const { granted, waitMs } = await budget.take(budget.block);
        if (granted > 0) {
          pocket = granted - 1;
          pocketAt = now();
          return;
        }
        await sleep(waitMs);
      }
    });
    // A failing budget (the state store) fails this request, not every later one.
    tokenChain = next.catch(() => undefined);
    return next;
  }

  async function acquireSlot(): Promise<void> {
    if (active < options.concurrency) {
      active++;
      return;
    }
    // The releasing caller hands its slot over directly, so `active` stays exact.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function releaseSlot(): void {
    const next = waiting.shift();
    if (next) next();
    else active--;
  }

  async function noteThrottling(error: unknown): Promise<void> {
    const throttling = throttlingOf(error);
    if (!throttling) return;
    throttles++;
    pocket = 0;
    // Slowing down is best effort: RAM's answer, not the state store's, is what the caller sees.
    await budget.throttled(throttling.retryAfterMs).catch(() => undefined);
  }

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await acquireSlot();
      try {
        await takeToken();
        return await fn();
      } catch (error) {
        await noteThrottling(error);
        throw error;
      } finally {
        releaseSlot();
      }
    },
    get active() {
      return active;
    },
    get throttles() {
      return throttles;
    },
  };
}
