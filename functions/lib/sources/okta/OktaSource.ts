/**
 * Okta as a directory for the engine: one person or department for `push`, everyone for
 * `full-sync`, and a department's members when it changes. Statuses map as mapping.ts says:
 * DEPROVISIONED and deleted users are absent. Departments are groups (`00g…`), `profile.department`
 * values (`dept:<name>`), or both, per OKTA_DEPARTMENTS; a group's members are its direct members
 * (Okta groups do not nest).
 */
import { attributeDepartment, attributeDepartmentName, attributeDepartmentsOf, membershipByUser } from '../attributeDepartments';
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { OktaSourceConfig } from './config';
import { OktaApi, type OktaApiOptions, filterValue } from './OktaApi';
import { GONE_STATUS, groupToDepartment, toIdentity } from './mapping';
import type { OktaUser } from './types';

/** The change reasons okta-poll gives the System Log's deletions (and okta-webhook its delete events). */
export const OKTA_DELETION_EVENTS: ReadonlySet<string> = new Set(['user.lifecycle.delete.initiated', 'user.lifecycle.deactivate']);

export class OktaSource implements Source {
  readonly name = 'okta' as const;
  /** Okta answers 404 for a deleted user and never "not visible" for an existing one: listed for the port's contract. */
  readonly deletionEvents = OKTA_DELETION_EVENTS;
  private readonly fromAttribute: boolean;
  private readonly fromGroups: boolean;

  constructor(config: OktaSourceConfig, readonly api: OktaApi = new OktaApi(config)) {
    this.fromAttribute = config.departments !== 'groups';
    this.fromGroups = config.departments !== 'attribute';
  }

  /** The person; undefined when Okta answers 404 or the user is DEPROVISIONED. */
  async getUser(sourceId: string): Promise<Identity | undefined> {
    const user = await this.api.getUser(sourceId);
    if (!user || user.status === GONE_STATUS) return undefined;
    if (!this.fromGroups) return this.identity(user, undefined);
    const groups = await this.api.userGroups(user.id);
    return groups && this.identity(user, groups.map((g) => g.id));
  }

  /** A group by id, or an attribute department while anyone not deprovisioned carries the name (nobody: absent). */
  async getDepartment(sourceId: string): Promise<Department | undefined> {
    const name = attributeDepartmentName(sourceId);
    if (name !== undefined) {
      if (!this.fromAttribute) return undefined;
      for await (const _ of this.carriers(name)) return attributeDepartment('okta', name);
      return undefined;
    }
    if (!this.fromGroups) return undefined;
    const group = await this.api.getGroup(sourceId);
    return group ? groupToDepartment(group) : undefined;
  }

  /** Every group, and every distinct `profile.department` value (read from the user listing: Okta has no list of them). */
  async *listDepartments(): AsyncIterable<Department> {
    if (this.fromGroups) for await (const group of this.api.groups()) yield groupToDepartment(group);
    if (this.fromAttribute) yield* attributeDepartmentsOf('okta', this.api.users(), (user) => user.profile?.department);
  }

  /**
   * Every person, each once: Okta's plain listing, which leaves DEPROVISIONED users out (they are
   * gone here too, so a full sync deprovisions them). With group departments, every group's
   * members are read first (one listing per group) instead of each user's groups one by one.
   */
  async *listUsers(): AsyncIterable<Identity> {
    const groupsOf = this.fromGroups ? await membershipByUser(this.api.groups(), (id) => this.api.groupMembers(id)) : undefined;
    const seen = new Set<string>();
    for await (const user of this.api.users()) {
      if (seen.has(user.id)) continue;
      seen.add(user.id);
      const identity = this.identity(user, groupsOf ? groupsOf.get(user.id) ?? [] : undefined);
      if (identity) yield identity;
    }
  }

  /** A group's members, or an attribute department's carriers; undefined when it is gone. */
  async listDepartmentMembers(departmentId: string): Promise<AsyncIterable<Identity> | undefined> {
    const name = attributeDepartmentName(departmentId);
    if (name !== undefined) {
      if (!this.fromAttribute || !(await this.getDepartment(departmentId))) return undefined;
      return this.people(this.carriers(name));
    }
    if (!this.fromGroups || !(await this.api.getGroup(departmentId))) return undefined;
    return this.people(this.api.groupMembers(departmentId));
  }

  /** Users whose `profile.department` is `name` (search includes DEPROVISIONED users: they are skipped). */
  private async *carriers(name: string): AsyncIterable<OktaUser> {
    for await (const user of this.api.users({ search: `profile.department eq ${filterValue(name)}` })) {
      if (user.status !== GONE_STATUS) yield user;
    }
  }

  private async *people(users: AsyncIterable<OktaUser>): AsyncIterable<Identity> {
    const seen = new Set<string>();
    for await (const user of users) {
      if (seen.has(user.id) || user.status === GONE_STATUS) continue;
      seen.add(user.id);
      let groupIds: string[] | undefined;
      if (this.fromGroups) {
        const groups = await this.api.userGroups(user.id);
        if (!groups) continue; // deleted since the listing
        groupIds = groups.map((g) => g.id);
      }
      const identity = this.identity(user, groupIds);
      if (identity) yield identity;
    }
  }

  private identity(user: OktaUser, groupIds: readonly string[] | undefined): Identity | undefined {
    return toIdentity(user, { attribute: this.fromAttribute, groupIds });
  }
}

/**
 * @example
 * const config = parseOktaSourceConfig(process.env);
 * if (config) sources.push(createOktaSource(config));
 */
export function createOktaSource(config: OktaSourceConfig, options: OktaApiOptions = {}): OktaSource {
  return new OktaSource(config, new OktaApi(config, options));
}
