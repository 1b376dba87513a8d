import { FinalRamError, RetryableRamError } from '../../../functions/lib/ram/errors';
import { backoffMs, retryPolicy, withRetry } from '../../../functions/lib/ram/retry';

const retryable = (retryAfterMs?: number) => new RetryableRamError({ code: 'ServerError', reason: 'x', status: 500, retryAfterMs });

describe('withRetry', () => {
  it('retries retryable errors and returns the first success', async () => {
    const sleeps: number[] = [];
    const policy = retryPolicy({ sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.999 });
    let calls = 0;
    const value = await withRetry(policy, async () => { if (++calls < 4) throw retryable(); return 'ok'; });
    expect(value).toBe('ok');
    // full jitter under a doubling ceiling: 200, 400, 800
    expect(sleeps).toEqual([199, 399, 799]);
  });

  it('stops after maxAttempts with the last error', async () => {
    const policy = retryPolicy({ maxAttempts: 3, sleep: async () => {} });
    let calls = 0;
    await expect(withRetry(policy, async () => { calls++; throw retryable(); })).rejects.toBeInstanceOf(RetryableRamError);
    expect(calls).toBe(3);
  });

  it('never retries a final error', async () => {
    let calls = 0;
    const final = new FinalRamError({ code: 'InvalidParameter.UserName.Length', reason: 'x', status: 400 });
    await expect(withRetry(retryPolicy({ sleep: async () => {} }), async () => { calls++; throw final; })).rejects.toBe(final);
    expect(calls).toBe(1);
  });

  it('waits what the server asked, capped', async () => {
    const sleeps: number[] = [];
    const policy = retryPolicy({ capMs: 5000, sleep: async (ms) => { sleeps.push(ms); } });
    let calls = 0;
    await withRetry(policy, async () => {
      calls++;
      if (calls === 1) throw retryable(1500);
      if (calls === 2) throw retryable(60_000);
      return 'ok';
    });
    expect(sleeps).toEqual([1500, 5000]);
  });

  it('lets beforeRetry end the retries with a value found meanwhile', async () => {
    let calls = 0;
    const value = await withRetry(retryPolicy({ sleep: async () => {} }), async () => { calls++; throw retryable(); }, {
      beforeRetry: async (_e, attempt) => (attempt === 2 ? 'found' : undefined),
    });
    expect(value).toBe('found');
    expect(calls).toBe(2);
  });

  it('keeps the backoff under the cap however many attempts', () => {
    const policy = retryPolicy({ random: () => 0.999999 });
    expect(backoffMs(policy, 30)).toBeLessThan(20_000);
    expect(backoffMs(policy, 30)).toBeGreaterThan(19_000);
  });

  it('retries a throttled attempt without its own sleep when the limiter paces throttling', async () => {
    const sleeps: number[] = [];
    const paced = { ...retryPolicy({ sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 }), pacedThrottling: true };
    const throttled = new RetryableRamError({ code: 'Throttling.User', reason: 'flow control', status: 400, retryAfterMs: 3000 });
    let calls = 0;
    await expect(withRetry(paced, async () => { if (++calls < 3) throw throttled; return 'ok'; })).resolves.toBe('ok');
    expect(sleeps).toEqual([]); // the limiter's bucket (slowed and paused) was the wait
    // Other retryable failures still back off, and without pacing a throttled one sleeps its Retry-After.
    let others = 0;
    await withRetry(paced, async () => { if (++others < 2) throw retryable(); return 'ok'; });
    expect(sleeps).toEqual([100]);
    const unpaced = retryPolicy({ sleep: async (ms) => { sleeps.push(ms); } });
    let unpacedCalls = 0;
    await withRetry(unpaced, async () => { if (++unpacedCalls < 2) throw throttled; return 'ok'; });
    expect(sleeps).toEqual([100, 3000]);
  });
});

