/**
 * OpenLDAP (or any LDAPv3 directory with entryUUID, RFC 4530) as a Source for the engine: one
 * person or department by entryUUID (for `push`), everything in scope, paged (for `full-sync`).
 * Scope is LDAP_BASE_DN with LDAP_USER_FILTER: an entry deleted, moved out of the base or no
 * longer matching the filter is absent alike, and is deprovisioned.
 *
 * Departments (LDAP_DEPARTMENTS) are groups (LDAP_GROUP_FILTER: groupOfNames, groupOfUniqueNames,
 * posixGroup), the OU tree, or both; all are named by entryUUID. Membership is read from the groups,
 * never from a person's memberOf (idp.md §3.5), and member values that name nobody are ignored.
 *
 * Calls share one connection; `close()` ends it at the end of an invocation.
 */
import type { Client, Entry, Filter } from 'ldapts';
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { SharedConnection } from '../ldapClient/SharedConnection';
import { ldapts } from '../ldapClient/ldapts';
import type { LdapSourceConfig } from './config';
import { ldapConnection, type LdapConnectionOptions, search, searchError } from './connection';
import { ancestorsWithin, dnKey, isWithinDn } from './dn';
import { and, equals, namesMember, or, type ScopeFilters, scopeFilters } from './filters';
import {
  all, entryUuid, GROUP_ATTRIBUTES, groupDepartment, groupMembers, isEntryUuid, OU_ATTRIBUTES, ouDepartment, toIdentity, userAttributes, withoutUid,
} from './mapping';

/** Group members read at once by DN, and uids asked for in one search. */
const MEMBER_BATCH = 16;
const UID_BATCH = 100;

/** A department found by entryUUID, with the entry it came from. */
interface FoundDepartment {
  kind: 'group' | 'ou';
  entry: Entry;
  department: Department;
}

/** Who is in which department, read once per listing instead of once per person. */
interface DepartmentIndex {
  groupsByMember: Map<string, string[]>;
  groupsByUid: Map<string, string[]>;
  /** OU comparison key (dn.ts) → its entryUUID. */
  ous: Map<string, string>;
}

export class LdapSource implements Source {
  readonly name = 'ldap' as const;
  readonly identifier = { type: 'entryUUID' };
  /** Parsed at the first search, so constructing the source does not load ldapts. */
  private filters?: ScopeFilters;
  private readonly attributes: string[];
  private readonly connection: SharedConnection;

  constructor(private readonly config: LdapSourceConfig, options: LdapConnectionOptions = {}) {
    this.connection = ldapConnection(config, options);
    this.attributes = userAttributes(config.attributes);
  }

  private get scope(): ScopeFilters {
    this.filters ??= scopeFilters(this.config);
    return this.filters;
  }

  private get groupsOn(): boolean {
    return this.config.departments !== 'ous';
  }

  private get ousOn(): boolean {
    return this.config.departments !== 'groups';
  }

  async getUser(sourceId: string): Promise<Identity | undefined> {
    // Not a UUID cannot be one of ours: absent, like any id the directory does not hold.
    if (!isEntryUuid(sourceId)) return undefined;
    return this.connection.read(async (client) => {
      const { searchEntries } = await search(client, 'one user', this.config.baseDn, {
        scope: 'sub', filter: and(equals('entryUUID', sourceId), this.scope.user), attributes: this.attributes,
      });
      const entry = searchEntries[0];
      return entry && toIdentity(entry, this.config.attributes, await this.departmentsOf(client, entry));
    });
  }

  async getDepartment(sourceId: string): Promise<Department | undefined> {
    if (!isEntryUuid(sourceId)) return undefined;
    return this.connection.read(async (client) => (await this.findDepartment(client, sourceId, false))?.department);
  }

  async *listUsers(): AsyncIterable<Identity> {
    const client = await this.connection.acquire();
    try {
      const index = await this.departmentIndex(client);
      yield* this.people(client, this.config.baseDn, index);
    } finally {
      this.connection.release();
    }
  }

  async *listDepartments(): AsyncIterable<Department> {
    const client = await this.connection.acquire();
    try {
      if (this.groupsOn) {
        for await (const entry of this.listing(client, 'groups', this.config.baseDn, this.scope.group, ['entryUUID', 'cn'])) yield groupDepartment(entry);
      }
      if (this.ousOn) yield* await this.allOus(client);
    } finally {
      this.connection.release();
    }
  }

  /**
   * A group's members (each resolved under the base with LDAP_USER_FILTER), or everyone in an OU's
   * subtree; undefined when no department has this entryUUID.
   */
  async listDepartmentMembers(departmentId: string): Promise<AsyncIterable<Identity> | undefined> {
    if (!isEntryUuid(departmentId)) return undefined;
    const found = await this.connection.read((client) => this.findDepartment(client, departmentId, true));
    return found && this.members(found);
  }

  /** Ends the shared connection (the next call opens another). */
  close(): Promise<void> {
    return this.connection.close();
  }

  private async *members(found: FoundDepartment): AsyncIterable<Identity> {
    const client = await this.connection.acquire();
    try {
      const index = await this.departmentIndex(client);
      if (found.kind === 'ou') {
        yield* this.people(client, found.entry.dn, index);
        return;
      }
      const seen = new Set<string>();
      const dns = [...all(found.entry, 'member'), ...all(found.entry, 'uniqueMember').map(withoutUid)].filter((dn) => isWithinDn(dn, this.config.baseDn));
      const uids = all(found.entry, 'memberUid');
      // Member reads go out a batch at a time on the one connection (ldapts pipelines them); uids
      // are asked for many to a search.
      const batches: (() => Promise<(Entry | undefined)[]>)[] = [];
      for (let i = 0; i < dns.length; i += MEMBER_BATCH) {
        const batch = dns.slice(i, i + MEMBER_BATCH);
        batches.push(() => Promise.all(batch.map((dn) => this.readEntry(client, 'a group member', dn, this.scope.user, this.attributes))));
      }
      for (let i = 0; i < uids.length; i += UID_BATCH) {
        const batch = uids.slice(i, i + UID_BATCH);
        batches.push(async () => (await search(client, 'group members by uid', this.config.baseDn, {
          scope: 'sub', filter: and(this.scope.user, or(...batch.map((uid) => equals('uid', uid)))), attributes: this.attributes,
        })).searchEntries);
      }
      for (const batch of batches) {
        for (const entry of await batch()) {
          if (!entry || seen.has(entryUuid(entry))) continue;
          seen.add(entryUuid(entry));
          yield toIdentity(entry, this.config.attributes, this.indexed(index, entry));
        }
      }
    } finally {
      this.connection.release();
    }
  }

  /** Everyone under `base` matching the user filter, each once. */
  private async *people(client: Client, base: string, index: DepartmentIndex): AsyncIterable<Identity> {
    const seen = new Set<string>();
    for await (const entry of this.listing(client, 'users', base, this.scope.user, this.attributes)) {
      const id = entryUuid(entry);
      if (seen.has(id)) continue;
      seen.add(id);
      yield toIdentity(entry, this.config.attributes, this.indexed(index, entry));
    }
  }

  /** One person's departments, read for them alone (getUser). */
  private async departmentsOf(client: Client, person: Entry): Promise<string[]> {
    const ids: string[] = [];
    if (this.groupsOn) {
      const { searchEntries } = await search(client, "one user's groups", this.config.baseDn, {
        scope: 'sub', filter: and(this.scope.group, namesMember(person.dn, all(person, 'uid'))), attributes: ['entryUUID'],
      });
      ids.push(...searchEntries.map(entryUuid));
      // A uniqueMember with a UID suffix (`DN#'0101'B`) is not found by the DN alone where uniqueMember
      // is indexed (the index keys the whole value), so groupOfUniqueNames groups are matched here.
      const key = dnKey(person.dn);
      for await (const group of this.listing(client, 'groupOfUniqueNames groups', this.config.baseDn, and(this.scope.group, equals('objectClass', 'groupOfUniqueNames')), ['entryUUID', 'uniqueMember'])) {
        if (key !== undefined && groupMembers(group).dnKeys.includes(key)) ids.push(entryUuid(group));
      }
    }
    if (this.ousOn) {
      const ou = await this.nearestOu(client, person.dn);
      if (ou) ids.push(ou);
    }
    return ids;
  }

  private indexed(index: DepartmentIndex, person: Entry): string[] {
    const key = dnKey(person.dn);
    const ids = [...(key === undefined ? [] : index.groupsByMember.get(key) ?? [])];
    for (const uid of all(person, 'uid')) ids.push(...(index.groupsByUid.get(uid) ?? []));
    const ou = ancestorsWithin(person.dn, this.config.baseDn).map(dnKey).find((k) => k !== undefined && index.ous.has(k));
    if (ou !== undefined) ids.push(index.ous.get(ou)!);
    return ids;
  }

  private async departmentIndex(client: Client): Promise<DepartmentIndex> {
    const index: DepartmentIndex = { groupsByMember: new Map(), groupsByUid: new Map(), ous: new Map() };
    const add = (map: Map<string, string[]>, key: string, id: string) => map.set(key, [...(map.get(key) ?? []), id]);
    if (this.groupsOn) {
      for await (const entry of this.listing(client, 'groups', this.config.baseDn, this.scope.group, GROUP_ATTRIBUTES)) {
        const id = entryUuid(entry);
        const { dnKeys, uids } = groupMembers(entry);
        for (const key of dnKeys) add(index.groupsByMember, key, id);
        for (const uid of uids) add(index.groupsByUid, uid, id);
      }
    }
    if (this.ousOn) {
      for await (const entry of this.listing(client, 'OUs', this.config.baseDn, this.scope.ou, OU_ATTRIBUTES)) {
        const key = dnKey(entry.dn);
        if (key !== undefined) index.ous.set(key, entryUuid(entry));
      }
    }
    return index;
  }

  /** Every OU at or under the base, each with its parent OU (read whole: parents may come after children). */
  private async allOus(client: Client): Promise<Department[]> {
    const entries: Entry[] = [];
    const ids = new Map<string, string>();
    for await (const entry of this.listing(client, 'OUs', this.config.baseDn, this.scope.ou, OU_ATTRIBUTES)) {
      entries.push(entry);
      const key = dnKey(entry.dn);
      if (key !== undefined) ids.set(key, entryUuid(entry));
    }
    return entries.map((entry) => {
      const parent = ancestorsWithin(entry.dn, this.config.baseDn).map(dnKey).find((k) => k !== undefined && ids.has(k));
      return ouDepartment(entry, parent === undefined ? undefined : ids.get(parent));
    });
  }

  /** The entryUUID of the nearest OU above `dn`, at or under the base. */
  private async nearestOu(client: Client, dn: string): Promise<string | undefined> {
    for (const ancestor of ancestorsWithin(dn, this.config.baseDn)) {
      const entry = await this.readEntry(client, 'an OU', ancestor, this.scope.ou, OU_ATTRIBUTES);
      if (entry) return entryUuid(entry);
    }
    return undefined;
  }

  /** The group or OU with this entryUUID; a group's member values only when `withMembers` (they can be many). */
  private async findDepartment(client: Client, id: string, withMembers: boolean): Promise<FoundDepartment | undefined> {
    const kinds = [...(this.groupsOn ? [this.scope.group] : []), ...(this.ousOn ? [this.scope.ou] : [])];
    const { searchEntries } = await search(client, 'one department', this.config.baseDn, {
      scope: 'sub', filter: and(equals('entryUUID', id), kinds.length === 1 ? kinds[0]! : or(...kinds)),
      attributes: [...(withMembers ? GROUP_ATTRIBUTES : ['entryUUID', 'cn']), 'ou', 'objectClass'],
    });
    const entry = searchEntries[0];
    if (!entry) return undefined;
    const isOu = this.ousOn && all(entry, 'objectClass').some((c) => c.toLowerCase() === 'organizationalunit');
    if (!isOu) return { kind: 'group', entry, department: groupDepartment(entry) };
    return { kind: 'ou', entry, department: ouDepartment(entry, await this.nearestOu(client, entry.dn)) };
  }

  /** The entry at `dn` if it matches `filter`; undefined when it does not, or does not exist. */
  private async readEntry(client: Client, what: string, dn: string, filter: Filter, attributes: string[]): Promise<Entry | undefined> {
    try {
      return (await client.search(dn, { scope: 'base', filter, attributes })).searchEntries[0];
    } catch (error) {
      if (error instanceof ldapts().NoSuchObjectError || error instanceof ldapts().InvalidDNSyntaxError) return undefined;
      throw searchError(what, error);
    }
  }

  /** A paged listing; a failure half-way throws (an unreadable directory never looks like "everyone left"). */
  private async *listing(client: Client, what: string, base: string, filter: Filter, attributes: string[]): AsyncIterable<Entry> {
    try {
      for await (const page of client.searchPaginated(base, { scope: 'sub', filter, attributes, paged: { pageSize: this.config.pageSize } })) {
        yield* page.searchEntries;
      }
    } catch (error) {
      throw searchError(`the ${what} listing`, error);
    }
  }
}

/**
 * @example
 * const config = parseLdapSourceConfig(process.env);
 * const source = config && createLdapSource(config);
 */
export function createLdapSource(config: LdapSourceConfig, options: LdapConnectionOptions = {}): LdapSource {
  return new LdapSource(config, options);
}
