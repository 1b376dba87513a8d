/**
 * okta-poll's watermark and the decision it drives: poll incrementally from it, or resync
 * everything. Pure: the poller asks `planPoll`, and stores the next watermark only after every
 * change of the poll is enqueued (a crash then means a repeat, never a gap).
 *
 * Two positions move together: the users' `lastUpdated` (our clock at the start of the last poll;
 * the next poll re-reads from OKTA_POLL_OVERLAP_SECONDS before it, since Okta's filter index is
 * eventually consistent and clocks differ) and the System Log's `next` link (deletions and
 * membership changes, which lastUpdated never shows). The log keeps 90 days: an older position may
 * have lost deletions, so it means a full resync.
 */

export interface OktaWatermark {
  v: 1;
  /** The org and the department mode it was taken under: another org or mode needs a full resync. */
  scope: string;
  /** Our clock when the last successful poll started (ISO). */
  usersSince: string;
  /** The System Log polling request's `next` link after the last page read. */
  logNext: string;
  savedAt: string;
}

export type OktaResyncReason = 'first-poll' | 'scope-changed' | 'watermark-too-old' | 'watermark-unreadable' | 'log-position-refused';

export type OktaPollPlan =
  | { mode: 'incremental'; updatedAfter: Date; logNext: string }
  | { mode: 'full'; reason: OktaResyncReason };

const DAY_MS = 86_400_000;
/** The System Log's retention, less a day of margin for a poll that runs long. */
export const LOG_RETENTION_DAYS = 90;
const USABLE_FOR_MS = (LOG_RETENTION_DAYS - 1) * DAY_MS;

export function scopeKey(orgUrl: string, departments: string): string {
  return `${orgUrl.toLowerCase()} departments=${departments}`;
}

/**
 * @example
 * planPoll(await state.get('okta/watermark'), scopeKey(org, 'groups'), new Date(), 120)
 * // { mode: 'incremental', updatedAfter: <usersSince − 120 s>, logNext: 'https://acme.okta.com/api/v1/logs?…&after=…' }
 */
export function planPoll(saved: OktaWatermark | undefined, scope: string, now: Date, overlapSeconds: number): OktaPollPlan {
  const full = (reason: OktaResyncReason): OktaPollPlan => ({ mode: 'full', reason });
  if (saved === undefined) return full('first-poll');
  const since = Date.parse(saved.usersSince);
  const savedAt = Date.parse(saved.savedAt);
  if (saved.v !== 1 || Number.isNaN(since) || Number.isNaN(savedAt) || typeof saved.logNext !== 'string' || !saved.logNext) {
    return full('watermark-unreadable');
  }
  if (saved.scope !== scope) return full('scope-changed');
  if (now.getTime() - savedAt > USABLE_FOR_MS) return full('watermark-too-old');
  return { mode: 'incremental', updatedAfter: new Date(since - overlapSeconds * 1000), logNext: saved.logNext };
}
