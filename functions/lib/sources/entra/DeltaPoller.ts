/**
 * One timed Graph delta round (reference/idp.md §1.2–1.3): what changed among users (and groups,
 * when departments come from them) since the stored deltaLinks, published as Changes. The links
 * are the watermark; they are stored only after every change of the round is published, so a crash
 * in between repeats the round and never skips a change (Graph replays are harmless: push re-reads).
 *
 * Changes only *name* people and groups: push re-reads each one through EntraSource, so a user
 * marked `@removed` is answered 404 there and deprovisioned under the safeguard, and a group
 * member who joined or left is re-planned with their current groups.
 *
 * With no link yet (first poll), a link Graph no longer knows (410, syncStateNotFound: tokens live
 * 7 days) or a changed tenant or department source, the round is a full resync: links that start
 * *now* (`$deltatoken=latest`) are taken first, then the full sync runs, then the links are stored.
 * Taking them before, not after, means a change made while the full sync reads comes again in the
 * next round instead of falling between the two; and it costs one call per resource instead of
 * reading round 1, the whole directory, a second time.
 */
import type { Change, ChangeKind } from '../../core/model';
import type { ChangeQueue, StateStore } from '../../core/ports';
import type { EntraSourceConfig } from './config';
import { ENTRA_REMOVED_REASON } from './EntraSource';
import { DeltaExpiredError } from './errors';
import type { DeltaResource, GraphApi } from './GraphApi';
import type { GraphGroup, GraphUser } from './types';

/** Where the poller keeps its links. */
export const DEFAULT_DELTA_STATE_KEY = 'entra/delta';

export type EntraResyncReason = 'first-poll' | 'delta-expired' | 'configuration-changed';

/** The stored watermark: one deltaLink per resource read, and what they were read for. */
export interface DeltaWatermark {
  tenantId: string;
  departments: EntraSourceConfig['departments'];
  users: string;
  /** Present when departments come from groups. */
  groups?: string;
  savedAt: string;
}

export interface DeltaPollerOptions {
  api: GraphApi;
  config: EntraSourceConfig;
  state: StateStore;
  queue: ChangeQueue;
  /**
   * Runs the full sync of the entra source (first poll, expired link, changed configuration): it
   * also removes people whose deletion no delta will ever show. Its failure keeps the old links.
   * Without it, round 1 is read and every user in it published instead.
   */
  fullResync?: (reason: EntraResyncReason) => Promise<void>;
  stateKey?: string;
  now?: () => Date;
}

export interface DeltaPollReport {
  mode: 'incremental' | 'full';
  resyncReason?: EntraResyncReason;
  /** Delta pages read (users and groups). */
  pages: number;
  /** Changes published (a full resync handed to `fullResync` publishes none). */
  changes: number;
  /** Users marked `@removed` in the round. */
  removed: number;
}

/** Change reasons, for logs. */
export const DELTA_REASONS = {
  user: 'delta', removed: ENTRA_REMOVED_REASON, group: 'group-delta', groupRemoved: 'group-removed',
  joined: 'member-added', left: 'member-removed', resync: 'full-resync',
} as const;

export class DeltaPoller {
  private readonly key: string;
  private readonly now: () => Date;

  constructor(private readonly options: DeltaPollerOptions) {
    this.key = options.stateKey ?? DEFAULT_DELTA_STATE_KEY;
    this.now = options.now ?? (() => new Date());
  }

  private get withGroups(): boolean {
    return this.options.config.departments !== 'attribute';
  }

  async poll(): Promise<DeltaPollReport> {
    const { state, config } = this.options;
    const stored = await state.get<DeltaWatermark>(this.key);
    let reason: EntraResyncReason | undefined;
    if (!stored) reason = 'first-poll';
    else if (stored.tenantId !== config.tenantId || stored.departments !== config.departments || (this.withGroups && !stored.groups)) {
      reason = 'configuration-changed';
    }
    if (stored && !reason) {
      try {
        return await this.incremental(stored);
      } catch (error) {
        if (!(error instanceof DeltaExpiredError)) throw error;
        reason = 'delta-expired';
      }
    }
    return this.resync(reason ?? 'first-poll');
  }

  private async incremental(stored: DeltaWatermark): Promise<DeltaPollReport> {
    const changes = new ChangeSet();
    const counts = { pages: 0, removed: 0 };
    const users = await this.round<GraphUser>('users', stored.users, counts, (user) => this.userChange(changes, user, counts));
    const groups = this.withGroups
      ? await this.round<GraphGroup>('groups', stored.groups, counts, (group) => groupChanges(changes, group))
      : undefined;
    const published = changes.list();
    if (published.length > 0) await this.options.queue.publish(published);
    // Only now: every change up to these links is durably queued.
    await this.save(users, groups);
    return { mode: 'incremental', pages: counts.pages, changes: published.length, removed: counts.removed };
  }

  private async resync(reason: EntraResyncReason): Promise<DeltaPollReport> {
    const { api, fullResync } = this.options;
    if (fullResync) {
      const users = await api.latestDeltaLink('users');
      const groups = this.withGroups ? await api.latestDeltaLink('groups') : undefined;
      await fullResync(reason);
      await this.save(users, groups);
      return { mode: 'full', resyncReason: reason, pages: 0, changes: 0, removed: 0 };
    }
    // No engine at hand: round 1 names everyone, and push reads each.
    const changes = new ChangeSet();
    const counts = { pages: 0, removed: 0 };
    const users = await this.round<GraphUser>('users', undefined, counts, (user) => this.userChange(changes, user, counts, DELTA_REASONS.resync));
    const groups = this.withGroups
      ? await this.round<GraphGroup>('groups', undefined, counts, (group) => { if (!group['@removed']) changes.add('group', group.id, DELTA_REASONS.resync); })
      : undefined;
    const published = changes.list();
    if (published.length > 0) await this.options.queue.publish(published);
    await this.save(users, groups);
    return { mode: 'full', resyncReason: reason, pages: counts.pages, changes: published.length, removed: counts.removed };
  }

  /** Reads one resource's round to its end; answers the new deltaLink. */
  private async round<T>(resource: DeltaResource, link: string | undefined, counts: { pages: number }, each: (item: T) => void): Promise<string> {
    let deltaLink: string | undefined;
    for await (const page of this.options.api.delta<T>(resource, link)) {
      counts.pages += 1;
      for (const item of Array.isArray(page.value) ? page.value : []) each(item);
      deltaLink = page['@odata.deltaLink'] ?? deltaLink;
    }
    return deltaLink!;
  }

  private userChange(changes: ChangeSet, user: GraphUser, counts: { removed: number }, reason?: string): void {
    if (typeof user?.id !== 'string' || !user.id) return;
    if (user['@removed']) {
      counts.removed += 1;
      changes.add('user', user.id, DELTA_REASONS.removed);
    } else {
      changes.add('user', user.id, reason ?? DELTA_REASONS.user);
    }
  }

  private async save(users: string, groups: string | undefined): Promise<void> {
    const { config, state } = this.options;
    const watermark: DeltaWatermark = {
      tenantId: config.tenantId, departments: config.departments, users, ...(groups && { groups }), savedAt: this.now().toISOString(),
    };
    await state.put(this.key, watermark);
  }
}

/**
 * A group in a round: the group itself (created, renamed, deleted: a department change, whose
 * members push re-plans) and each user member who joined or left (a user change: they are
 * re-read with their groups; who left is no longer among the group's members to re-plan).
 */
function groupChanges(changes: ChangeSet, group: GraphGroup): void {
  if (typeof group?.id !== 'string' || !group.id) return;
  changes.add('group', group.id, group['@removed'] ? DELTA_REASONS.groupRemoved : DELTA_REASONS.group);
  for (const member of group['members@delta'] ?? []) {
    // Members may be users, groups, devices, service principals: only people are synced.
    const type = member['@odata.type']?.toLowerCase();
    if (type !== undefined && type !== '#microsoft.graph.user') continue;
    if (typeof member.id !== 'string' || !member.id) continue;
    changes.add('user', member.id, member['@removed'] ? DELTA_REASONS.left : DELTA_REASONS.joined);
  }
}

/**
 * Changes keyed by kind and id: named twice in one round (Graph replays), published once, with the
 * first reason unless a later one says the user was removed (the reason push's deletion rules read).
 */
class ChangeSet {
  private readonly byKey = new Map<string, Change>();

  add(kind: ChangeKind, sourceId: string, reason: string): void {
    const key = `${kind}:${sourceId}`;
    if (!this.byKey.has(key) || reason === DELTA_REASONS.removed) this.byKey.set(key, { source: 'entra', kind, sourceId, reason });
  }

  list(): Change[] {
    return [...this.byKey.values()];
  }
}
