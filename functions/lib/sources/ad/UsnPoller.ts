/**
 * One timed poll of AD: which users and groups changed since the stored USN watermark, published
 * as Changes. Microsoft's algorithm ("Polling for Changes Using USNChanged"): read
 * highestCommittedUSN first, search `uSNChanged` in (watermark, highest], enqueue, and only then
 * store the new watermark, so a crash in between repeats changes and never skips them.
 *
 * Changes only *name* entities: the engine re-reads each one through AdSource, which applies the
 * operator's scope. So the poll searches the whole naming context (objects that moved out of the
 * base DN are re-read and found absent) and tombstones (deletions) with the Show Deleted control.
 */
import type { Client, Control, Entry, Filter, SearchOptions } from 'ldapts';
import type { Change, ChangeKind } from '../../core/model';
import type { ChangeQueue, StateStore } from '../../core/ports';
import type { AdSourceConfig } from './config';
import { openAdClient, readDcState } from './connection';
import { ExtendedDnControl, showDeletedControl } from './controls';
import { AdSourceError } from './errors';
import { and, deletedUsersAndGroups, parseFilter, usersAndGroups, usnRange } from './filters';
import { BUFFER_ATTRIBUTES, entryGuid, extendedGuid } from './mapping';
import { type FullResyncReason, nextWatermark, planPoll, scopeKey, type UsnWatermark } from './watermark';

export const DEFAULT_WATERMARK_KEY = 'ad/watermark';

export interface UsnPollerOptions {
  config: AdSourceConfig;
  state: StateStore;
  queue: ChangeQueue;
  watermarkKey?: string;
  now?: () => Date;
  /** Opens a bound client; tests may wrap it. */
  open?: (config: AdSourceConfig) => Promise<Client>;
}

export interface PollReport {
  mode: 'incremental' | 'full';
  /** Why everything was listed; the caller should then run full-sync to drop what was not seen. */
  fullResyncReason?: FullResyncReason;
  fromUsn?: string;
  toUsn: string;
  /** Directory entries the searches returned (the cost of the poll). */
  entriesRead: number;
  changes: number;
}

export class UsnPoller {
  private readonly key: string;
  private readonly now: () => Date;
  private readonly open: (config: AdSourceConfig) => Promise<Client>;

  constructor(private readonly options: UsnPollerOptions) {
    this.key = options.watermarkKey ?? DEFAULT_WATERMARK_KEY;
    this.now = options.now ?? (() => new Date());
    this.open = options.open ?? openAdClient;
  }

  async poll(): Promise<PollReport> {
    const { config, state, queue } = this.options;
    const client = await this.open(config);
    try {
      const dc = await readDcState(client);
      const scope = scopeKey(config.baseDn, config.userFilter, config.groupFilter);
      const plan = planPoll(await state.get<UsnWatermark>(this.key), dc, scope, this.now());
      const collected = new ChangeSet();
      let entriesRead = 0;
      const read = async (base: string, filter: Filter, attributes: string[], reason: string, ...controls: Control[]) => {
        for (const entry of await this.searchAll(client, base, filter, attributes, controls)) {
          entriesRead++;
          collected.addEntry(entry, reason);
        }
      };
      if (plan.mode === 'incremental') {
        const range = usnRange(plan.fromUsn, plan.toUsn);
        await read(dc.namingContext, and(usersAndGroups(), range), ['objectGUID', 'objectClass', 'member'], 'usn', new ExtendedDnControl());
        await read(dc.namingContext, and(deletedUsersAndGroups(), range), ['objectGUID', 'objectClass'], 'deleted', showDeletedControl());
      } else {
        const upTo = usnRange(0n, plan.toUsn);
        await read(config.baseDn, and(parseFilter(config.userFilter, 'AD_USER_FILTER'), upTo), ['objectGUID', 'objectClass'], 'full-resync');
        await read(config.baseDn, and(parseFilter(config.groupFilter, 'AD_GROUP_FILTER'), upTo), ['objectGUID', 'objectClass'], 'full-resync');
      }
      const changes = collected.list();
      if (changes.length > 0) await queue.publish(changes);
      // Only now: every change up to toUsn is durably queued.
      await state.put(this.key, nextWatermark(dc, scope, this.now()));
      return {
        mode: plan.mode, fullResyncReason: plan.mode === 'full' ? plan.reason : undefined,
        fromUsn: plan.mode === 'incremental' ? plan.fromUsn.toString() : undefined, toUsn: plan.toUsn.toString(),
        entriesRead, changes: changes.length,
      };
    } finally {
      await client.unbind().catch(() => undefined);
    }
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

/** Changes keyed by kind and id: an entity named twice in one poll is published once. */
class ChangeSet {
  private readonly byKey = new Map<string, Change>();

  addEntry(entry: Entry, reason: string): void {
    const classes = [entry.objectClass].flat().map((c) => String(c).toLowerCase());
    const kind: ChangeKind = classes.includes('group') ? 'group' : 'user';
    this.add(kind, entryGuid(entry), reason);
    // Membership changes bump only the group's USN (memberOf is a back-link), and the engine
    // converges people, so name each current member too.
    if (kind === 'group') {
      for (const value of [entry.member ?? []].flat()) {
        const id = extendedGuid(String(value));
        if (id) this.add('user', id, 'group-member');
      }
    }
  }

  list(): Change[] {
    return [...this.byKey.values()];
  }

  private add(kind: ChangeKind, sourceId: string, reason: string): void {
    const key = `${kind}:${sourceId}`;
    if (!this.byKey.has(key)) this.byKey.set(key, { source: 'ad', kind, sourceId, reason });
  }
}
