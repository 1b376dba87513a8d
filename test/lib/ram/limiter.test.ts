import { processRateBudget, sharedRateBudget } from '../../../functions/lib/ram/accountRate';
import { FinalRamError, RetryableRamError } from '../../../functions/lib/ram/errors';
import { createLimiter } from '../../../functions/lib/ram/limiter';
import { MemoryStateStore } from '../../../functions/lib/state/MemoryStateStore';

const throttled = (retryAfterMs?: number) => new RetryableRamError({ code: 'Throttling.User', reason: 'flow control', status: 400, retryAfterMs });

describe('createLimiter', () => {
  it('never runs more than the concurrency cap at once', async () => {
    const limiter = createLimiter({ ratePerSecond: 10_000, concurrency: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 20 }, () => limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    })));
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
  });

  it('holds requests to the rate after the initial burst (virtual clock)', async () => {
    let now = 0;
    const limiter = createLimiter({
      ratePerSecond: 10, concurrency: 100, now: () => now, sleep: async (ms) => { now += ms; },
    });
    const startedAt: number[] = [];
    await Promise.all(Array.from({ length: 30 }, () => limiter.run(async () => { startedAt.push(now); })));
    // 5 from the full bucket (half a second's worth) at t=0, then one every 100 ms: the 30th starts at 2.5 s.
    expect(startedAt.filter((t) => t === 0)).toHaveLength(5);
    expect(Math.max(...startedAt)).toBe(2500);
  });

  it('frees the slot when the call throws', async () => {
    const limiter = createLimiter({ ratePerSecond: 100, concurrency: 1 });
    await expect(limiter.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a zero rate or concurrency', () => {
    expect(() => createLimiter({ ratePerSecond: 0, concurrency: 1 })).toThrow(RangeError);
    expect(() => createLimiter({ ratePerSecond: 1, concurrency: 0 })).toThrow(RangeError);
  });

  describe('on a throttling answer (AIMD)', () => {
    /** A virtual clock: sleeping advances it, nothing waits for real. */
    const virtual = () => {
      const clock = { now: 0 };
      return { clock, now: () => clock.now, sleep: async (ms: number) => { clock.now += ms; } };
    };

    it('halves the rate, pauses for the Retry-After, then recovers linearly to the ceiling', async () => {
      const v = virtual();
      const budget = processRateBudget(10, v.now);
      const limiter = createLimiter({ ratePerSecond: 10, concurrency: 100, budget, now: v.now, sleep: v.sleep });
      await expect(limiter.run(async () => { throw throttled(2000); })).rejects.toThrow('Throttling.User');
      expect(limiter.throttles).toBe(1);
      expect(await budget.currentRate()).toBe(5);

      // Nothing starts during the 2 s pause; then the bucket refills at the halved rate.
      const startedAt: number[] = [];
      await Promise.all(Array.from({ length: 3 }, () => limiter.run(async () => { startedAt.push(v.clock.now); })));
      expect(Math.min(...startedAt)).toBeGreaterThanOrEqual(2000);
      expect(startedAt[2]! - startedAt[0]!).toBeGreaterThanOrEqual(2 * (1000 / 10));

      v.clock.now += 10_000;
      expect(await budget.currentRate()).toBe(10);
    });

    it('counts one burst of throttling answers as one cut, and never falls below the floor', async () => {
      const v = virtual();
      const budget = processRateBudget(32, v.now);
      const limiter = createLimiter({ ratePerSecond: 32, concurrency: 100, budget, now: v.now, sleep: v.sleep });
      await Promise.allSettled(Array.from({ length: 5 }, () => limiter.run(async () => { throw throttled(0); })));
      expect(limiter.throttles).toBe(5);
      // One halving (two would be 8); the waits between the answers already let it recover a little.
      expect(await budget.currentRate()).toBeGreaterThanOrEqual(16);
      expect(await budget.currentRate()).toBeLessThan(24);
      for (let i = 0; i < 10; i++) {
        v.clock.now += 1000; // a new episode each second, no time to recover much
        await limiter.run(async () => { throw throttled(0); }).catch(() => undefined);
      }
      expect(await budget.currentRate()).toBeGreaterThanOrEqual(2); // 32 / 16
      expect(await budget.currentRate()).toBeLessThan(16);
    });

    it('is not slowed by other failures', async () => {
      const v = virtual();
      const budget = processRateBudget(10, v.now);
      const limiter = createLimiter({ ratePerSecond: 10, concurrency: 1, budget, now: v.now, sleep: v.sleep });
      await limiter.run(async () => { throw new FinalRamError({ code: 'EntityNotExist.User', reason: 'gone', status: 404 }); }).catch(() => undefined);
      await limiter.run(async () => { throw new RetryableRamError({ code: 'InternalError', reason: 'boom', status: 500 }); }).catch(() => undefined);
      expect(limiter.throttles).toBe(0);
      expect(await budget.currentRate()).toBe(10);
    });

    it('slows every client drawing from one shared budget, whichever saw the answer', async () => {
      const v = virtual();
      const state = new MemoryStateStore();
      const a = createLimiter({ ratePerSecond: 20, concurrency: 10, budget: sharedRateBudget(state, 20, v.now), now: v.now, sleep: v.sleep });
      const bBudget = sharedRateBudget(state, 20, v.now);
      await a.run(async () => { throw throttled(1000); }).catch(() => undefined);
      expect(await bBudget.currentRate()).toBe(10);
      // b's next request waits out the pause a's answer imposed.
      const b = createLimiter({ ratePerSecond: 20, concurrency: 10, budget: bBudget, now: v.now, sleep: v.sleep });
      let startedAt = -1;
      await b.run(async () => { startedAt = v.clock.now; });
      expect(startedAt).toBeGreaterThanOrEqual(1000);
    });
  });

  it('shares one budget between clients: together they never pass the rate (virtual clock)', async () => {
    const v = { now: 0 };
    const state = new MemoryStateStore();
    const clients = Array.from({ length: 4 }, () => createLimiter({
      ratePerSecond: 20, concurrency: 50, budget: sharedRateBudget(state, 20, () => v.now), now: () => v.now,
      sleep: async (ms) => { v.now += ms; },
    }));
    const startedAt: number[] = [];
    await Promise.all(clients.flatMap((c) => Array.from({ length: 25 }, () => c.run(async () => { startedAt.push(v.now); }))));
    // 100 requests at 20/s with a burst of 10: no second-long window holds more than 20 + 10.
    startedAt.sort((x, y) => x - y);
    for (const t of startedAt) expect(startedAt.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(30);
    expect(startedAt[startedAt.length - 1]).toBeGreaterThanOrEqual(((100 - 10) / 20) * 1000 - 1000 / 20);
  });
});
