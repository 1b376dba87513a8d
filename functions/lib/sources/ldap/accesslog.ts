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
 */
import type { Client } from 'ldapts';
import { escapeFilterValue, readEntry, searchAll, values } from './entryListing';

export const DEFAULT_ACCESSLOG_BASE = 'cn=accesslog';

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
    filter: writesSince(since), attributes: ['reqStart', 'reqDN', 'reqEntryUUID', 'objectClass'],
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

/** Where the log ends: its newest record at or after `since`, or undefined when there is none. */
export async function logPosition(client: Client, base: string, since: string, pageSize: number): Promise<LogPosition | undefined> {
  const last = (await readAccesslog(client, base, since, pageSize)).at(-1);
  return last && { reqStart: last.reqStart, id: last.id };
}

/** The newest record a poll processed. */
export interface LogPosition {
  reqStart: string;
  id: string;
}
