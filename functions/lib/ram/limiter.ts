/**
 * A client-side rate limit (token bucket, requests per second) and a concurrency cap, shared by
 * the SCIM and OpenAPI calls of one client, so a full sync never floods RAM into throttling.
 * Retry backoff happens outside `run`, so a sleeping retry does not hold a slot.
 */

export interface LimiterOptions {
  /** Sustained requests per second; the bucket holds at most this many (at least 1). */
  ratePerSecond: number;
  /** Requests in flight at once. */
  concurrency: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Limiter {
  /** Runs `fn` when a slot and a token are free. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Requests in flight now (for tests and metrics). */
  readonly active: number;
}

export function createLimiter(options: LimiterOptions): Limiter {
  const rate = options.ratePerSecond;
  const capacity = Math.max(1, rate);
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  if (!(rate > 0) || !(options.concurrency >= 1)) {
    throw new RangeError('the RAM limiter needs ratePerSecond > 0 and concurrency >= 1');
  }

  let tokens = capacity;
  let refilledAt = now();
  let active = 0;
  const waiting: Array<() => void> = [];
  // Token takers queue behind one another so waits are FIFO and tokens are never overdrawn.
  let tokenChain: Promise<void> = Promise.resolve();

  function refill(): void {
    const t = now();
    tokens = Math.min(capacity, tokens + ((t - refilledAt) / 1000) * rate);
    refilledAt = t;
  }

  function takeToken(): Promise<void> {
    const next = tokenChain.then(async () => {
      refill();
      while (tokens < 1) {
        await sleep(Math.ceil(((1 - tokens) / rate) * 1000));
        refill();
      }
      tokens -= 1;
    });
    tokenChain = next;
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

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await acquireSlot();
      try {
        await takeToken();
        return await fn();
      } finally {
        releaseSlot();
      }
    },
    get active() {
      return active;
    },
  };
}
