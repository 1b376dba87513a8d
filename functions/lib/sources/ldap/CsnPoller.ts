/**
 * One timed poll of an OpenLDAP server (idp.md §3.6): what changed since the stored CSN watermark,
 * published as Changes for push, which re-reads each named entity through LdapSource (scope applies
 * there). The steps:
 *
 * 1. Gate: the suffix's contextCSN (one base search). The same value set as stored: nothing was
 *    written, stop.
 * 2. Changes: users and groups under the base DN with `entryCSN>=W`, where W is the contextCSN read
 *    *before* the previous poll's searches (entryCSNs are issued before commit, so the highest one
 *    seen may have overtaken a write still in flight; contextCSN has not).
 * 3. Deletions and moves out of scope, which no entryCSN search can see: the accesslog's delete,
 *    modrdn and modify records under the base (accesslog mode), or a listing of the entryUUIDs in
 *    scope diffed against the last one (listing mode).
 * 4. Membership: each changed group's members (resolved to entryUUIDs) against its snapshot, so
 *    who joined and who left are both named.
 * 5. Publish, then save snapshots, listing and watermark: a crash in between repeats, never skips.
 *
 * A watermark from another server or history (another suffix entryUUID, a provider's CSN lower than
 * stored, another accesslog, a log purged past the stored record) or none at all: a full resync,
 * which the caller runs as a full sync of the ldap source under the deletion safeguard.
 */
import type { Client, Entry } from 'ldapts';
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import type { Change, ChangeKind } from '../../core/model';
import type { ChangeQueue, StateStore } from '../../core/ports';
import {
  accesslogReadable, type AccesslogRecord, advance, DEFAULT_ACCESSLOG_BASE, LATE_RECORD_MARGIN_S, type LogPosition, logPosition, readAccesslog, secondsBefore,
} from './accesslog';
import type { LdapSourceConfig } from './config';
import { openLdapClient } from './connection';
import {
  entryUuidOf, escapeFilterValue, LdapPollError, packUuids, readEntry, searchAll, unpackUuids, type UuidListing, values,
} from './entryListing';
import { GroupSnapshots, MEMBER_ATTRIBUTES, memberChanges, memberReferences, resolveMembers, snapshotOf } from './groupSnapshots';
import {
  type CsnWatermark, type DeletionMode, type FullResyncReason, isCsn, isUnder, nextWatermark, normalizeDn, planPoll,
  scopeKey, type ServerState,
} from './watermark';

/** Where the poller keeps its records: `<prefix>watermark`, `<prefix>listing`, `<prefix>groups/<entryUUID>`. */
export const DEFAULT_STATE_PREFIX = 'ldap/';

export const DELETE_DETECTION = ['auto', 'accesslog', 'listing'] as const;
export type DeleteDetection = (typeof DELETE_DETECTION)[number];

/** The poll's own settings (the connection and scope are the source's, config.ts). */
export interface LdapPollSettings {
  /** LDAP_DELETE_DETECTION: auto (accesslog when readable, else listing), accesslog, listing. */
  deletes: DeleteDetection;
  /** LDAP_ACCESSLOG_BASE: the accesslog database's suffix, default cn=accesslog. */
  accesslogBase: string;
}

export function parseLdapPollSettings(env: Env): LdapPollSettings {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const deletes = read.oneOf('LDAP_DELETE_DETECTION', DELETE_DETECTION, 'auto');
  const accesslogBase = read.text('LDAP_ACCESSLOG_BASE') ?? DEFAULT_ACCESSLOG_BASE;
  if (!/^[A-Za-z][\w-]*=[^,]+(,[A-Za-z][\w-]*=[^,]+)*$/.test(accesslogBase)) {
    problems.add({ variable: 'LDAP_ACCESSLOG_BASE', problem: 'must be a DN such as cn=accesslog' });
  }
  problems.throwIfAny();
  return { deletes, accesslogBase };
}

export interface CsnPollerOptions {
  config: LdapSourceConfig;
  settings?: Partial<LdapPollSettings>;
  state: StateStore;
  queue: ChangeQueue;
  /**
   * Run on a full resync instead of publishing every entry in scope: a full sync also removes who
   * was deleted while deletions could not be seen. Its failure keeps the old watermark.
   */
  fullResync?: (reason: FullResyncReason) => Promise<void>;
  statePrefix?: string;
  now?: () => Date;
  /** Opens a bound client; tests may wrap it. */
  open?: (config: LdapSourceConfig) => Promise<Client>;
}

export interface LdapPollReport {
  mode: 'unchanged' | 'incremental' | 'full';
  /** How deletions were detected (unset on a gate hit: nothing was asked). */
  deletes?: DeletionMode;
  /** The contextCSN was the stored one: one search, nothing else. */
  gateHit: boolean;
  fullResyncReason?: FullResyncReason;
  /** Directory and accesslog entries the searches returned (the cost of the poll). */
  entriesRead: number;
  /** Changes published (a full resync handed to `fullResync` publishes none). */
  changes: number;
  /** Of those, people and groups named because they were deleted or left the scope. */
  gone: number;
}

/** The poll falls back to a full resync from inside a step. */
class Resync {
  constructor(readonly reason: FullResyncReason) {}
}

export class CsnPoller {
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly open: (config: LdapSourceConfig) => Promise<Client>;
  private readonly settings: LdapPollSettings;

  constructor(private readonly options: CsnPollerOptions) {
    this.prefix = options.statePrefix ?? DEFAULT_STATE_PREFIX;
    this.now = options.now ?? (() => new Date());
    this.open = options.open ?? openLdapClient;
    this.settings = { deletes: 'auto', accesslogBase: DEFAULT_ACCESSLOG_BASE, ...options.settings };
  }

  async poll(): Promise<LdapPollReport> {
    const { config, state } = this.options;
    const client = await this.open(config);
    try {
      const watermarkKey = `${this.prefix}watermark`;
      const saved = await state.get<CsnWatermark>(watermarkKey);
      const scope = scopeKey(config.baseDn, config.userFilter, config.groupFilter);
      const server = await this.readServer(client, saved?.suffix);
      if (gateHolds(saved, server, scope, this.settings.deletes)) return { mode: 'unchanged', gateHit: true, entriesRead: 0, changes: 0, gone: 0 };

      const deletes = await this.deletionMode(client);
      const plan = planPoll(saved, server, scope, deletes);
      if (plan.mode === 'unchanged') return { mode: 'unchanged', deletes, gateHit: true, entriesRead: 0, changes: 0, gone: 0 };
      let outcome: { changes: Change[]; gone: number; entriesRead: number; log?: LogPosition; listing?: string[]; snapshots: GroupSnapshots };
      let reason: FullResyncReason | undefined = plan.mode === 'full' ? plan.reason : undefined;
      if (plan.mode === 'incremental') {
        const done = await this.incremental(client, server, plan.fromCsn, deletes, plan.log);
        if (done instanceof Resync) reason = done.reason;
        else outcome = done;
      }
      if (reason !== undefined) outcome = await this.full(client, server, deletes);

      const published = outcome!.changes;
      if (published.length > 0) await this.options.queue.publish(published);
      if (reason !== undefined && this.options.fullResync) await this.options.fullResync(reason);
      // Only now: every change up to the contextCSN read first is durably queued (or applied by the resync).
      await outcome!.snapshots.save();
      if (outcome!.listing) await state.put<UuidListing>(`${this.prefix}listing`, { v: 1, users: packUuids(outcome!.listing) });
      await state.put(watermarkKey, nextWatermark(server, scope, deletes, outcome!.log, this.now()));
      return {
        mode: reason !== undefined ? 'full' : 'incremental',
        deletes, gateHit: false, fullResyncReason: reason,
        entriesRead: outcome!.entriesRead, changes: published.length, gone: outcome!.gone,
      };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  /** The suffix entry (at the stored naming context, or found from the rootDSE): its entryUUID and contextCSN. */
  private async readServer(client: Client, storedSuffix: string | undefined): Promise<ServerState> {
    const read = (suffix: string) => readEntry(client, 'reading the suffix\'s contextCSN', suffix, ['contextCSN', 'entryUUID']);
    let suffix = storedSuffix && isUnder(this.options.config.baseDn, storedSuffix) ? storedSuffix : undefined;
    let entry = suffix ? await read(suffix) : undefined;
    if (!entry) {
      suffix = await this.namingContext(client);
      entry = await read(suffix);
    }
    const [uuid] = entry ? values(entry, 'entryUUID') : [];
    if (!entry || !uuid) throw new LdapPollError('no-naming-context', `LDAP poll: the suffix entry of LDAP_BASE_DN's naming context is not readable`);
    const contextCsn = values(entry, 'contextCSN').filter(isCsn).sort();
    if (contextCsn.length === 0) {
      throw new LdapPollError('no-context-csn', 'LDAP poll: the suffix has no contextCSN, so changes cannot be found incrementally (is syncprov loaded on the database?)');
    }
    return { suffix: suffix!, suffixUuid: uuid.toLowerCase(), contextCsn };
  }

  /** The longest of the rootDSE's namingContexts that LDAP_BASE_DN is in. */
  private async namingContext(client: Client): Promise<string> {
    const root = await readEntry(client, 'reading the rootDSE', '', ['namingContexts']);
    const found = (root ? values(root, 'namingContexts') : [])
      .filter((nc) => nc !== '' && isUnder(this.options.config.baseDn, nc))
      .sort((a, b) => b.length - a.length)[0];
    if (!found) throw new LdapPollError('no-naming-context', 'LDAP poll: LDAP_BASE_DN is in none of the server\'s naming contexts');
    return found;
  }

  private async deletionMode(client: Client): Promise<DeletionMode> {
    const configured = this.settings.deletes;
    if (configured === 'listing') return 'listing';
    if (await accesslogReadable(client, this.settings.accesslogBase)) return 'accesslog';
    if (configured === 'accesslog') {
      throw new LdapPollError('accesslog-unreadable', 'LDAP poll: LDAP_DELETE_DETECTION=accesslog, but the accesslog (LDAP_ACCESSLOG_BASE) is absent or not readable by LDAP_BIND_DN');
    }
    return 'listing';
  }

  private async incremental(client: Client, server: ServerState, fromCsn: string, deletes: DeletionMode, log: LogPosition | undefined) {
    const { config, state } = this.options;
    const changes = new ChangeSet();
    const snapshots = new GroupSnapshots(state, `${this.prefix}groups/`);
    let entriesRead = 0;
    let gone = 0;

    // Deletion evidence first, so a gap is found before anything else is read.
    let records: AccesslogRecord[] = [];
    let previousListing: Set<string> | undefined;
    if (deletes === 'accesslog') {
      if (!log) return new Resync('accesslog-gap');
      const read = await readAccesslog(client, this.settings.accesslogBase, secondsBefore(log.reqStart, LATE_RECORD_MARGIN_S), config.pageSize);
      entriesRead += read.length;
      // The record read last time is still there only if logpurge has not passed it; another
      // server's log (or a restored one) has no record of that entryUUID at that time.
      const last = read.find((r) => r.reqStart === log.reqStart);
      if (!last) return new Resync('accesslog-gap');
      if (last.id !== log.id) return new Resync('accesslog-changed');
      // What the last poll handled is skipped; a record behind the position it had not seen was logged late.
      const handled = new Set([...(log.recent ?? []), log.reqStart]);
      records = read.filter((r) => !handled.has(r.reqStart));
      if (records.some((r) => r.operation === 'delete' && !r.entryUuid && isUnder(r.reqDN, config.baseDn))) return new Resync('accesslog-incomplete');
    } else {
      const stored = await state.get<UuidListing>(`${this.prefix}listing`);
      if (stored?.v !== 1 || typeof stored.users !== 'string') return new Resync('listing-missing');
      previousListing = unpackUuids(stored.users);
    }

    // Above W, not at it: the write that made W the contextCSN had committed before the last poll
    // searched, so that search saw it (>= would name its entry again on every poll).
    const after = `(entryCSN>=${escapeFilterValue(fromCsn)})(!(entryCSN=${escapeFilterValue(fromCsn)}))`;
    const users = await searchAll(client, 'searching changed users', config.baseDn, {
      filter: `(&${config.userFilter}${after})`, attributes: ['entryUUID'], pageSize: config.pageSize,
    });
    const groups = await searchAll(client, 'searching changed groups', config.baseDn, {
      filter: `(&${config.groupFilter}${after})`, attributes: ['entryUUID', ...MEMBER_ATTRIBUTES], pageSize: config.pageSize,
    });
    entriesRead += users.length + groups.length;
    const seen = new Set<string>();
    for (const entry of users) {
      const id = entryUuidOf(entry);
      seen.add(id);
      changes.add('user', id, 'csn');
    }
    for (const group of groups) {
      const id = entryUuidOf(group);
      seen.add(id);
      changes.add('group', id, 'csn');
      await this.compareGroup(client, server, snapshots, changes, id, group);
    }
    if (config.departments !== 'groups') {
      const ous = await searchAll(client, 'searching changed OUs', config.baseDn, {
        filter: `(&(objectClass=organizationalUnit)${after})`, attributes: ['entryUUID'], pageSize: config.pageSize,
      });
      entriesRead += ous.length;
      for (const ou of ous) {
        const id = entryUuidOf(ou);
        seen.add(id);
        changes.add('group', id, 'csn');
      }
    }

    // Who left: named by the log, or missing from the listing. Each is re-read by push, so naming
    // someone still in scope costs a read and nothing more.
    const left = new Map<string, string>();
    let listing: string[] | undefined;
    if (deletes === 'accesslog') {
      for (const r of records) {
        if (r.operation === 'add' || !r.entryUuid || seen.has(r.entryUuid) || !isUnder(r.reqDN, config.baseDn)) continue;
        left.set(r.entryUuid, r.operation === 'delete' ? 'deleted' : r.operation === 'modrdn' ? 'moved' : 'left-filter');
      }
    } else {
      const now = await searchAll(client, 'listing users in scope', config.baseDn, { filter: config.userFilter, attributes: ['entryUUID'], pageSize: config.pageSize });
      const nowGroups = await searchAll(client, 'listing groups in scope', config.baseDn, { filter: config.groupFilter, attributes: ['entryUUID'], pageSize: config.pageSize });
      entriesRead += now.length + nowGroups.length;
      listing = now.map(entryUuidOf);
      const present = new Set([...listing, ...nowGroups.map(entryUuidOf)]);
      for (const id of previousListing!) if (!present.has(id)) left.set(id, 'gone');
      for (const id of listing) if (!previousListing!.has(id) && !seen.has(id)) changes.add('user', id, 'appeared');
      for (const key of await state.list(`${this.prefix}groups/`)) {
        const id = key.slice(`${this.prefix}groups/`.length);
        if (!present.has(id)) left.set(id, 'gone');
      }
    }
    const stillGroups = await this.groupsInScope(client, await this.knownGroups(snapshots, [...left.keys()]));
    for (const [id, why] of left) {
      const previous = await snapshots.get(id);
      if (previous) {
        if (stillGroups.has(id)) continue;
        changes.add('group', id, why);
        for (const c of memberChanges(previous, undefined)) changes.add('user', c.sourceId, c.reason);
        snapshots.set(id, undefined);
      } else {
        changes.add('user', id, why);
      }
      gone++;
    }
    return { changes: changes.list(), gone, entriesRead, log: log && advance(log, records), listing, snapshots };
  }

  /** A full resync: every group's snapshot renewed, the listing (listing mode) and the log position (accesslog mode) taken. */
  private async full(client: Client, server: ServerState, deletes: DeletionMode) {
    const { config, state } = this.options;
    const changes = new ChangeSet();
    const snapshots = new GroupSnapshots(state, `${this.prefix}groups/`);
    // Read first: records written during the resync are read again by the next poll.
    const log = deletes === 'accesslog' ? await logPosition(client, this.settings.accesslogBase, server.contextCsn, config.pageSize) : undefined;
    const users = await searchAll(client, 'listing users in scope', config.baseDn, { filter: config.userFilter, attributes: ['entryUUID'], pageSize: config.pageSize });
    const groups = await searchAll(client, 'listing groups in scope', config.baseDn, {
      filter: config.groupFilter, attributes: ['entryUUID', ...MEMBER_ATTRIBUTES], pageSize: config.pageSize,
    });
    const seen = new Set<string>();
    for (const group of groups) {
      const id = entryUuidOf(group);
      seen.add(id);
      snapshots.set(id, snapshotOf(group.dn, await this.members(client, server, group)));
      if (!this.options.fullResync) changes.add('group', id, 'full-resync');
    }
    await snapshots.forgetAllBut(seen);
    const listing = users.map(entryUuidOf);
    if (!this.options.fullResync) for (const id of listing) changes.add('user', id, 'full-resync');
    return {
      changes: changes.list(), gone: 0, entriesRead: users.length + groups.length, log, snapshots,
      listing: deletes === 'listing' ? listing : undefined,
    };
  }

  private async compareGroup(client: Client, server: ServerState, snapshots: GroupSnapshots, changes: ChangeSet, id: string, group: Entry): Promise<void> {
    const current = snapshotOf(group.dn, await this.members(client, server, group));
    const previous = await snapshots.get(id);
    for (const c of memberChanges(previous, current)) changes.add('user', c.sourceId, c.reason);
    snapshots.set(id, current);
  }

  private members(client: Client, server: ServerState, group: Entry): Promise<string[]> {
    const { config } = this.options;
    return resolveMembers(client, memberReferences(group), { base: server.suffix, userFilter: config.userFilter, pageSize: config.pageSize });
  }

  private async knownGroups(snapshots: GroupSnapshots, ids: string[]): Promise<string[]> {
    const known: string[] = [];
    for (const id of ids) if (await snapshots.get(id)) known.push(id);
    return known;
  }

  /** Which of these groups are still under the base and match the group filter (a log record alone does not say). */
  private async groupsInScope(client: Client, ids: string[]): Promise<Set<string>> {
    const { config } = this.options;
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 100) {
      const any = ids.slice(i, i + 100).map((id) => `(entryUUID=${escapeFilterValue(id)})`).join('');
      const entries = await searchAll(client, 'checking groups in scope', config.baseDn, { filter: `(&${config.groupFilter}(|${any}))`, attributes: ['entryUUID'], pageSize: config.pageSize });
      for (const entry of entries) found.add(entryUuidOf(entry));
    }
    return found;
  }
}

/** Nothing written since the stored watermark, on the same server, for the same scope and mode. */
export function gateHolds(saved: CsnWatermark | undefined, server: ServerState, scope: string, configured: DeleteDetection): boolean {
  if (saved?.v !== 1 || !Array.isArray(saved.contextCsn) || typeof saved.suffixUuid !== 'string') return false;
  if (saved.suffixUuid.toLowerCase() !== server.suffixUuid || normalizeDn(saved.suffix) !== normalizeDn(server.suffix)) return false;
  if (saved.scope !== scope || (configured !== 'auto' && configured !== saved.deletes)) return false;
  const a = [...new Set(saved.contextCsn)].sort();
  const b = [...new Set(server.contextCsn)].sort();
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Changes keyed by kind and id: an entity named twice in one poll is published once, with its first reason. */
class ChangeSet {
  private readonly byKey = new Map<string, Change>();

  add(kind: ChangeKind, sourceId: string, reason: string): void {
    const key = `${kind}:${sourceId}`;
    if (!this.byKey.has(key)) this.byKey.set(key, { source: 'ldap', kind, sourceId, reason });
  }

  list(): Change[] {
    return [...this.byKey.values()];
  }
}
