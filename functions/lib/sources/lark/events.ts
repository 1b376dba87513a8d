/**
 * What an opened Lark payload asks of us: answer a URL verification, or name the people and
 * departments an event is about. Pure: the engine reads their current state later, so an event's
 * contents are never trusted as state, only used to say *which* entity changed.
 */
import { CHANGE_KIND, type Change } from '../../core/model';
import {
  LARK_EVENT_TYPES, LARK_V1_DEPARTMENT_EVENTS, LARK_V1_USER_EVENTS, type LarkUserIdType,
} from './constants';
import { LarkWebhookError } from './errors';
import { type JsonObject, isObject } from './verify';

export type LarkMessage =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'event'; schema: 1 | 2; eventId: string; eventType: string; changes: Change[]; skipped?: string };

/** Ids are opaque strings; anything longer or with control characters is not Lark's. */
const ID = /^[^\u0000-\u001f\u007f]{1,128}$/;

/**
 * @throws LarkWebhookError('malformed') when the payload is neither a URL verification nor an event envelope
 * @example
 * readMessage(payload, 'union_id') // { kind: 'event', eventId, eventType, changes: [{ source: 'lark', … }] }
 */
export function readMessage(payload: JsonObject, userIdType: LarkUserIdType): LarkMessage {
  if (payload.type === 'url_verification') {
    const challenge = payload.challenge;
    if (typeof challenge !== 'string' || challenge === '' || challenge.length > 1024) {
      throw new LarkWebhookError('malformed', 'url_verification without a challenge');
    }
    return { kind: 'challenge', challenge };
  }
  if (payload.schema !== undefined) return readV2(payload, userIdType);
  if (payload.type === 'event_callback') return readV1(payload, userIdType);
  throw new LarkWebhookError('malformed', 'neither a url_verification nor an event envelope');
}

function readV2(payload: JsonObject, userIdType: LarkUserIdType): LarkMessage {
  const { header, event } = payload;
  if (payload.schema !== '2.0' || !isObject(header) || !isObject(event)) {
    throw new LarkWebhookError('malformed', 'a schema 2.0 event needs "schema": "2.0", a header and an event');
  }
  const eventId = idOf(header.event_id);
  const eventType = header.event_type;
  if (!eventId || typeof eventType !== 'string' || eventType === '') {
    throw new LarkWebhookError('malformed', 'the event header needs event_id and event_type');
  }
  const base = { kind: 'event' as const, schema: 2 as const, eventId, eventType };
  const object = isObject(event.object) ? event.object : {};
  const old = isObject(event.old_object) ? event.old_object : {};

  switch (eventType) {
    case LARK_EVENT_TYPES.userCreated:
    case LARK_EVENT_TYPES.userUpdated:
    case LARK_EVENT_TYPES.userDeleted: {
      const id = idOf(object[userIdType]) ?? idOf(old[userIdType]);
      if (!id) return { ...base, changes: [], skipped: `the event carries no ${userIdType}` };
      return { ...base, changes: [userChange(id, eventType, statusChange(old.status, object.status), previousId(old, object, userIdType))] };
    }
    case LARK_EVENT_TYPES.departmentCreated:
    case LARK_EVENT_TYPES.departmentUpdated:
    case LARK_EVENT_TYPES.departmentDeleted: {
      const id = idOf(object.open_department_id) ?? idOf(old.open_department_id);
      if (!id) return { ...base, changes: [], skipped: 'the event carries no open_department_id' };
      return { ...base, changes: [{ source: 'lark', kind: CHANGE_KIND.department, sourceId: id, reason: eventType }] };
    }
    default:
      return { ...base, changes: [], skipped: 'not a contact event we sync' };
  }
}

/** Schema 1.0: `{uuid, token, ts, type: 'event_callback', event: {type, open_id, union_id, employee_id, …}}`. */
function readV1(payload: JsonObject, userIdType: LarkUserIdType): LarkMessage {
  const { event } = payload;
  const eventId = idOf(payload.uuid);
  if (!eventId || !isObject(event) || typeof event.type !== 'string' || event.type === '') {
    throw new LarkWebhookError('malformed', 'a schema 1.0 event needs uuid and event.type');
  }
  const eventType = event.type;
  const base = { kind: 'event' as const, schema: 1 as const, eventId, eventType };
  if ((LARK_V1_USER_EVENTS as readonly string[]).includes(eventType)) {
    // v1 calls the tenant-scoped user_id `employee_id`.
    const id = idOf(userIdType === 'user_id' ? event.employee_id ?? event.user_id : event[userIdType]);
    if (!id) return { ...base, changes: [], skipped: `the event carries no ${userIdType}` };
    const status = eventType === 'user_status_change' ? statusChange(v1Status(event.before_status), v1Status(event.change_status)) : undefined;
    return { ...base, changes: [userChange(id, eventType, status)] };
  }
  if ((LARK_V1_DEPARTMENT_EVENTS as readonly string[]).includes(eventType)) {
    const id = idOf(event.open_department_id);
    if (!id) return { ...base, changes: [], skipped: 'the event carries no open_department_id' };
    return { ...base, changes: [{ source: 'lark', kind: CHANGE_KIND.department, sourceId: id, reason: eventType }] };
  }
  return { ...base, changes: [], skipped: 'not a contact event we sync' };
}

function userChange(sourceId: string, reason: string, status: string | undefined, previous?: string): Change {
  const hint = { ...(status && { statusChange: status }), ...(previous && { previousSourceId: previous }) };
  return { source: 'lark', kind: 'user', sourceId, reason, ...(Object.keys(hint).length > 0 && { hint }) };
}

/** A renamed user_id (tenant admins can change it): the engine re-keys the RAM user. */
function previousId(old: JsonObject, object: JsonObject, userIdType: LarkUserIdType): string | undefined {
  const before = idOf(old[userIdType]);
  const after = idOf(object[userIdType]);
  return before && after && before !== after ? before : undefined;
}

/** For logs only: the status flag that flipped (`frozen`, `unfrozen`, `resigned`, `reactivated`, `activated`). */
export function statusChange(before: unknown, after: unknown): string | undefined {
  if (!isObject(after)) return undefined;
  const was = isObject(before) ? before : {};
  const flipped = (flag: string) => was[flag] !== undefined && was[flag] !== after[flag];
  if (flipped('is_resigned')) return after.is_resigned === true ? 'resigned' : 'reactivated';
  if (flipped('is_frozen')) return after.is_frozen === true ? 'frozen' : 'unfrozen';
  if (flipped('is_activated')) return after.is_activated === true ? 'activated' : 'deactivated';
  return undefined;
}

/** v1 status objects say `is_active` and `is_resign`. */
function v1Status(value: unknown): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  return { is_frozen: value.is_frozen, is_resigned: value.is_resign, is_activated: value.is_active };
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'string' && ID.test(value) ? value : undefined;
}
