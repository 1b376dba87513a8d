/**
 * One timed poll of AD: which users and groups changed since the stored USN watermark, published
 * as Changes. Microsoft's algorithm ("Polling for Changes Using USNChanged"): read
 * highestCommittedUSN first, search `uSNChanged` in (watermark, highest], enqueue, and only then
 * store the new watermark, so a crash in between repeats changes and never skips them.
 *
 * Changes only *name* entities: the engine re-reads each one through AdSource, which applies the
 * operator's scope. So the poll searches the whole naming context (objects that moved out of the
 * base DN are re-read and found absent), tombstones (deletions) included, with the Show Deleted control.
 * Group membership is compared with the last snapshot of each group, so people who *left* a group
 * are named too (groupSnapshots.ts).
 */
import type { Client, Control, Entry, Filter, SearchOptions } from 'ldapts';
import type { Change, ChangeKind } from '../../core/model';
import type { ChangeQueue, StateStore } from '../../core/ports';
import type { AdSourceConfig } from './config';
import { assertTombstonesReadable, openAdClient, readDcState } from './connection';
import { extendedDnControl, showDeletedControl } from './controls';
import { AdSourceError } from './errors';
import { and, anyGuid, scopeFilters, usersAndGroups, usnRange } from './filters';
import { GroupSnapshots, memberChanges, snapshotOf } from './groupSnapshots';
import { BUFFER_ATTRIBUTES, entryGuid, extendedGuid } from './mapping';
import { attributeRequest, readAllValues } from './ranges';
import { type FullResyncReason, nextWatermark, planPoll, scopeKey, type UsnWatermark } from './watermark';

/** Where the poller keeps its records: `<prefix>watermark` and `<prefix>groups/<objectGUID>`. */
export const DEFAULT_STATE_PREFIX = 'ad/';

export interface UsnPollerOptions {
  config: AdSourceConfig;
  state: StateStore;
  queue: ChangeQueue;
  /**
   * Run on a full resync (first poll, another DC, a restored DC, a changed scope, a watermark past
   * the tombstone lifetime) instead of publishing every object in scope: a full sync also removes
   * what was deleted while deletions could not be seen. Its failure keeps the old watermark.
   */
  fullResync?: (reason: FullResyncReason) => Promise<void>;
  statePrefix?: string;
  now?: () => Date;
  /** Opens a bound client; tests may wrap it. */
  open?: (config: AdSourceConfig) => Promise<Client>;
}

export interface PollReport {
  mode: 'incremental' | 'full';
  /** Why everything was listed. */
  fullResyncReason?: FullResyncReason;
  fromUsn?: string;
  toUsn: string;
  /** Directory entries the searches returned (the cost of the poll). */
  entriesRead: number;
  /** Changes published (a full resync handed to `fullResync` publishes none). */
  changes: number;
}

export class UsnPoller {
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly open: (config: AdSourceConfig) => Promise<Client>;
  /** Parsed at the first search, so constructing the source does not load ldapts (see ldapts.ts). */
  private filters?: { user: Filter; group: Filter };

  constructor(private readonly options: UsnPollerOptions) {
    this.prefix = options.statePrefix ?? DEFAULT_STATE_PREFIX;
    this.now = options.now ?? (() => new Date());
    this.open = options.open ?? openAdClient;
  }

  private get scope(): { user: Filter; group: Filter } {
    this.filters ??= scopeFilters(this.options.config);
    return this.filters;
  }

  async poll(): Promise<PollReport> {
    const { config, state, queue } = this.options;
    const client = await this.open(config);
    try {
      const dc = await readDcState(client);
      await assertTombstonesReadable(client, dc.namingContext);
      const scope = scopeKey(config.baseDn, config.userFilter, config.groupFilter);
      const watermarkKey = `${this.prefix}watermark`;
      const plan = planPoll(await state.get<UsnWatermark>(watermarkKey), dc, scope, this.now());
      const snapshots = new GroupSnapshots(state, `${this.prefix}groups/`);
      const changes = new ChangeSet();
      const search = (base: string, filter: Filter, attributes: string[], ...controls: Control[]) =>
        this.searchAll(client, base, filter, attributes, controls);
      const member = attributeRequest('member', config.valueRangeStep);
      let entriesRead = 0;

      if (plan.mode === 'incremental') {
        // One search for live objects and tombstones alike (Show Deleted): Samba scans the whole
        // directory for a uSNChanged range (no range index), so a second search would double the poll.
        const range = usnRange(plan.fromUsn, plan.toUsn);
        // Nothing was written anywhere on this DC since the last poll: skip the search.
        const found = plan.fromUsn > plan.toUsn ? [] : await search(dc.namingContext, and(usersAndGroups(), range), ['objectGUID', 'objectClass', 'isDeleted', member], showDeletedControl(), extendedDnControl());
        const groups: Array<{ id: string; entry?: Entry }> = [];
        for (const entry of found) {
          entriesRead++;
          const id = entryGuid(entry);
          const kind = kindOf(entry);
          const deleted = String(entry.isDeleted).toUpperCase() === 'TRUE';
          changes.add(kind, id, deleted ? 'deleted' : 'usn');
          if (kind === 'group') groups.push({ id, entry: deleted ? undefined : entry });
        }
        // Only groups in scope have members worth naming: a changed group outside it matters only
        // if it just left (its snapshot names its former members, as for a deleted group).
        const inScope = await this.groupsInScope(client, groups.filter((g) => g.entry).map((g) => g.id));
        for (const { id, entry } of groups) {
          const current = entry && inScope.has(id) ? snapshotOf(entry.dn, await this.members(client, entry)) : undefined;
          const previous = await snapshots.get(id);
          if (!previous && !current) continue;
          for (const c of memberChanges(previous, current)) changes.add('user', c.sourceId, c.reason);
          snapshots.set(id, current);
        }
      } else {
        const upTo = usnRange(0n, plan.toUsn);
        const users = await search(config.baseDn, and(this.scope.user, upTo), ['objectGUID']);
        const groups = await search(config.baseDn, and(this.scope.group, upTo), ['objectGUID', member], extendedDnControl());
        entriesRead = users.length + groups.length;
        const seen = new Set<string>();
        for (const entry of groups) {
          const id = entryGuid(entry);
          seen.add(id);
          snapshots.set(id, snapshotOf(entry.dn, await this.members(client, entry)));
          if (!this.options.fullResync) changes.add('group', id, 'full-resync');
        }
        await snapshots.forgetAllBut(seen);
        if (!this.options.fullResync) for (const entry of users) changes.add('user', entryGuid(entry), 'full-resync');
      }

      const published = changes.list();
      if (published.length > 0) await queue.publish(published);
      if (plan.mode === 'full' && this.options.fullResync) await this.options.fullResync(plan.reason);
      // Only now: every change up to toUsn is durably queued (or applied by the full resync).
      await snapshots.save();
      await state.put(watermarkKey, nextWatermark(dc, scope, this.now()));
      return {
        mode: plan.mode, fullResyncReason: plan.mode === 'full' ? plan.reason : undefined,
        fromUsn: plan.mode === 'incremental' ? plan.fromUsn.toString() : undefined, toUsn: plan.toUsn.toString(),
        entriesRead, changes: published.length,
      };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  /** Which of these groups are under AD_BASE_DN and match AD_GROUP_FILTER (searched by GUID, 100 at a time). */
  private async groupsInScope(client: Client, ids: string[]): Promise<Set<string>> {
    const { config } = this.options;
    const inScope = new Set<string>();
    for (let i = 0; i < ids.length; i += 100) {
      const filter = and(this.scope.group, anyGuid(ids.slice(i, i + 100)));
      for (const entry of await this.searchAll(client, config.baseDn, filter, ['objectGUID'], [])) inScope.add(entryGuid(entry));
    }
    return inScope;
  }

  /** A group's member GUIDs; `member` of a large group arrives in ranges (AD's MaxValRange, 1500). */
  private async members(client: Client, group: Entry): Promise<string[]> {
    const values = await readAllValues(client, group, 'member', { controls: [extendedDnControl()], step: this.options.config.valueRangeStep });
    return values.map(extendedGuid).filter((id): id is string => id !== undefined);
  }

  private async searchAll(client: Client, base: string, filter: Filter, attributes: string[], controls: Control[]): Promise<Entry[]> {
    const options: SearchOptions = {
      scope: 'sub', filter, attributes, explicitBufferAttributes: BUFFER_ATTRIBUTES, paged: { pageSize: this.options.config.pageSize },
    };
    const entries: Entry[] = [];
    try {
      for await (const page of client.searchPaginated(base, options, controls.length ? controls : undefined)) entries.push(...page.searchEntries);
    } catch (error) {
      throw new AdSourceError('ldap', `AD poll search failed: ${error instanceof Error ? error.name : 'unknown error'}`, { cause: error });
    }
    return entries;
  }
}

function kindOf(entry: Entry): ChangeKind {
  return [entry.objectClass].flat().some((c) => String(c).toLowerCase() === 'group') ? 'group' : 'user';
}

/** Changes keyed by kind and id: an entity named twice in one poll is published once, with its first reason. */
class ChangeSet {
  private readonly byKey = new Map<string, Change>();

  add(kind: ChangeKind, sourceId: string, reason: string): void {
    const key = `${kind}:${sourceId}`;
    if (!this.byKey.has(key)) this.byKey.set(key, { source: 'ad', kind, sourceId, reason });
  }

  list(): Change[] {
    return [...this.byKey.values()];
  }
}
