/**
 * The account's request budget as data: a token bucket holding half a second's worth, taken in
 * blocks by each instance, cut in half by a throttling answer and recovering linearly. Pure
 * functions on a frozen clock, then the shared form on a state store.
 */
import {
  BURST_SECONDS, RATE_BUDGET_KEY, RECOVERY_SECONDS, type RateState, cutRate, freshRate, refillRate, sharedRateBudget, takeTokens, throttlingOf,
} from '../../../functions/lib/ram/accountRate';
import { RetryableRamError } from '../../../functions/lib/ram/errors';
import { MemoryStateStore } from '../../../functions/lib/state/MemoryStateStore';

describe('the account rate budget', () => {
  it('starts with half a second\'s worth and refills at the rate, never beyond that', () => {
    const s = freshRate(100, 0);
    expect(s.tokens).toBe(100 * BURST_SECONDS);
    const spent = takeTokens(s, 50, 100, 0);
    expect(spent).toMatchObject({ granted: 50, waitMs: 0 });
    expect(refillRate(spent.state, 100, 200).tokens).toBeCloseTo(20);
    expect(refillRate(spent.state, 100, 60_000).tokens).toBe(50);
  });

  it('grants a block whole or not at all, and says how long until it is there', () => {
    const empty: RateState = { tokens: 3, at: 0, rate: 100, pausedUntil: 0 };
    expect(takeTokens(empty, 10, 100, 0)).toMatchObject({ granted: 0, waitMs: 70 });
    expect(takeTokens(empty, 10, 100, 70)).toMatchObject({ granted: 10 });
    // A block larger than the bucket is cut to the bucket.
    expect(takeTokens(freshRate(4, 0), 10, 4, 0).granted).toBe(2);
  });

  it('a throttling answer halves the rate once per episode, empties the bucket and pauses for the Retry-After', () => {
    const cut = cutRate(freshRate(100, 0), 100, 0, 2000);
    expect(cut).toMatchObject({ rate: 50, tokens: 0, pausedUntil: 2000, cutAt: 0 });
    expect(cutRate(cut, 100, 500, 0).rate).toBeCloseTo(50 + (0.5 * 100) / RECOVERY_SECONDS); // same episode: no second cut
    expect(takeTokens(cut, 1, 100, 1999).granted).toBe(0);
    expect(takeTokens(cut, 1, 100, 1999).waitMs).toBeGreaterThan(1);
    // Paused time does not refill; afterwards it refills at the cut rate, while the rate recovers.
    expect(refillRate(cut, 100, 2000).tokens).toBe(0);
    expect(refillRate(cut, 100, 2100).tokens).toBeCloseTo(5);
    expect(refillRate(cut, 100, 1000 * RECOVERY_SECONDS).rate).toBe(100);
  });

  it('a clock behind the record neither refills nor moves the record back', () => {
    const s: RateState = { tokens: 0, at: 10_000, rate: 100, pausedUntil: 0 };
    expect(refillRate(s, 100, 9_950)).toMatchObject({ tokens: 0, at: 10_000 });
  });

  it('recognises RAM\'s throttling in every shape it arrives in', () => {
    expect(throttlingOf(new RetryableRamError({ code: 'Throttling.User', reason: 'x', status: 400, retryAfterMs: 300 }))).toEqual({ retryAfterMs: 300 });
    expect(throttlingOf(new RetryableRamError({ code: 'TooManyRequests', reason: 'x', status: 429 }))).toEqual({});
    expect(throttlingOf({ name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400, retryAfter: 1000 })).toEqual({ retryAfterMs: 1000 });
    expect(throttlingOf(new RetryableRamError({ code: 'InternalError', reason: 'x', status: 500 }))).toBeUndefined();
    expect(throttlingOf(new Error('socket hang up'))).toBeUndefined();
  });

  it('shared: every client on one store draws from one record, and a throttle seen by one pauses all', async () => {
    let now = 1_000_000;
    const state = new MemoryStateStore();
    const a = sharedRateBudget(state, 40, () => now);
    const b = sharedRateBudget(state, 40, () => now);
    expect(a.block).toBe(4);
    const grants = [];
    for (let i = 0; i < 6; i++) grants.push((await (i % 2 ? b : a).take(4)).granted);
    expect(grants).toEqual([4, 4, 4, 4, 4, 0]); // 20 tokens in the bucket, shared
    now += 100; // 4 more
    expect((await b.take(4)).granted).toBe(4);
    await a.throttled(1500);
    expect(await b.currentRate()).toBe(20);
    now += 1000;
    expect((await b.take(4)).granted).toBe(0);
    expect((await state.get<RateState>(RATE_BUDGET_KEY))?.pausedUntil).toBe(now - 1000 + 1500);
  });
});
