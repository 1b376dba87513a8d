import { createLimiter } from '../../../functions/lib/ram/limiter';

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
    // 10 from the full bucket at t=0, then one every 100 ms: the 30th starts at 2 s.
    expect(startedAt.filter((t) => t === 0)).toHaveLength(10);
    expect(Math.max(...startedAt)).toBe(2000);
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
});
