/**
 * DingTalk's decrypted HTTP-push plaintext → what the webhook does with it (reference/webhooks.md §1.2).
 * Two payload shapes are in the wild: the classic `UserId`/`DeptId`/`TimeStamp` and the newer
 * `userId`/`deptId`/`eventId`; ids come as strings or numbers. Events only *name* who changed:
 * `push` re-reads them from DingTalk, so no other field is trusted.
 */
import { CHANGE_KIND, type Change, type ChangeKind } from '../../core/model';
import { DingtalkEventError } from './errors';

/** Contact events and the kind of entity they name. */
export const CONTACT_EVENTS: Readonly<Record<string, ChangeKind>> = {
  user_add_org: 'user',
  user_modify_org: 'user',
  user_leave_org: 'user',
  user_active_org: 'user',
  org_dept_create: CHANGE_KIND.department,
  org_dept_modify: CHANGE_KIND.department,
  org_dept_remove: CHANGE_KIND.department,
};

export const CHECK_URL = 'check_url';

/** DingTalk ids are short; anything longer is not an id and must not reach the queue. */
const MAX_ID_LENGTH = 128;
const ID_PATTERN = /^[\x21-\x7e]+$/;

export type DingtalkEvent =
  | { type: 'check_url' }
  | { type: 'contact'; eventType: string; changes: Change[] }
  | { type: 'ignored'; eventType: string };

/**
 * @throws DingtalkEventError when the plaintext is not a JSON object with an `EventType`, or a
 *   contact event's id list is malformed
 * @example
 * readDingtalkEvent('{"EventType":"user_leave_org","UserId":["0123"]}')
 * // → { type: 'contact', eventType: 'user_leave_org',
 * //     changes: [{ source: 'dingtalk', kind: 'user', sourceId: '0123', reason: 'user_leave_org' }] }
 */
export function readDingtalkEvent(plaintext: string): DingtalkEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(plaintext);
  } catch (error) {
    throw new DingtalkEventError('the decrypted event is not JSON', { cause: error });
  }
  return readDingtalkPayload(payload);
}

/**
 * The same for an event already parsed: a push's plaintext, or an entry of the failed-callback list
 * (failedCallbacks.ts), whose ids are spelled `userid`/`deptid` there [UNCONFIRMED], hence all three spellings.
 *
 * @throws DingtalkEventError as `readDingtalkEvent`
 */
export function readDingtalkPayload(payload: unknown): DingtalkEvent {
  if (!isRecord(payload)) throw new DingtalkEventError('the decrypted event is not a JSON object');
  const eventType = payload.EventType ?? payload.eventType;
  if (typeof eventType !== 'string' || eventType === '') throw new DingtalkEventError('the event has no EventType');
  if (eventType === CHECK_URL) return { type: 'check_url' };
  const kind = Object.hasOwn(CONTACT_EVENTS, eventType) ? CONTACT_EVENTS[eventType] : undefined;
  if (!kind) return { type: 'ignored', eventType };

  const field = kind === 'user' ? ['UserId', 'userId', 'userid'] : ['DeptId', 'deptId', 'deptid'];
  const ids = idList(payload[field[0]!] ?? payload[field[1]!] ?? payload[field[2]!], field[0]!);
  const eventId = firstString(payload.eventId, payload.EventId, payload.BizId);
  const hint = eventId ? { hint: { eventId } } : {};
  const changes = ids.map((sourceId): Change => ({ source: 'dingtalk', kind, sourceId, reason: eventType, ...hint }));
  return { type: 'contact', eventType, changes };
}

/** An id list as sent: an array (or, leniently, one value) of strings or integers; deduplicated. */
function idList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const ids = new Set<string>();
  for (const item of items) {
    const id = idOf(item);
    if (id === undefined) throw new DingtalkEventError(`${field} holds a value that is not an id`);
    ids.add(id);
  }
  return [...ids];
}

function idOf(item: unknown): string | undefined {
  // An integer above 2^53 has already lost digits in JSON.parse: naming the wrong entity is worse than refusing.
  if (typeof item === 'number') return Number.isSafeInteger(item) && item >= 0 ? String(item) : undefined;
  if (typeof item !== 'string') return undefined;
  const id = item.trim();
  return id.length > 0 && id.length <= MAX_ID_LENGTH && ID_PATTERN.test(id) ? id : undefined;
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH) return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
