/**
 * OpenLDAP entries (as ldapts returns them) to the core model. Attribute values are directory data,
 * possibly hostile: they are trimmed and copied, never parsed as filters; empty values count as absent.
 * Which attribute holds the login name, email, display name and disabled flag is the operator's
 * choice (LDAP_ATTR_*), so the mapping takes the attribute map.
 */
import type { Entry } from 'ldapts';
import type { Department, Identity } from '../../core/model';
import type { LdapAttributeMap } from './config';
import { dnKey } from './dn';
import { LdapSourceError } from './errors';

/** What the source asks of a person besides the mapped attributes (entryUUID is operational: asked by name). */
const PERSON_ATTRIBUTES = ['entryUUID', 'uid', 'cn', 'sn', 'givenName', 'mobile', 'telephoneNumber', 'title', 'employeeNumber'];
/** Names a userName template may use as `{attr.<name>}`. */
const TEMPLATE_ATTRIBUTES = ['uid', 'cn', 'sn', 'givenName', 'telephoneNumber', 'employeeNumber'];
export const GROUP_ATTRIBUTES = ['entryUUID', 'cn', 'member', 'uniqueMember', 'memberUid'];
export const OU_ATTRIBUTES = ['entryUUID', 'ou'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isEntryUuid(value: string): boolean {
  return UUID.test(value);
}

/** The attributes a person read asks for under this attribute map, each once. */
export function userAttributes(map: LdapAttributeMap): string[] {
  const wanted = [...PERSON_ATTRIBUTES, map.userName, map.email, ...map.displayName, ...(map.disabled ? [map.disabled.attribute] : [])];
  const seen = new Set<string>();
  return wanted.filter((a) => !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()));
}

/** The entry's entryUUID, lower-case; an entry without one means the bind account may not read it. */
export function entryUuid(entry: Entry): string {
  const value = first(entry, 'entryUUID');
  if (value === undefined || !UUID.test(value)) {
    throw new LdapSourceError('unreadable-entry', 'an entry under LDAP_BASE_DN came back without a readable entryUUID', { retryable: false });
  }
  return value.toLowerCase();
}

export function toIdentity(entry: Entry, map: LdapAttributeMap, departmentIds: string[]): Identity {
  const attributes: Record<string, string> = {};
  for (const name of TEMPLATE_ATTRIBUTES) {
    const value = first(entry, name);
    if (value !== undefined) attributes[name] = value;
  }
  const identity: Identity = {
    source: 'ldap',
    sourceId: entryUuid(entry),
    departmentIds: [...new Set(departmentIds)],
    status: isDisabled(entry, map) ? 'disabled' : 'active',
    attributes,
  };
  assign(identity, 'userName', first(entry, map.userName));
  assign(identity, 'displayName', map.displayName.map((name) => first(entry, name)).find((v) => v !== undefined));
  assign(identity, 'email', first(entry, map.email));
  assign(identity, 'mobile', first(entry, 'mobile'));
  assign(identity, 'title', first(entry, 'title'));
  assign(identity, 'employeeId', first(entry, 'employeeNumber'));
  return identity;
}

function isDisabled(entry: Entry, map: LdapAttributeMap): boolean {
  const rule = map.disabled;
  if (!rule) return false;
  const values = all(entry, rule.attribute).map((v) => v.toLowerCase());
  return rule.value === undefined ? values.some((v) => v !== 'false') : values.includes(rule.value.toLowerCase());
}

/** A group department: flat, named by cn. */
export function groupDepartment(entry: Entry): Department {
  const sourceId = entryUuid(entry);
  return { source: 'ldap', sourceId, name: first(entry, 'cn') ?? sourceId };
}

/** An OU department, named by ou; its parent is the nearest OU above it within the base. */
export function ouDepartment(entry: Entry, parentId: string | undefined): Department {
  const sourceId = entryUuid(entry);
  const department: Department = { source: 'ldap', sourceId, name: first(entry, 'ou') ?? sourceId };
  if (parentId !== undefined) department.parentId = parentId;
  return department;
}

/**
 * Who a group names, in the three shapes (idp.md §3.5): `member` DNs (groupOfNames),
 * `uniqueMember` DNs with an optional `#'0101'B` UID suffix (groupOfUniqueNames), `memberUid` uid
 * strings (posixGroup). DNs come back as comparison keys (dn.ts); a value that is not a DN is dropped.
 */
export function groupMembers(entry: Entry): { dnKeys: string[]; uids: string[] } {
  const dns = [...all(entry, 'member'), ...all(entry, 'uniqueMember').map(withoutUid)];
  return {
    dnKeys: [...new Set(dns.map(dnKey).filter((k): k is string => k !== undefined))],
    uids: [...new Set(all(entry, 'memberUid'))],
  };
}

/** `uniqueMember`'s Name-and-optional-UID without the UID (`DN#'0101'B` → `DN`). */
export function withoutUid(value: string): string {
  return value.replace(/#'[01]*'B$/, '');
}

export function all(entry: Entry, name: string): string[] {
  const value = entry[name] ?? entry[Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ''];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v).trim()).filter((v) => v !== '');
}

export function first(entry: Entry, name: string): string | undefined {
  return all(entry, name)[0];
}

function assign<K extends keyof Identity>(identity: Identity, key: K, value: Identity[K] | undefined): void {
  if (value !== undefined) identity[key] = value;
}
