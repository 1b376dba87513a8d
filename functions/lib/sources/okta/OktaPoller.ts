/**
 * One timed poll of Okta (reference/idp.md §2.3, §2.6): which users changed and who was deleted
 * since the stored watermark, published as Changes; the watermark moves only after they are
 * enqueued, so a crash in between repeats changes and never skips them.
 *
 * - Users with `filter=lastUpdated gt "<last poll's start − OKTA_POLL_OVERLAP_SECONDS>"`: profile and
 *   status changes, deactivations (DEPROVISIONED) included. The filter reads an eventually
 *   consistent index and our clock is not Okta's: the overlap re-reads a window, which is harmless
 *   because push re-reads each person and converges.
 * - The System Log's polling request (no `until`, ASCENDING, its `next` link kept as the watermark)
 *   for what lastUpdated never shows: permanent deletions (`user.lifecycle.delete.initiated`),
 *   group membership (`group.user_membership.*`, when departments are groups) and group deletions
 *   and renames. Deactivations are read there too, as a second witness.
 * - A full resync (first poll, another org or department mode, a position older than the log's
 *   90 days, a position Okta refuses) runs the full sync of the okta source instead: only a full
 *   listing shows who was deleted while the log could not be read.
 *
 * Changes only *name* people and groups: push re-reads each through OktaSource.
 */
import type { Change, ChangeKind } from '../../core/model';
import type { ChangeQueue, StateStore } from '../../core/ports';
import type { OktaSourceConfig } from './config';
import { OktaApiError } from './errors';
import { OktaApi, filterValue } from './OktaApi';
import type { OktaLogEvent } from './types';
import { type OktaResyncReason, type OktaWatermark, planPoll, scopeKey } from './watermark';

/** Where the poller keeps its watermark: `<prefix>watermark`. */
export const DEFAULT_STATE_PREFIX = 'okta/';

/** The System Log events the poll reads (one filter: one listing). */
export const LOG_EVENT_TYPES = {
  userGone: ['user.lifecycle.delete.initiated', 'user.lifecycle.deactivate'],
  membership: 'group.user_membership',
  group: ['group.lifecycle.delete', 'group.profile.update'],
} as const;

export const LOG_FILTER = [
  ...LOG_EVENT_TYPES.userGone.map((t) => `eventType eq "${t}"`),
  `eventType sw "${LOG_EVENT_TYPES.membership}"`,
  ...LOG_EVENT_TYPES.group.map((t) => `eventType eq "${t}"`),
].join(' or ');

/** The change reason of a user whose lastUpdated moved. */
export const UPDATED_REASON = 'lastUpdated';

export interface OktaPollerOptions {
  config: OktaSourceConfig;
  api: OktaApi;
  state: StateStore;
  queue: ChangeQueue;
  /** Run on a full resync instead of publishing everyone; its failure keeps the old watermark. */
  fullResync?: (reason: OktaResyncReason) => Promise<void>;
  statePrefix?: string;
  now?: () => Date;
  /** System Log pages read per poll at most (1000 events each); the rest waits for the next tick. */
  maxLogPages?: number;
}

export interface OktaPollReport {
  mode: 'incremental' | 'full';
  fullResyncReason?: OktaResyncReason;
  /** Users the lastUpdated listing returned (or the full listing, without a fullResync). */
  usersRead: number;
  /** System Log events read, and the pages they came in. */
  logEvents: number;
  logPages: number;
  /** False when the log had more than `maxLogPages` pages: the next tick goes on from there. */
  logCaughtUp: boolean;
  /** Changes published (a full resync handed to `fullResync` publishes none). */
  changes: number;
}

export class OktaPoller {
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly fromGroups: boolean;

  constructor(private readonly options: OktaPollerOptions) {
    this.prefix = options.statePrefix ?? DEFAULT_STATE_PREFIX;
    this.now = options.now ?? (() => new Date());
    this.fromGroups = options.config.departments !== 'attribute';
  }

  async poll(): Promise<OktaPollReport> {
    const { config, api, state, queue } = this.options;
    const started = this.now();
    const scope = scopeKey(config.orgUrl, config.departments);
    const key = `${this.prefix}watermark`;
    const plan = planPoll(await state.get<OktaWatermark>(key), scope, started, config.pollOverlapSeconds);
    const changes = new ChangeSet();
    let usersRead = 0;
    let log: LogRead;
    let reason: OktaResyncReason | undefined = plan.mode === 'full' ? plan.reason : undefined;

    if (plan.mode === 'incremental') {
      for await (const user of api.users({ filter: `lastUpdated gt ${filterValue(plan.updatedAfter.toISOString())}` })) {
        usersRead++;
        changes.add('user', user.id, UPDATED_REASON);
      }
      try {
        log = await this.readLog({ next: plan.logNext }, changes);
      } catch (error) {
        // Okta no longer takes the stored position (past its retention): only a full resync is safe.
        if (!(error instanceof OktaApiError && error.status === 400)) throw error;
        reason = 'log-position-refused';
        changes.clear();
        usersRead = 0;
        log = await this.readLog({ since: started }, undefined);
      }
    } else {
      // The log from now on: the resync covers everything before. Read before the resync, so
      // nothing logged while it runs is skipped.
      log = await this.readLog({ since: started }, undefined);
    }

    if (reason !== undefined && !this.options.fullResync) {
      for await (const user of api.users()) {
        usersRead++;
        changes.add('user', user.id, 'full-resync');
      }
    }
    const published = changes.list();
    if (published.length > 0) await queue.publish(published);
    if (reason !== undefined && this.options.fullResync) await this.options.fullResync(reason);
    // Only now: every change up to here is durably queued (or applied by the full resync).
    const watermark: OktaWatermark = { v: 1, scope, usersSince: started.toISOString(), logNext: log.next, savedAt: this.now().toISOString() };
    await state.put(key, watermark);
    return {
      mode: reason === undefined ? 'incremental' : 'full', ...(reason && { fullResyncReason: reason }),
      usersRead, logEvents: log.events, logPages: log.pages, logCaughtUp: log.caughtUp, changes: published.length,
    };
  }

  /** Pages through the log from a position until a short page (caught up) or the page cap; `changes` gets what events name. */
  private async readLog(from: { next: string } | { since: Date }, changes: ChangeSet | undefined): Promise<LogRead> {
    const { api } = this.options;
    const maxPages = this.options.maxLogPages ?? 20;
    const read: LogRead = { next: '', events: 0, pages: 0, caughtUp: false };
    let page = await api.logPage('next' in from ? from : { since: from.since, filter: LOG_FILTER });
    for (;;) {
      read.pages++;
      read.events += page.events.length;
      read.next = page.next;
      if (changes) for (const event of page.events) this.named(event, changes);
      // A polling page shorter than a full one is the end of the log for now.
      if (page.events.length === 0 || page.events.length < this.logPageSize(page)) {
        read.caughtUp = true;
        return read;
      }
      if (read.pages >= maxPages) return read;
      page = await api.logPage({ next: page.next });
    }
  }

  private logPageSize(page: { next: string }): number {
    const limit = Number(new URL(page.next).searchParams.get('limit'));
    return Number.isInteger(limit) && limit > 0 ? limit : 100;
  }

  /** The people and groups an event names. */
  private named(event: OktaLogEvent, changes: ChangeSet): void {
    if (event.outcome?.result && event.outcome.result !== 'SUCCESS') return;
    const targets = Array.isArray(event.target) ? event.target : [];
    const users = targets.filter((t) => t?.type === 'User' && typeof t.id === 'string').map((t) => t.id);
    const groups = targets.filter((t) => t?.type === 'UserGroup' && typeof t.id === 'string').map((t) => t.id);
    const type = event.eventType;
    if ((LOG_EVENT_TYPES.userGone as readonly string[]).includes(type)) for (const id of users) changes.add('user', id, type);
    else if (type.startsWith(LOG_EVENT_TYPES.membership)) {
      if (this.fromGroups) for (const id of users) changes.add('user', id, type);
    } else if ((LOG_EVENT_TYPES.group as readonly string[]).includes(type)) {
      if (this.fromGroups) for (const id of groups) changes.add('group', id, type);
    }
  }
}

interface LogRead {
  next: string;
  events: number;
  pages: number;
  caughtUp: boolean;
}

/** Changes keyed by kind and id: an entity named twice in one poll is published once, with its last reason. */
class ChangeSet {
  private readonly byKey = new Map<string, Change>();

  add(kind: ChangeKind, sourceId: string, reason: string): void {
    const key = `${kind}:${sourceId}`;
    this.byKey.delete(key);
    this.byKey.set(key, { source: 'okta', kind, sourceId, reason });
  }

  clear(): void {
    this.byKey.clear();
  }

  list(): Change[] {
    return [...this.byKey.values()];
  }
}
