/**
 * What a verified Event Hook delivery names: which people and groups changed. Pure: the engine
 * reads their current state later, so an event's contents are never trusted as state, only used
 * to say *which* entity changed. Targets' `alternateId` and `displayName` (a login, a name) are
 * personal data and are never read.
 *
 * A delivery (reference/idp.md §2.5, concepts/event-hooks):
 * `{eventType: 'com.okta.event_hook', eventId, eventTime, data: {events: [LogEvent, …]}}`, each
 * LogEvent with `uuid`, `published`, `eventType`, `outcome.result` and `target[]` (`{id, type}`).
 */
import { badRequest } from '../../core/http';
import { CHANGE_KIND, type Change, type ChangeKind } from '../../core/model';
import type { OktaDepartmentMode } from './config';

/** The hook-eligible event types that change a person as RAM sees them (idp.md §2.5). */
export const OKTA_USER_EVENTS = [
  'user.lifecycle.create', 'user.lifecycle.activate', 'user.lifecycle.deactivate', 'user.lifecycle.reactivate',
  'user.lifecycle.suspend', 'user.lifecycle.unsuspend', 'user.lifecycle.delete.initiated',
  'user.account.update_profile', 'user.account.lock', 'user.account.unlock',
] as const;

/** Membership: the person's groups, hence departments and group rules, changed. */
export const OKTA_MEMBERSHIP_EVENTS = ['group.user_membership.add', 'group.user_membership.remove'] as const;

/** The group itself: created, deleted or renamed. */
export const OKTA_GROUP_EVENTS = ['group.lifecycle.create', 'group.lifecycle.delete', 'group.profile.update'] as const;

/** Every event type worth subscribing the hook to, for the README and set-up checks. */
export const OKTA_HOOK_EVENT_TYPES = [...OKTA_USER_EVENTS, ...OKTA_MEMBERSHIP_EVENTS, ...OKTA_GROUP_EVENTS] as const;

export const OKTA_DELIVERY_TYPE = 'com.okta.event_hook';

const USER_EVENTS: ReadonlySet<string> = new Set(OKTA_USER_EVENTS);
const MEMBERSHIP_EVENTS: ReadonlySet<string> = new Set(OKTA_MEMBERSHIP_EVENTS);
const GROUP_EVENTS: ReadonlySet<string> = new Set(OKTA_GROUP_EVENTS);

/** Okta ids are opaque (`00u…`, `00g…`): letters and digits; anything else is not Okta's. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Event and delivery ids are UUIDs; allow any short id-like string. */
const EVENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Okta's target type of a group (the System Log's `UserGroup`). */
const GROUP_TARGET = 'UserGroup';

export interface ReadEvent {
  /** Absent when the event carried none: it is read, but cannot be told apart from a repeat. */
  uuid?: string;
  eventType: string;
  changes: Change[];
  /** Why the event named nothing, for logs. */
  skipped?: string;
}

export interface Delivery {
  /** The delivery's id: a retry of the same delivery carries it again. */
  eventId?: string;
  events: ReadEvent[];
  /** Events repeated inside this delivery (same uuid), dropped. */
  repeated: number;
}

type JsonObject = Record<string, unknown>;

/**
 * @throws HttpError 400 `malformed` when the body is not a JSON delivery envelope
 * @example
 * readDelivery(JSON.parse(body), 'groups') // { eventId, events: [{ uuid, eventType, changes: [{ source: 'okta', … }] }], repeated: 0 }
 */
export function readDelivery(payload: unknown, departments: OktaDepartmentMode): Delivery {
  if (!isObject(payload) || payload.eventType !== OKTA_DELIVERY_TYPE) {
    throw badRequest(`not an Okta Event Hook delivery: eventType must be ${OKTA_DELIVERY_TYPE}`, 'malformed');
  }
  const { data } = payload;
  if (!isObject(data) || !Array.isArray(data.events)) throw badRequest('the delivery has no data.events array', 'malformed');
  const seen = new Set<string>();
  const events: ReadEvent[] = [];
  let repeated = 0;
  for (const event of data.events as unknown[]) {
    if (!isObject(event)) throw badRequest('data.events holds something that is not an event object', 'malformed');
    const read = readEvent(event, departments);
    if (read.uuid !== undefined) {
      if (seen.has(read.uuid)) {
        repeated += 1;
        continue;
      }
      seen.add(read.uuid);
    }
    events.push(read);
  }
  const eventId = eventIdOf(payload.eventId);
  return { ...(eventId && { eventId }), events, repeated };
}

/** One LogEvent → the changes it names (none for failures and types we do not sync). */
export function readEvent(event: JsonObject, departments: OktaDepartmentMode): ReadEvent {
  const uuid = eventIdOf(event.uuid);
  const eventType = typeof event.eventType === 'string' && event.eventType.length <= 200 ? event.eventType : '';
  const base = { ...(uuid && { uuid }), eventType };
  if (eventType === '') return { ...base, changes: [], skipped: 'the event carries no eventType' };
  const known = USER_EVENTS.has(eventType) || MEMBERSHIP_EVENTS.has(eventType) || GROUP_EVENTS.has(eventType);
  if (!known) return { ...base, changes: [], skipped: 'not an event type we sync' };
  const result = isObject(event.outcome) ? event.outcome.result : undefined;
  // A failed or denied action changed nothing in Okta.
  if (result !== 'SUCCESS') return { ...base, changes: [], skipped: `outcome ${typeof result === 'string' ? result.slice(0, 40) : 'missing'}` };

  const targets = Array.isArray(event.target) ? event.target.filter(isObject) : [];
  if (GROUP_EVENTS.has(eventType)) {
    if (departments === 'attribute') return { ...base, changes: [], skipped: 'departments come from profile.department (OKTA_DEPARTMENTS=attribute)' };
    const groups = idsOf(targets, GROUP_TARGET);
    if (groups.length === 0) return { ...base, changes: [], skipped: `the event names no ${GROUP_TARGET} target` };
    return { ...base, changes: groups.map((id) => change(CHANGE_KIND.department, id, eventType)) };
  }
  // User events and membership events alike name the person: re-reading them reads their groups
  // too. A membership change is not a department change: that would re-plan every member.
  const users = idsOf(targets, 'User');
  if (users.length === 0) return { ...base, changes: [], skipped: 'the event names no User target' };
  return { ...base, changes: users.map((id) => change(CHANGE_KIND.user, id, eventType)) };
}

function change(kind: ChangeKind, sourceId: string, reason: string): Change {
  return { source: 'okta', kind, sourceId, reason };
}

/** The distinct ids of the targets of one type; malformed ids are dropped. */
function idsOf(targets: JsonObject[], type: string): string[] {
  const ids = new Set<string>();
  for (const target of targets) {
    if (target.type === type && typeof target.id === 'string' && ID.test(target.id)) ids.add(target.id);
  }
  return [...ids];
}

function eventIdOf(value: unknown): string | undefined {
  return typeof value === 'string' && EVENT_ID.test(value) ? value : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
