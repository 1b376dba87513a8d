/**
 * Reading slapd's accesslog overlay (slapo-accesslog(5)): every successful write to the data
 * database becomes an entry `reqStart=<time>,cn=accesslog` naming the target (`reqDN`) and, since
 * 2.4, its `reqEntryUUID`. That is how deletions and moves out of scope are seen without listing
 * the directory.
 *
 * Coverage: the poll re-reads from the newest `reqStart` it processed, with `>=`. That record is
 * only gone if `logpurge` removed it, and purging removes the oldest first, so if it is still there
 * nothing after it was purged. If it is gone, deletions may have been lost: the poll cannot prove
 * coverage and resyncs instead. The record's own entryUUID, stored with its reqStart, says it is the
 * same record of the same log (the log's root entry has no entryUUID: slapd creates it internally).
 *
 * Late records: a record is written when its operation ends but named by when it started, so a slow
 * write can appear *behind* a record already read. Each read therefore starts LATE_RECORD_MARGIN_S
 * before the stored position and skips the records it had already handled there (kept with the
 * position); a write that takes longer than that from start to end could still be missed.
 */
import type { Client } from 'ldapts';
import { escapeFilterValue, readEntry, searchAll, values } from './entryListing';

export const DEFAULT_ACCESSLOG_BASE = 'cn=accesslog';

/** How far behind the stored position each read starts (see the header). */
export const LATE_RECORD_MARGIN_S = 60;

export type AccesslogOperation = 'add' | 'delete' | 'modify' | 'modrdn';

export interface AccesslogRecord {
  reqStart: string;
  /** The log entry's own entryUUID. */
  id: string;
  operation: AccesslogOperation;
  /** The DN the operation targeted (before the rename, for modrdn). */
  reqDN: string;
  /** Absent on deletes of entries outside `logold`'s filter (the logold gotcha, README). */
  entryUuid?: string;
}

const OPERATION_BY_CLASS: Record<string, AccesslogOperation> = {
  auditadd: 'add', auditdelete: 'delete', auditmodify: 'modify', auditmodrdn: 'modrdn',
};

/** The records the poll reads; the coverage check looks for the newest one processed among them. */
function writesSince(since: string): string {
  return `(&(|(objectClass=auditAdd)(objectClass=auditDelete)(objectClass=auditModify)(objectClass=auditModRDN))(reqResult=0)(reqStart>=${escapeFilterValue(since)}))`;
}

/** Whether the log's root entry is there and readable by the bind account. */
export async function accesslogReadable(client: Client, base: string): Promise<boolean> {
  const root = await readEntry(client, 'reading the accesslog root', base, ['objectClass']);
  return root !== undefined && values(root, 'objectClass').some((c) => c.toLowerCase() === 'auditcontainer');
}

/** Successful writes logged at or after `since`, oldest first. */
export async function readAccesslog(client: Client, base: string, since: string, pageSize: number): Promise<AccesslogRecord[]> {
  const entries = await searchAll(client, 'reading the accesslog', base, {
    scope: 'one', pageSize,
    filter: writesSince(since), attributes: ['reqStart', 'reqDN', 'reqEntryUUID', 'objectClass', 'entryUUID'],
  });
  const records: AccesslogRecord[] = [];
  for (const entry of entries) {
    const [reqStart] = values(entry, 'reqStart');
    const operation = values(entry, 'objectClass').map((c) => OPERATION_BY_CLASS[c.toLowerCase()]).find(Boolean);
    if (!reqStart || !operation) continue;
    const [uuid] = values(entry, 'reqEntryUUID');
    const [id] = values(entry, 'entryUUID');
    records.push({ reqStart, id: id?.toLowerCase() ?? '', operation, reqDN: values(entry, 'reqDN')[0] ?? '', entryUuid: uuid?.toLowerCase() });
  }
  return records.sort((a, b) => (a.reqStart < b.reqStart ? -1 : a.reqStart > b.reqStart ? 1 : 0));
}

/**
 * Where the log stands at a contextCSN: the record of the write that made it (log records carry the
 * entryCSN of the write they record), found by an exact match, not by reading the log. Undefined
 * when the log no longer has it (purged) or never logged it.
 */
export async function logPosition(client: Client, base: string, contextCsn: readonly string[], pageSize: number): Promise<LogPosition | undefined> {
  const any = contextCsn.map((csn) => `(entryCSN=${escapeFilterValue(csn)})`).join('');
  const entries = await searchAll(client, 'finding the accesslog position', base, {
    scope: 'one', pageSize, filter: `(&(reqResult=0)(|${any}))`, attributes: ['reqStart', 'entryUUID'],
  });
  const newest = entries
    .map((e) => ({ reqStart: values(e, 'reqStart')[0] ?? '', id: (values(e, 'entryUUID')[0] ?? '').toLowerCase() }))
    .filter((p) => p.reqStart && p.id)
    .sort((a, b) => (a.reqStart < b.reqStart ? -1 : 1))
    .at(-1);
  if (!newest) return undefined;
  // What the full resync that takes this position covers: the records up to it within the margin.
  const before = await readAccesslog(client, base, secondsBefore(newest.reqStart, LATE_RECORD_MARGIN_S), pageSize);
  return { ...newest, recent: before.map((r) => r.reqStart).filter((t) => t < newest.reqStart) };
}

/** The newest record a poll processed, and the records it handled within the margin before it. */
export interface LogPosition {
  reqStart: string;
  id: string;
  /** reqStarts handled at or after `reqStart` minus the margin: the next read skips them. */
  recent: string[];
}

/** A generalizedTime (`YYYYmmddHHMMSS[.f]Z`) `seconds` earlier, as `YYYYmmddHHMMSS.000000Z`. */
export function secondsBefore(time: string, seconds: number): string {
  const at = Date.UTC(+time.slice(0, 4), +time.slice(4, 6) - 1, +time.slice(6, 8), +time.slice(8, 10), +time.slice(10, 12), +time.slice(12, 14));
  const t = new Date(at - seconds * 1000).toISOString();
  return `${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}.000000Z`;
}

/** The position after reading `records` (oldest first, the handled ones left out) from `previous`. */
export function advance(previous: LogPosition, records: readonly AccesslogRecord[]): LogPosition {
  const newest = records.reduce<{ reqStart: string; id: string }>((a, r) => (r.reqStart > a.reqStart ? r : a), previous);
  const from = secondsBefore(newest.reqStart, LATE_RECORD_MARGIN_S);
  const recent = new Set([...(previous.recent ?? []), previous.reqStart, ...records.map((r) => r.reqStart)].filter((t) => t >= from && t !== newest.reqStart));
  return { reqStart: newest.reqStart, id: newest.id, recent: [...recent].sort() };
}
