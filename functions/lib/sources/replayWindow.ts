/**
 * The replay window every webhook applies to a signed request's timestamp: older or newer than
 * `maxAgeSeconds` is refused (401), so a captured callback cannot be replayed for long. Checked
 * after the signature, which covers the timestamp, so a forger cannot probe the clock.
 *
 * DingTalk signs milliseconds, WeCom and Lark seconds; the two are told apart by size (10^11 s is
 * the year 5138), so a vendor switching units cannot lock every event out.
 */
import type { EnvReader } from '../core/config';

/**
 * Five minutes, for DingTalk and WeCom (`WEBHOOK_MAX_AGE_SECONDS`) as for Lark (`LARK_MAX_AGE_SECONDS`):
 * - WeCom re-sends the same request only after a timeout, 3 times at 5 s each (reference/webhooks.md
 *   §3.1, doc 90930 §3.2), so its last retry is about 20 s old;
 * - DingTalk does not re-push a failed callback that we know of (its retry schedule is unconfirmed,
 *   §1.3): it keeps it for `get_call_back_failed_result`, which `dingtalk-poll` reads, so a stale push
 *   refused here is still delivered, by the list;
 * - Lark's retries (15 s, 5 min, 1 h, 6 h) are new, freshly signed requests;
 * - five minutes is the age the reference recommends (§5.5) and leaves room for clock skew.
 */
export const DEFAULT_MAX_AGE_SECONDS = 300;
const MAX_AGE_LIMIT_SECONDS = 86_400;

/**
 * Whether a signed timestamp (decimal seconds or milliseconds since the epoch) is within
 * `maxAgeSeconds` of `nowMs`, either way.
 *
 * @example
 * withinReplayWindow('1700000000', 300, Date.parse('2023-11-14T22:15:00Z')) // true: 133 s late
 */
export function withinReplayWindow(timestamp: string, maxAgeSeconds: number, nowMs: number): boolean {
  if (!/^\d{1,13}$/.test(timestamp)) return false;
  const value = Number(timestamp);
  const seconds = value >= 1e11 ? value / 1000 : value;
  return Math.abs(nowMs / 1000 - seconds) <= maxAgeSeconds;
}

/** The window from `variable` (whole seconds, 1 to 86,400), or the default when unset or blank. */
export function readMaxAgeSeconds(read: EnvReader, variable: string): number {
  return read.integer(variable, { fallback: DEFAULT_MAX_AGE_SECONDS, min: 1, max: MAX_AGE_LIMIT_SECONDS, unit: 'seconds' });
}
