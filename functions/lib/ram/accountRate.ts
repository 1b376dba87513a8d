/**
 * RAM's request budget (`RAM_RATE_LIMIT`) as one token bucket for the whole account. RAM limits the
 * account, not the caller: push instances, full-sync and the CLI all draw from the same budget, so
 * the bucket lives in the state store (the NAS every instance mounts) and each instance takes a
 * tenth of a second's worth at a time with one compare-and-swap (`StateStore.update`).
 *
 * Throttling is answered AIMD-style (as TCP does): a throttling answer halves the rate for everyone
 * drawing from the bucket (at most once a second, so one burst of refusals counts once), pauses it
 * for RAM's Retry-After, and the rate then grows back linearly to the configured ceiling in
 * RECOVERY_SECONDS. A throttled retry waits for the bucket, not for a sleep of its own.
 *
 * The bucket math is pure (`takeTokens`, `cutRate`) so the in-process bucket (no state store) and
 * the shared one behave alike, and tests drive it with a frozen clock.
 */
import type { StateStore } from '../core/ports';

/** The stored form under `ram/rate-budget`; times in ms since the epoch for the shared bucket. */
export interface RateState {
  tokens: number;
  /** When `tokens` and `rate` were last brought up to date. */
  at: number;
  /** The rate now: the ceiling, or less after a throttling answer. */
  rate: number;
  /** When the rate was last cut; absent if never. */
  cutAt?: number;
  /** Nothing is granted before this (RAM's Retry-After after a throttling answer). */
  pausedUntil: number;
}

export const RATE_BUDGET_KEY = 'ram/rate-budget';
/** The bucket holds half a second's worth: RAM may count in windows, and a full second's burst plus jitter would cross one. */
export const BURST_SECONDS = 0.5;
/** After a cut, the rate grows by ceiling / RECOVERY_SECONDS per second. */
export const RECOVERY_SECONDS = 10;
/** The rate never falls below a sixteenth of the ceiling (nor below one request a second, unless the ceiling is lower). */
export const FLOOR_FRACTION = 1 / 16;
/** Throttling answers within this long of a cut are the same episode: one cut. */
export const CUT_WINDOW_MS = 1000;
/** The longest pause a Retry-After can impose on the fleet. */
export const MAX_PAUSE_MS = 5000;
/** Without a Retry-After, a throttling answer pauses the budget this long. */
export const DEFAULT_PAUSE_MS = 1000;

export function freshRate(ceiling: number, now: number): RateState {
  return { tokens: capacityOf(ceiling), at: now, rate: ceiling, pausedUntil: 0 };
}

export const capacityOf = (ceiling: number) => Math.max(1, ceiling * BURST_SECONDS);
const floorOf = (ceiling: number) => Math.min(ceiling, Math.max(1, ceiling * FLOOR_FRACTION));

/** Tokens and rate brought up to `now`: the rate recovers, tokens refill (not while paused). */
export function refillRate(s: RateState, ceiling: number, now: number): RateState {
  const elapsed = Math.max(0, now - s.at) / 1000;
  const rate = Math.min(ceiling, Math.max(floorOf(ceiling), s.rate + (elapsed * ceiling) / RECOVERY_SECONDS));
  const filling = Math.max(0, now - Math.max(s.at, s.pausedUntil)) / 1000;
  // Refill at the rate in force before this step: conservative while recovering.
  const tokens = Math.min(capacityOf(ceiling), s.tokens + filling * Math.min(s.rate, ceiling));
  return { ...s, tokens, rate, at: Math.max(s.at, now) };
}

/**
 * `want` tokens (at most the bucket's capacity), or none and how long until they are there (ms).
 * All or nothing: under contention, handing out the one token that just refilled would cost a
 * compare-and-swap per request; waiting for a block costs one per block.
 */
export function takeTokens(s: RateState, want: number, ceiling: number, now: number): { state: RateState; granted: number; waitMs: number } {
  const state = refillRate(s, ceiling, now);
  const need = Math.max(1, Math.min(want, Math.floor(capacityOf(ceiling))));
  if (now >= state.pausedUntil && state.tokens >= need) {
    return { state: { ...state, tokens: state.tokens - need }, granted: need, waitMs: 0 };
  }
  const pause = Math.max(0, state.pausedUntil - now);
  return { state, granted: 0, waitMs: Math.max(1, Math.ceil(pause + (Math.max(0, need - state.tokens) / state.rate) * 1000)) };
}

/** A throttling answer: halve the rate (once per episode), drop what is in the bucket, pause for Retry-After. */
export function cutRate(s: RateState, ceiling: number, now: number, retryAfterMs?: number): RateState {
  const state = refillRate(s, ceiling, now);
  const newEpisode = state.cutAt === undefined || now - state.cutAt >= CUT_WINDOW_MS;
  const pause = Math.min(MAX_PAUSE_MS, Math.max(0, retryAfterMs ?? DEFAULT_PAUSE_MS));
  return {
    ...state,
    rate: newEpisode ? Math.max(floorOf(ceiling), state.rate / 2) : state.rate,
    cutAt: newEpisode ? now : state.cutAt,
    tokens: Math.min(state.tokens, 0),
    pausedUntil: Math.max(state.pausedUntil, now + pause),
  };
}

/** Where a limiter draws its tokens from. */
export interface RateBudget {
  /** Tokens taken at once: 1 in process, a tenth of a second's worth from the shared bucket. */
  readonly block: number;
  /** Up to `want` tokens now, or none and how long to wait before asking again. */
  take(want: number): Promise<{ granted: number; waitMs: number }>;
  /** RAM answered with throttling: slow down everyone drawing from this budget. */
  throttled(retryAfterMs?: number): Promise<void>;
  /** The rate in force now (requests/s), for logs and tests. */
  currentRate(): Promise<number>;
}

/** A bucket for this process only (no state store: tests, a one-off CLI run). */
export function processRateBudget(ceiling: number, now: () => number = () => performance.now()): RateBudget {
  let state = freshRate(ceiling, now());
  return {
    block: 1,
    async take(want) {
      const r = takeTokens(state, want, ceiling, now());
      state = r.state;
      return { granted: r.granted, waitMs: r.waitMs };
    },
    async throttled(retryAfterMs) {
      state = cutRate(state, ceiling, now(), retryAfterMs);
    },
    async currentRate() {
      return refillRate(state, ceiling, now()).rate;
    },
  };
}

/**
 * The account's bucket in the state store, shared by every process that mounts it. Wall-clock
 * times: instances on different machines compare them, so their skew (NTP: milliseconds) only
 * blurs the refill slightly.
 */
export function sharedRateBudget(state: StateStore, ceiling: number, now: () => number = Date.now): RateBudget {
  const block = Math.max(1, Math.ceil(ceiling / 10));
  return {
    block,
    async take(want) {
      let granted = 0;
      let waitMs = 0;
      await state.update<RateState>(RATE_BUDGET_KEY, (current) => {
        const r = takeTokens(current ?? freshRate(ceiling, now()), want, ceiling, now());
        granted = r.granted;
        waitMs = r.waitMs;
        // Nothing taken, nothing to write: the refill is recomputed from the stored record next time.
        return r.granted > 0 || current === undefined ? r.state : undefined;
      }, { durable: false });
      return { granted, waitMs };
    },
    async throttled(retryAfterMs) {
      await state.update<RateState>(RATE_BUDGET_KEY, (current) => cutRate(current ?? freshRate(ceiling, now()), ceiling, now(), retryAfterMs), { durable: false });
    },
    async currentRate() {
      const current = await state.get<RateState>(RATE_BUDGET_KEY);
      return current ? refillRate(current, ceiling, now()).rate : ceiling;
    },
  };
}

/**
 * Whether a failed request was RAM's flow control: a RamError (`Throttling.User`, SCIM 429) or the
 * SDK's error before translation (a `ThrottlingError`, code containing "Throttling"). Read
 * structurally; answers the Retry-After in ms when there is one.
 */
export function throttlingOf(error: unknown): { retryAfterMs?: number } | undefined {
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown; retryAfterMs?: unknown; retryAfter?: unknown } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (!/throttl/i.test(code) && status !== 429) return undefined;
  const hint = typeof e.retryAfterMs === 'number' ? e.retryAfterMs : typeof e.retryAfter === 'number' ? e.retryAfter : undefined;
  return hint !== undefined && hint >= 0 ? { retryAfterMs: hint } : {};
}
