/**
 * Entra ID as a directory for the engine: one person or department for `push`, everyone for
 * `full-sync`, and a department's members when it changes. Departments are groups (their object
 * id), `department` attribute values (`dept:<name>`, see mapping.ts), or both, per ENTRA_DEPARTMENTS.
 * A group department's members are its direct user members: nested groups are departments of
 * their own, not part of their parent (Entra groups have no tree).
 */
import { attributeDepartment, attributeDepartmentName, attributeDepartmentsOf, membershipByUser } from '../attributeDepartments';
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { EntraSourceConfig } from './config';
import { GraphApi, type GraphApiOptions } from './GraphApi';
import { groupToDepartment, toIdentity } from './mapping';
import type { GraphUser } from './types';

/** The change reason entra-poll gives a user delta marked `@removed` (soft or hard delete). */
export const ENTRA_REMOVED_REASON = 'delta-removed';
/** Graph only ever answers 404 for a deleted user, never "not visible" for an existing one: listed for the port's contract. */
export const ENTRA_DELETION_EVENTS: ReadonlySet<string> = new Set([ENTRA_REMOVED_REASON]);

export class EntraSource implements Source {
  readonly name = 'entra' as const;
  readonly deletionEvents = ENTRA_DELETION_EVENTS;
  private readonly fromAttribute: boolean;
  private readonly fromGroups: boolean;

  constructor(config: EntraSourceConfig, readonly api: GraphApi = new GraphApi(config)) {
    this.fromAttribute = config.departments !== 'groups';
    this.fromGroups = config.departments !== 'attribute';
  }

  async getUser(sourceId: string): Promise<Identity | undefined> {
    const user = await this.api.getUser(sourceId);
    if (!user) return undefined;
    return this.identity(user, this.fromGroups ? await this.groupsOf(user.id) : undefined);
  }

  /** A group by id, or an attribute department while anyone still carries the name (nobody: absent). */
  async getDepartment(sourceId: string): Promise<Department | undefined> {
    const name = attributeDepartmentName(sourceId);
    if (name !== undefined) {
      if (!this.fromAttribute) return undefined;
      for await (const _ of this.api.usersInDepartment(name)) return attributeDepartment('entra', name);
      return undefined;
    }
    if (!this.fromGroups) return undefined;
    const group = await this.api.getGroup(sourceId);
    return group ? groupToDepartment(group) : undefined;
  }

  /** Every group, and every distinct `department` value (read from the user listing: Graph has no list of them). */
  async *listDepartments(): AsyncIterable<Department> {
    if (this.fromGroups) for await (const group of this.api.groups()) yield groupToDepartment(group);
    if (this.fromAttribute) yield* attributeDepartmentsOf('entra', this.api.users(), (user) => user.department);
  }

  /**
   * Every user, disabled ones included, each once. With group departments, every group's direct
   * members are read first (one listing per group) instead of each user's groups one by one.
   */
  async *listUsers(): AsyncIterable<Identity> {
    const groupsOf = this.fromGroups ? await membershipByUser(this.api.groups(), (id) => this.api.groupMembers(id)) : undefined;
    const seen = new Set<string>();
    for await (const user of this.api.users()) {
      if (seen.has(user.id)) continue;
      seen.add(user.id);
      yield this.identity(user, groupsOf ? groupsOf.get(user.id) ?? [] : undefined);
    }
  }

  /** A group's direct user members, or an attribute department's carriers; undefined when it is gone. */
  async listDepartmentMembers(departmentId: string): Promise<AsyncIterable<Identity> | undefined> {
    const name = attributeDepartmentName(departmentId);
    if (name !== undefined) {
      if (!this.fromAttribute) return undefined;
      if (!(await this.getDepartment(departmentId))) return undefined;
      return this.people(this.api.usersInDepartment(name));
    }
    if (!this.fromGroups || !(await this.api.getGroup(departmentId))) return undefined;
    return this.people(this.api.groupMembers(departmentId));
  }

  private async *people(users: AsyncIterable<GraphUser>): AsyncIterable<Identity> {
    const seen = new Set<string>();
    for await (const user of users) {
      if (seen.has(user.id)) continue;
      seen.add(user.id);
      yield this.identity(user, this.fromGroups ? await this.groupsOf(user.id) : undefined);
    }
  }

  private identity(user: GraphUser, groupIds: readonly string[] | undefined): Identity {
    return toIdentity(user, { attribute: this.fromAttribute, groupIds });
  }

  private async groupsOf(userId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const group of this.api.memberOf(userId)) ids.push(group.id);
    return ids;
  }
}

/**
 * @example
 * const config = parseEntraSourceConfig(process.env);
 * if (config) sources.push(createEntraSource(config));
 */
export function createEntraSource(config: EntraSourceConfig, options: GraphApiOptions = {}): EntraSource {
  return new EntraSource(config, new GraphApi(config, options));
}
