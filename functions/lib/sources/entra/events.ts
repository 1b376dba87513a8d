/**
 * What a Graph change-notification collection asks of us: which users (and, when departments come
 * from groups, which groups) changed, and which lifecycle events arrived. Pure. Graph sends ids
 * only for users (no rich notifications), so an item only ever says *which* entity to re-read.
 *
 * Each item is authenticated on its own, as Graph's documentation says ("discard the change
 * notification" whose clientState does not match): its `clientState` is compared in constant time
 * with ENTRA_CLIENT_STATE and its `tenantId` with ENTRA_TENANT_ID. Items that fail are counted,
 * never read further.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { CHANGE_KIND, type Change } from '../../core/model';
import { GUID } from './webhookConfig';

/** Above this many items a collection is refused (413): Graph batches far fewer; a body of 1 MiB holds about 2,000. */
export const MAX_NOTIFICATIONS = 1000;

/** Graph's changeType values for directory objects (`created` is never sent for users, accepted all the same). */
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

/** `Users/<id>` (as Graph writes it) or `users/<id>`; likewise groups. */
const RESOURCE = /^(users|groups)\/([0-9a-f-]{36})$/i;

export interface LifecycleEvent {
  /** `reauthorizationRequired` for users and groups; kept as sent otherwise (≤ 64 characters). */
  event: string;
  subscriptionId?: string;
}

export type NotificationRead =
  | { kind: 'unknown'; why: string }
  | { kind: 'too-many'; items: number }
  | {
    kind: 'collection';
    /** Deduplicated: one change per entity, whatever the collection repeated. */
    changes: Change[];
    lifecycle: LifecycleEvent[];
    /** Items whose clientState or tenantId did not match: discarded. */
    refused: number;
    /** Authentic items naming nothing we sync (another resource, groups while departments are attributes, a bad id). */
    skipped: number;
    items: number;
  };

export interface NotificationRules {
  tenantId: string;
  /** The clientState's SHA-256, from `clientStateDigest`. */
  clientStateDigest: Buffer;
  /** Whether a group's notification is a department change (departments come from groups). */
  groupDepartments: boolean;
}

/** Compared as digests so both sides have the same length whatever was sent, as timingSafeEqual needs. */
export function clientStateDigest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Above MAX_NOTIFICATIONS items nothing is read: `too-many` (the caller answers 413).
 * @example
 * readNotifications(JSON.parse(body), { tenantId, clientStateDigest: clientStateDigest(secret), groupDepartments: false })
 * // { kind: 'collection', changes: [{ source: 'entra', kind: 'user', sourceId, reason: 'graph-updated' }], … }
 */
export function readNotifications(payload: unknown, rules: NotificationRules): NotificationRead {
  if (!isObject(payload)) return { kind: 'unknown', why: 'the body is not a JSON object' };
  const { value } = payload;
  if (!Array.isArray(value)) return { kind: 'unknown', why: 'the body has no "value" array' };
  if (value.length > MAX_NOTIFICATIONS) return { kind: 'too-many', items: value.length };

  const changes: Change[] = [];
  const lifecycle: LifecycleEvent[] = [];
  const seen = new Set<string>();
  let refused = 0;
  let skipped = 0;
  for (const item of value) {
    if (!isObject(item) || !authentic(item, rules)) {
      refused += 1;
      continue;
    }
    if (item.lifecycleEvent !== undefined) {
      const event = typeof item.lifecycleEvent === 'string' ? item.lifecycleEvent.slice(0, 64) : 'unnamed';
      const subscriptionId = typeof item.subscriptionId === 'string' && GUID.test(item.subscriptionId) ? item.subscriptionId : undefined;
      lifecycle.push({ event, ...(subscriptionId && { subscriptionId }) });
      continue;
    }
    const change = changeOf(item, rules.groupDepartments);
    if (!change) {
      skipped += 1;
      continue;
    }
    // push re-reads the entity, so one mention per collection is enough.
    const key = `${change.kind}\u0000${change.sourceId}`;
    if (!seen.has(key)) {
      seen.add(key);
      changes.push(change);
    }
  }
  return { kind: 'collection', changes, lifecycle, refused, skipped, items: value.length };
}

function authentic(item: Record<string, unknown>, rules: NotificationRules): boolean {
  const { clientState, tenantId } = item;
  if (typeof clientState !== 'string' || typeof tenantId !== 'string') return false;
  // Both compared before deciding, so the answer's timing says nothing about which failed.
  const stateMatches = timingSafeEqual(clientStateDigest(clientState), rules.clientStateDigest);
  const tenantMatches = tenantId.toLowerCase() === rules.tenantId;
  return stateMatches && tenantMatches;
}

function changeOf(item: Record<string, unknown>, groupDepartments: boolean): Change | undefined {
  const { changeType, resource, resourceData } = item;
  if (typeof changeType !== 'string' || !CHANGE_TYPES.has(changeType) || typeof resource !== 'string') return undefined;
  const match = RESOURCE.exec(resource);
  if (!match || !GUID.test(match[2]!)) return undefined;
  const id = match[2]!.toLowerCase();
  // resourceData.id, when sent, must name the same object as the resource path.
  if (isObject(resourceData) && resourceData.id !== undefined && (typeof resourceData.id !== 'string' || resourceData.id.toLowerCase() !== id)) {
    return undefined;
  }
  const reason = `graph-${changeType}`;
  if (match[1]!.toLowerCase() === 'users') return { source: 'entra', kind: CHANGE_KIND.user, sourceId: id, reason };
  return groupDepartments ? { source: 'entra', kind: CHANGE_KIND.department, sourceId: id, reason } : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
