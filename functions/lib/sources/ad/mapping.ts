/**
 * AD entries (as ldapts returns them, read with the Extended DN control) to the core model.
 * Attribute values are directory data, possibly hostile: they are only trimmed and copied, never
 * parsed as filters or DNs; empty values count as absent.
 */
import type { Entry } from 'ldapts';
import type { Department, Identity } from '../../core/model';
import { guidToString } from './guid';

/** What a user read asks for; objectGUID must also be listed in `explicitBufferAttributes`. */
export const USER_ATTRIBUTES = [
  'objectGUID', 'sAMAccountName', 'userPrincipalName', 'displayName', 'mail', 'mobile', 'telephoneNumber',
  'department', 'title', 'employeeID', 'memberOf', 'manager', 'userAccountControl',
];
export const GROUP_ATTRIBUTES = ['objectGUID', 'cn', 'sAMAccountName', 'description'];
export const BUFFER_ATTRIBUTES = ['objectGUID'];

/** userAccountControl ACCOUNTDISABLE. */
const ACCOUNT_DISABLED = 0x2;
const EXTENDED_GUID = /^<GUID=([0-9a-f-]{36})>/i;

export function entryGuid(entry: Entry): string {
  const value = entry.objectGUID;
  const bytes = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(bytes)) throw new TypeError('entry has no binary objectGUID (was it requested as a buffer?)');
  return guidToString(bytes);
}

export function toIdentity(entry: Entry): Identity {
  const uac = Number(first(entry, 'userAccountControl') ?? 0);
  const attributes: Record<string, string> = {};
  for (const name of ['sAMAccountName', 'userPrincipalName', 'telephoneNumber', 'department'] as const) {
    const value = first(entry, name);
    if (value !== undefined) attributes[name] = value;
  }
  const identity: Identity = {
    source: 'ad',
    sourceId: entryGuid(entry),
    departmentIds: all(entry, 'memberOf').map(extendedGuid).filter((id): id is string => id !== undefined),
    status: (uac & ACCOUNT_DISABLED) !== 0 ? 'disabled' : 'active',
    attributes,
  };
  assign(identity, 'userName', first(entry, 'sAMAccountName'));
  assign(identity, 'displayName', first(entry, 'displayName'));
  assign(identity, 'email', first(entry, 'mail'));
  assign(identity, 'mobile', first(entry, 'mobile'));
  assign(identity, 'title', first(entry, 'title'));
  assign(identity, 'employeeId', first(entry, 'employeeID'));
  const manager = first(entry, 'manager');
  assign(identity, 'managerId', manager === undefined ? undefined : extendedGuid(manager));
  return identity;
}

/** AD groups are the model's departments: flat, named by cn. */
export function toDepartment(entry: Entry): Department {
  const sourceId = entryGuid(entry);
  return { source: 'ad', sourceId, name: first(entry, 'cn') ?? first(entry, 'sAMAccountName') ?? sourceId };
}

/** The objectGUID inside an Extended DN value `<GUID=…>;<SID=…>;CN=…`. */
export function extendedGuid(value: string): string | undefined {
  return EXTENDED_GUID.exec(value)?.[1]?.toLowerCase();
}

function all(entry: Entry, name: string): string[] {
  const value = entry[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v).trim()).filter((v) => v !== '');
}

function first(entry: Entry, name: string): string | undefined {
  return all(entry, name)[0];
}

function assign<K extends keyof Identity>(identity: Identity, key: K, value: Identity[K] | undefined): void {
  if (value !== undefined) identity[key] = value;
}
