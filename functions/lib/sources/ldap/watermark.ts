/**
 * The CSN watermark and the decision it drives: nothing changed, poll incrementally, or resync
 * everything. Pure: the poller reads the server's state, asks `planPoll`, and stores
 * `nextWatermark` only after every change of the poll is enqueued (a crash repeats, never skips).
 *
 * Which server a watermark belongs to: the suffix entry's `entryUUID` (a different database, even one
 * with the same suffix, has another), the SIDs in its `contextCSN` (each provider's CSN only grows;
 * one that went back is a restore from backup), and in accesslog mode the last record processed,
 * by its reqStart and its own entryUUID (each server keeps its own log; a replica's log is not the
 * provider's): checked by the poll when it reads the log (CsnPoller, accesslog.ts).
 */

import type { LogPosition } from './accesslog';

/** What is stored between polls. */
export interface CsnWatermark {
  v: 1;
  /** The naming context the base DN is in (its suffix entry carries contextCSN). */
  suffix: string;
  suffixUuid: string;
  /** The suffix's contextCSN values, sorted, read *before* the poll's searches. */
  contextCsn: string[];
  /** The base DN and filters the watermark was taken under: a new scope needs a full resync. */
  scope: string;
  /** How deletions were detected; another mode has no record to continue from. */
  deletes: DeletionMode;
  /** accesslog mode: the newest record processed and those handled just before it (accesslog.ts). */
  accesslog?: LogPosition;
  savedAt: string;
}

export type DeletionMode = 'accesslog' | 'listing';

/** The server as read at the start of a poll. */
export interface ServerState {
  suffix: string;
  suffixUuid: string;
  contextCsn: string[];
}

export type FullResyncReason =
  | 'first-poll' | 'watermark-unreadable' | 'server-changed' | 'csn-went-back' | 'scope-changed'
  | 'deletion-mode-changed' | 'accesslog-changed' | 'accesslog-gap' | 'accesslog-incomplete' | 'listing-missing';

export type PollPlan =
  | { mode: 'unchanged' }
  | { mode: 'incremental'; fromCsn: string; log?: LogPosition }
  | { mode: 'full'; reason: FullResyncReason };

/** `20261205235541.436142Z#000000#000#000000`: time#count#SID#mod, fixed width, so text order is CSN order. */
const CSN = /^(\d{14})\.\d{6}Z#[0-9a-f]{6}#([0-9a-f]{3})#[0-9a-f]{6}$/i;

/**
 * @example
 * planPoll(await state.get('ldap/watermark'), server, scopeKey(...), 'accesslog')
 * // { mode: 'incremental', fromCsn: '20261205235541.436142Z#000000#000#000000', reqStart: '20261205235541.000001Z' }
 */
export function planPoll(saved: CsnWatermark | undefined, server: ServerState, scope: string, deletes: DeletionMode): PollPlan {
  const full = (reason: FullResyncReason): PollPlan => ({ mode: 'full', reason });
  if (saved === undefined) return full('first-poll');
  if (saved.v !== 1 || !Array.isArray(saved.contextCsn) || saved.contextCsn.length === 0 || !saved.contextCsn.every(isCsn)) {
    return full('watermark-unreadable');
  }
  if (saved.suffixUuid.toLowerCase() !== server.suffixUuid.toLowerCase() || normalizeDn(saved.suffix) !== normalizeDn(server.suffix)) {
    return full('server-changed');
  }
  if (csnWentBack(saved.contextCsn, server.contextCsn)) return full('csn-went-back');
  if (saved.scope !== scope) return full('scope-changed');
  if (saved.deletes !== deletes) return full('deletion-mode-changed');
  if (sameSet(saved.contextCsn, server.contextCsn)) return { mode: 'unchanged' };
  // The lowest of the stored values: entries any provider wrote since the last poll are at or above it.
  return { mode: 'incremental', fromCsn: [...saved.contextCsn].sort()[0]!, log: saved.accesslog };
}

/** The record to store once every change up to `server.contextCsn` has been enqueued. */
export function nextWatermark(
  server: ServerState, scope: string, deletes: DeletionMode, log: LogPosition | undefined, now: Date,
): CsnWatermark {
  return {
    v: 1, suffix: server.suffix, suffixUuid: server.suffixUuid, contextCsn: [...server.contextCsn].sort(), scope, deletes,
    accesslog: deletes === 'accesslog' && log ? { reqStart: log.reqStart, id: log.id, recent: log.recent } : undefined,
    savedAt: now.toISOString(),
  };
}

/** The scope key stored with a watermark: base DN and both filters, as configured. */
export function scopeKey(baseDn: string, userFilter: string, groupFilter: string): string {
  return JSON.stringify([normalizeDn(baseDn), userFilter, groupFilter]);
}

export function isCsn(value: unknown): value is string {
  return typeof value === 'string' && CSN.test(value);
}

/** The provider SID a CSN was issued by. */
export function sidOf(csn: string): string {
  return csn.split('#')[2]!.toLowerCase();
}

/**
 * A provider's CSN lower than stored (the database was restored), or a provider the stored value
 * knew that the server no longer names (another server with the same suffix), means the stored
 * watermark describes another history.
 */
export function csnWentBack(saved: readonly string[], current: readonly string[]): boolean {
  const now = new Map(current.map((csn) => [sidOf(csn), csn]));
  return saved.some((csn) => {
    const latest = now.get(sidOf(csn));
    return latest === undefined || latest < csn;
  });
}

/** DNs compared as the operator and the server may spell them: case and spaces around separators aside. */
export function normalizeDn(dn: string): string {
  return dn.trim().replace(/\s*([,=+])\s*/g, '$1').toLowerCase();
}

/** Whether `dn` is `base` or below it. */
export function isUnder(dn: string, base: string): boolean {
  const d = normalizeDn(dn);
  const b = normalizeDn(base);
  return d === b || d.endsWith(`,${b}`);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
