/**
 * The domain model: people and departments as a source reports them, the changes that name them,
 * and RAM users and groups as RAM holds them. Pure data; no SDK, no I/O.
 */

/** Directories we read people from. `file` is an HR export or the shipped sample directory. */
export const SOURCE_NAMES = ['dingtalk', 'lark', 'wecom', 'ad', 'ldap', 'entra', 'okta', 'file'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export const IDENTITY_STATUS = { active: 'active', disabled: 'disabled' } as const;
export type IdentityStatus = (typeof IDENTITY_STATUS)[keyof typeof IDENTITY_STATUS];

/**
 * A person at the source. People who left are *absent*, never an Identity with a status.
 *
 * @example
 * { source: 'ad', sourceId: '5f1c…', userName: 'alice', displayName: 'Alice Liu',
 *   email: 'alice@corp.example', departmentIds: ['eng'], status: 'active' }
 */
export interface Identity {
  source: SourceName;
  /** The stable id at the source: AD objectGUID, DingTalk userid, Lark union_id, WeCom userid. */
  sourceId: string;
  /** The source's login name (AD sAMAccountName, DingTalk/WeCom userid …), if it has one. */
  userName?: string;
  displayName?: string;
  email?: string;
  mobile?: string;
  employeeId?: string;
  title?: string;
  /** Source ids of the departments (AD: groups) the person belongs to. */
  departmentIds: string[];
  status: IdentityStatus;
  managerId?: string;
  /** Further source fields a userName template may use, e.g. `{attr.userPrincipalName}`. */
  attributes?: Record<string, string>;
}

/** A department (DingTalk, Lark, WeCom, file) or a group (AD) at the source. */
export interface Department {
  source: SourceName;
  sourceId: string;
  name: string;
  parentId?: string;
}

/**
 * What a change names: a person, or a department (AD: a group of people). A department change travels
 * as `"group"` in the queue message, the contract every deployed webhook and push share.
 */
export const CHANGE_KIND = { user: 'user', department: 'group' } as const;
export type ChangeKind = (typeof CHANGE_KIND)[keyof typeof CHANGE_KIND];

/**
 * Names *which* entity changed, never *what* happened: the engine reads the current state and
 * converges, so duplicates and reordering are harmless.
 */
export interface Change {
  source: SourceName;
  kind: ChangeKind;
  sourceId: string;
  /** Why it was emitted, for logs: e.g. `user_modify_org`, `usn`, `full-sync`. */
  reason: string;
  /** Optional facts from the event (e.g. a WeCom rename's previous id); never trusted as state. */
  hint?: Record<string, string>;
}

/** Same entity, same key: `push` re-reads the entity, so one mention of it is enough. */
export function changeKey(change: Pick<Change, 'source' | 'kind' | 'sourceId'>): string {
  return `${change.source}\u0000${change.kind}\u0000${change.sourceId}`;
}

/**
 * Collapses changes naming the same entity. The last one wins and takes the last one's position,
 * so its reason and hint are the newest.
 */
export function dedupeChanges(changes: readonly Change[]): Change[] {
  const byKey = new Map<string, Change>();
  for (const change of changes) {
    const key = changeKey(change);
    byKey.delete(key);
    byKey.set(key, change);
  }
  return [...byKey.values()];
}

/** The queue message; batched under FC's 128 KB async payload limit. */
export interface ChangeBatch {
  v: 1;
  id: string;
  emittedAt: string;
  changes: Change[];
}

/** A RAM user as SCIM shows it. `externalId` is absent on users made in the console. */
export interface RamUser {
  id: string;
  userName: string;
  displayName: string;
  externalId?: string;
}

/** What we write through SCIM (POST or PUT). */
export interface RamUserInput {
  userName: string;
  displayName: string;
  externalId: string;
}

export interface RamGroup {
  groupName: string;
  comments?: string;
}

export const ACCESS_KEY_STATUS = { active: 'Active', inactive: 'Inactive' } as const;
export type AccessKeyStatus = (typeof ACCESS_KEY_STATUS)[keyof typeof ACCESS_KEY_STATUS];

export interface RamAccessKey {
  accessKeyId: string;
  status: AccessKeyStatus;
}

export interface RamLoginProfile {
  passwordResetRequired: boolean;
  mfaBindRequired: boolean;
}

/** `<source>:<sourceId>`: the link between a RAM user and the person it belongs to. */
export function externalIdOf(source: SourceName, sourceId: string): string {
  return `${source}:${sourceId}`;
}

/** The source and id inside one of our externalIds, or undefined when it is not ours. */
export function parseExternalId(externalId: string | undefined): { source: SourceName; sourceId: string } | undefined {
  if (!externalId) return undefined;
  const colon = externalId.indexOf(':');
  if (colon <= 0) return undefined;
  const source = externalId.slice(0, colon);
  const sourceId = externalId.slice(colon + 1);
  if (!sourceId || !(SOURCE_NAMES as readonly string[]).includes(source)) return undefined;
  return { source: source as SourceName, sourceId };
}

/**
 * The RAM user a person should have, after mapping, scoping and name resolution.
 * `groups` are the RAM groups the person's departments map to (only mapped groups are managed).
 */
export interface DesiredUser {
  externalId: string;
  source: SourceName;
  sourceId: string;
  userName: string;
  displayName: string;
  status: IdentityStatus;
  groups: string[];
}
