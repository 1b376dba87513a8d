/**
 * The USN watermark and the decision it drives: poll incrementally from it, or resync everything.
 * Pure: the poller reads the DC's state, asks `planPoll`, and stores `nextWatermark` only after
 * every change of the poll is enqueued (a crash then means a repeat, never a gap).
 *
 * uSNChanged is per DC and not replicated, so a watermark is only meaningful on the same DC
 * (`dnsHostName`) with the same database (`invocationId` changes when a DC is restored).
 */

/** What is stored between polls (JSON: the USN is a decimal string, it is 64-bit). */
export interface UsnWatermark {
  v: 1;
  dnsHostName: string;
  invocationId: string;
  /** The DC's highestCommittedUSN read *before* the poll's searches. */
  usn: string;
  /** The base DN and filters the watermark was taken under: a new scope needs a full resync. */
  scope: string;
  savedAt: string;
}

/** The DC as read at the start of a poll. */
export interface DcState {
  dnsHostName: string;
  invocationId: string;
  highestCommittedUsn: bigint;
  /** Tombstones older than this are purged: a longer gap may have lost deletions. */
  tombstoneLifetimeDays: number;
}

export type FullResyncReason = 'first-poll' | 'dc-changed' | 'dc-restored' | 'scope-changed' | 'watermark-too-old' | 'usn-went-back' | 'watermark-unreadable';

export type PollPlan =
  | { mode: 'incremental'; fromUsn: bigint; toUsn: bigint }
  | { mode: 'full'; reason: FullResyncReason; toUsn: bigint };

const DAY_MS = 86_400_000;

/**
 * @example
 * const plan = planPoll(await state.get('ad/watermark'), dc, scopeKey, new Date());
 * // { mode: 'incremental', fromUsn: 4712n, toUsn: 4790n }
 */
export function planPoll(saved: UsnWatermark | undefined, dc: DcState, scope: string, now: Date): PollPlan {
  const toUsn = dc.highestCommittedUsn;
  const full = (reason: FullResyncReason): PollPlan => ({ mode: 'full', reason, toUsn });
  if (saved === undefined) return full('first-poll');
  const savedUsn = parseUsn(saved.usn);
  const savedAt = Date.parse(saved.savedAt);
  if (saved.v !== 1 || savedUsn === undefined || Number.isNaN(savedAt)) return full('watermark-unreadable');
  if (saved.dnsHostName.toLowerCase() !== dc.dnsHostName.toLowerCase()) return full('dc-changed');
  if (saved.invocationId.toLowerCase() !== dc.invocationId.toLowerCase()) return full('dc-restored');
  if (saved.scope !== scope) return full('scope-changed');
  if (now.getTime() - savedAt > dc.tombstoneLifetimeDays * DAY_MS) return full('watermark-too-old');
  if (savedUsn > toUsn) return full('usn-went-back');
  return { mode: 'incremental', fromUsn: savedUsn + 1n, toUsn };
}

/** The record to store once every change up to `dc.highestCommittedUsn` has been enqueued. */
export function nextWatermark(dc: DcState, scope: string, now: Date): UsnWatermark {
  return {
    v: 1, dnsHostName: dc.dnsHostName, invocationId: dc.invocationId, usn: dc.highestCommittedUsn.toString(), scope,
    savedAt: now.toISOString(),
  };
}

/** The scope key stored with a watermark: base DN and both filters, as configured. */
export function scopeKey(baseDn: string, userFilter: string, groupFilter: string): string {
  return JSON.stringify([baseDn.toLowerCase(), userFilter, groupFilter]);
}

function parseUsn(value: unknown): bigint | undefined {
  return typeof value === 'string' && /^\d{1,20}$/.test(value) ? BigInt(value) : undefined;
}
