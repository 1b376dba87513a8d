/**
 * A decrypted WeCom callback → the changes it names (reference/webhooks.md §3.2). Only ids are
 * taken: callbacks configured after 2022-08-15 carry just UserID and Department, so `push` reads
 * everything else from the API. A rename (`update_user` with `NewUserID`) names the new id and
 * hints the previous one, so the engine moves the same RAM user to it.
 */
import { CHANGE_KIND, type Change } from '../../core/model';
import { WecomEventError } from './errors';
import { type XmlFields, xmlText } from './xml';

export const WECOM_CHANGE_TYPES = {
  createUser: 'create_user',
  updateUser: 'update_user',
  deleteUser: 'delete_user',
  createParty: 'create_party',
  updateParty: 'update_party',
  deleteParty: 'delete_party',
  updateTag: 'update_tag',
} as const;

/** `previousSourceId`: the hint the engine's re-keying reads (sync/rekey.ts). */
export const PREVIOUS_SOURCE_ID_HINT = 'previousSourceId';
/** WeCom's member status as the event reported it (2 disabled, 5 exited); for logs only. */
export const WECOM_STATUS_HINT = 'wecomStatus';

export type WecomEventOutcome =
  | { kind: 'changes'; changeType: string; changes: Change[] }
  /** Acknowledged and dropped: tag changes, other events, messages. `what` is safe to log. */
  | { kind: 'ignored'; what: string };

// WeCom: 1–64 bytes of letters, digits and `_-@.`; open_userids are longer, so allow some room.
const USER_ID = /^[A-Za-z0-9_@.-]{1,128}$/;
const PARTY_ID = /^[0-9]{1,19}$/;
const USER_CHANGES = new Set<string>([WECOM_CHANGE_TYPES.createUser, WECOM_CHANGE_TYPES.updateUser, WECOM_CHANGE_TYPES.deleteUser]);
const PARTY_CHANGES = new Set<string>([WECOM_CHANGE_TYPES.createParty, WECOM_CHANGE_TYPES.updateParty, WECOM_CHANGE_TYPES.deleteParty]);

/**
 * @throws WecomEventError `shape` when a contact change lacks its id or the id is malformed
 * @example
 * changesFromEvent(parseWecomXml('<xml><MsgType>event</MsgType><Event>change_contact</Event>' +
 *   '<ChangeType>update_user</ChangeType><UserID>zhangsan</UserID><NewUserID>zhang.san</NewUserID></xml>'))
 * // { kind: 'changes', changeType: 'update_user', changes: [{ source: 'wecom', kind: 'user',
 * //   sourceId: 'zhang.san', reason: 'update_user', hint: { previousSourceId: 'zhangsan' } }] }
 */
export function changesFromEvent(fields: XmlFields): WecomEventOutcome {
  // Internal apps and the contact assistant send Event; third-party suites send InfoType.
  const event = xmlText(fields, 'Event') ?? xmlText(fields, 'InfoType');
  if (event !== 'change_contact') {
    return { kind: 'ignored', what: event ? `event ${safeName(event)}` : `message ${safeName(xmlText(fields, 'MsgType') ?? 'without a type')}` };
  }
  const changeType = xmlText(fields, 'ChangeType');
  if (changeType === undefined) throw new WecomEventError('shape', 'a change_contact event without <ChangeType>');
  if (USER_CHANGES.has(changeType)) return { kind: 'changes', changeType, changes: [userChange(fields, changeType)] };
  if (PARTY_CHANGES.has(changeType)) {
    const id = requireId(fields, 'Id', PARTY_ID, 'a department id (digits)');
    return { kind: 'changes', changeType, changes: [{ source: 'wecom', kind: CHANGE_KIND.department, sourceId: id, reason: changeType }] };
  }
  // update_tag, and change types WeCom may add later: acknowledged so WeCom does not retry them.
  return { kind: 'ignored', what: `change_contact ${safeName(changeType)}` };
}

function userChange(fields: XmlFields, changeType: string): Change {
  const userId = requireId(fields, 'UserID', USER_ID, 'a WeCom userid');
  const hint: Record<string, string> = {};
  let sourceId = userId;
  if (changeType === WECOM_CHANGE_TYPES.updateUser) {
    const renamed = optionalId(fields, 'NewUserID', USER_ID, 'a WeCom userid');
    if (renamed !== undefined && renamed !== userId) {
      sourceId = renamed;
      hint[PREVIOUS_SOURCE_ID_HINT] = userId;
    }
    const status = xmlText(fields, 'Status');
    if (status === '2' || status === '5') hint[WECOM_STATUS_HINT] = status;
  }
  return { source: 'wecom', kind: 'user', sourceId, reason: changeType, ...(Object.keys(hint).length > 0 && { hint }) };
}

function requireId(fields: XmlFields, name: string, pattern: RegExp, shape: string): string {
  const id = optionalId(fields, name, pattern, shape);
  if (id === undefined) throw new WecomEventError('shape', `the change has no <${name}>`);
  return id;
}

function optionalId(fields: XmlFields, name: string, pattern: RegExp, shape: string): string | undefined {
  const id = xmlText(fields, name);
  if (id !== undefined && !pattern.test(id)) throw new WecomEventError('shape', `<${name}> is not ${shape}`);
  return id;
}

/** Event and change type names go to logs; anything that is not a plain name is not repeated. */
function safeName(name: string): string {
  return /^[A-Za-z0-9_]{1,64}$/.test(name) ? name : '(unrecognised name)';
}
