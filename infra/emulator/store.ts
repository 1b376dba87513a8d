/**
 * The in-memory state of one emulated RAM account. SCIM and the OpenAPI share it: a SCIM user is
 * the OpenAPI user of the same name. User names and group names are case-insensitive, as in RAM.
 *
 * @example
 * const u = emu.state.seedConsoleUser('bob', 'Bob');   // a user SCIM did not create
 * emu.state.attachAccessKey('bob');                     // SCIM DELETE now answers 409
 * const again = EmulatorState.fromJSON(JSON.parse(JSON.stringify(emu.state)));  // same account, same ids
 *
 * Users are indexed by id, lower-cased name and externalId, and memberships both ways, so one
 * request costs about the same at 100,000 users as at 10 (a scan per write made large syncs
 * against the emulator measure the emulator, not the product).
 */
import {
  UserAttachments,
  type AccessKeyStatus,
  type LoginProfileInput,
  type StoredAccessKey,
  type StoredLoginProfile,
  type StoredPolicy,
} from './attachments';
import { ramError } from './errors';
import { IdSequence, ramDate } from './ids';
import { Memberships } from './memberships';
import { buildSnapshot, type EmulatorSnapshot } from './snapshot';
import { firstFreeId, parseStateJson, STATE_JSON_VERSION, type EmulatorStateJson } from './stateJson';

/** RAM's default quotas (IMS GetAccountSummary). */
export const RAM_QUOTAS = { groupsPerUser: 5, groupsPerAccount: 50, accessKeysPerUser: 2 } as const;

export interface StoredUser {
  id: string;
  userName: string;
  displayName: string;
  externalId?: string;
  createdBy: 'scim' | 'console';
  createDate: string;
  updateDate: string;
}

export interface StoredGroup {
  id: string;
  name: string;
  comments: string;
  createDate: string;
  updateDate: string;
}

export type { StoredMembership } from './memberships';

export interface UserInput {
  userName: string;
  displayName: string;
  externalId?: string;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const copy = <T extends object>(value: T): T => ({ ...value });

export class EmulatorState {
  readonly quotas = RAM_QUOTAS;
  private ids = new IdSequence();
  /** By id, in creation order (the order every listing pages through). */
  private readonly userMap = new Map<string, StoredUser>();
  private readonly userByLowerName = new Map<string, StoredUser>();
  private readonly userByExternal = new Map<string, StoredUser>();
  /** Creation rank, to report the same clash as a scan in creation order would. */
  private readonly userRank = new WeakMap<StoredUser, number>();
  private nextRank = 0;
  /** userMap's values as a list, kept until a user is created or deleted (renames change rows in place). */
  private listed: StoredUser[] | undefined;
  private readonly groupMap = new Map<string, StoredGroup>();
  private readonly memberships = new Memberships();
  private readonly attached = new UserAttachments(RAM_QUOTAS.accessKeysPerUser);
  private listener: (() => void) | undefined;

  /**
   * Rebuilds an account saved by toJSON(), ids and id sequence included, so ids handed out after a
   * restart never repeat old ones. Throws InvalidEmulatorStateError for anything malformed.
   */
  static fromJSON(saved: unknown): EmulatorState {
    const doc = parseStateJson(saved);
    const state = new EmulatorState();
    for (const user of doc.users) state.insertUser({ ...user });
    for (const group of doc.groups) state.groupMap.set(group.id, { ...group });
    for (const membership of doc.memberships) state.memberships.add({ ...membership });
    state.attached.restore(doc);
    state.ids = new IdSequence(firstFreeId(doc));
    return state;
  }

  /** The whole account as versioned plain JSON; `EmulatorState.fromJSON` reads it back. */
  toJSON(): EmulatorStateJson {
    return {
      v: STATE_JSON_VERSION,
      nextId: this.ids.nextValue,
      users: this.users(),
      groups: this.groups(),
      memberships: this.memberships.rows(),
      ...this.attached.toJSON(),
    };
  }

  /** Registers the one function called after every change (the emulator uses it to save the account). */
  onChange(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  // ---- users ----

  /** All users in creation order (copies). */
  users(): StoredUser[] {
    return this.userList().map(copy);
  }

  /**
   * All users in creation order, not copied, for read-only paging: kept between calls so listing
   * 100,000 users a page at a time does not copy them all for every page.
   */
  userList(): readonly Readonly<StoredUser>[] {
    this.listed ??= [...this.userMap.values()];
    return this.listed;
  }

  userById(id: string): StoredUser | undefined {
    const user = this.userMap.get(id);
    return user && copy(user);
  }

  userByName(userName: string): StoredUser | undefined {
    const user = this.findByName(userName);
    return user && copy(user);
  }

  userByExternalId(externalId: string): StoredUser | undefined {
    const user = this.userByExternal.get(externalId);
    return user && copy(user);
  }

  /** Creates a user; the caller has validated the fields. Refuses a duplicate name or externalId. */
  createUser(input: UserInput, createdBy: 'scim' | 'console'): StoredUser {
    this.assertUnique(input, undefined);
    const now = ramDate();
    const user: StoredUser = { id: this.ids.numeric('2764'), ...input, createdBy, createDate: now, updateDate: now };
    if (input.externalId === undefined) delete user.externalId;
    this.insertUser(user);
    this.changed();
    return copy(user);
  }

  /** Full replace of name, display name and externalId (SCIM PUT); the id never changes. */
  replaceUser(id: string, input: UserInput): StoredUser {
    const user = this.requireUserById(id);
    this.assertUnique(input, id);
    this.unindexUser(user);
    user.userName = input.userName;
    user.displayName = input.displayName;
    if (input.externalId === undefined) delete user.externalId;
    else user.externalId = input.externalId;
    this.indexUser(user);
    user.updateDate = ramDate();
    this.changed();
    return copy(user);
  }

  /** Deletes a user as SCIM does: refused while anything but a login profile is attached. */
  deleteUser(id: string): void {
    const user = this.requireUserById(id);
    if (this.memberships.countOfUser(id) > 0) {
      throw ramError('DeleteConflict.User.Group', 'The user still belongs to one or more groups.');
    }
    const conflict = this.attached.deleteConflictOf(id);
    if (conflict) throw ramError(`DeleteConflict.User.${conflict}`, `The user still has ${conflict} attached.`);
    this.attached.forget(id);
    this.unindexUser(user);
    this.userMap.delete(id);
    this.listed = undefined;
    this.changed();
  }

  /** A user made in the console: no externalId, so a sync must never touch it. */
  seedConsoleUser(userName: string, displayName: string): StoredUser {
    return this.createUser({ userName, displayName }, 'console');
  }

  // ---- groups and membership ----

  groups(): StoredGroup[] {
    return [...this.groupMap.values()].map(copy);
  }

  groupByName(name: string): StoredGroup | undefined {
    const group = this.findGroup(name);
    return group && copy(group);
  }

  createGroup(name: string, comments: string): StoredGroup {
    if (this.findGroup(name)) throw ramError('EntityAlreadyExists.Group', 'The group already exists.');
    if (this.groupMap.size >= RAM_QUOTAS.groupsPerAccount) {
      throw ramError('LimitExceeded.Group', `The account already has ${RAM_QUOTAS.groupsPerAccount} groups.`);
    }
    const now = ramDate();
    const group: StoredGroup = { id: this.ids.numeric('2835'), name, comments, createDate: now, updateDate: now };
    this.groupMap.set(group.id, group);
    this.changed();
    return copy(group);
  }

  updateGroup(name: string, change: { newName?: string; newComments?: string }): StoredGroup {
    const group = this.requireGroup(name);
    if (change.newName !== undefined) {
      const clash = this.findGroup(change.newName);
      if (clash && clash.id !== group.id) throw ramError('EntityAlreadyExists.Group', 'The group already exists.');
      group.name = change.newName;
    }
    if (change.newComments !== undefined) group.comments = change.newComments;
    group.updateDate = ramDate();
    this.changed();
    return copy(group);
  }

  deleteGroup(name: string): void {
    const group = this.requireGroup(name);
    if (this.memberships.countOfGroup(group.id) > 0) {
      throw ramError('DeleteConflict.Group.User', 'The group still has members.');
    }
    this.groupMap.delete(group.id);
    this.changed();
  }

  addUserToGroup(userName: string, groupName: string): void {
    const user = this.requireUser(userName);
    const group = this.requireGroup(groupName);
    if (this.memberships.has(user.id, group.id)) {
      throw ramError('EntityAlreadyExists.User.Group', 'The user is already a member of the group.');
    }
    if (this.memberships.countOfUser(user.id) >= RAM_QUOTAS.groupsPerUser) {
      throw ramError('LimitExceeded.User.Group', `The user already belongs to ${RAM_QUOTAS.groupsPerUser} groups.`);
    }
    this.memberships.add({ userId: user.id, groupId: group.id, joinDate: ramDate() });
    this.changed();
  }

  removeUserFromGroup(userName: string, groupName: string): void {
    const user = this.requireUser(userName);
    const group = this.requireGroup(groupName);
    if (!this.memberships.remove(user.id, group.id)) {
      throw ramError('EntityNotExist.User.Group', 'The user is not a member of the group.');
    }
    this.changed();
  }

  groupsForUser(userName: string): { group: StoredGroup; joinDate: string }[] {
    const user = this.requireUser(userName);
    return this.memberships
      .ofUser(user.id)
      .map((m) => ({ group: copy(this.groupMap.get(m.groupId) as StoredGroup), joinDate: m.joinDate }));
  }

  usersForGroup(groupName: string): { user: StoredUser; joinDate: string }[] {
    const group = this.requireGroup(groupName);
    return this.memberships
      .ofGroup(group.id)
      .map((m) => ({ user: copy(this.userMap.get(m.userId) as StoredUser), joinDate: m.joinDate }));
  }

  // ---- what hangs off a user (resolved by name, case-insensitively) ----

  attachAccessKey(userName: string): StoredAccessKey {
    return this.changedAfter(() => this.attached.addKey(this.requireUser(userName).id, this.ids.accessKeyId()));
  }

  accessKeysOf(userName: string): StoredAccessKey[] {
    return this.attached.keysOf(this.requireUser(userName).id);
  }

  updateAccessKey(userName: string, accessKeyId: string, status: AccessKeyStatus): void {
    this.changedAfter(() => this.attached.setKeyStatus(this.requireUser(userName).id, accessKeyId, status));
  }

  deleteAccessKey(userName: string, accessKeyId: string): void {
    this.changedAfter(() => this.attached.deleteKey(this.requireUser(userName).id, accessKeyId));
  }

  createLoginProfile(userName: string, input: LoginProfileInput = {}): StoredLoginProfile {
    return this.changedAfter(() => this.attached.createLoginProfile(this.requireUser(userName).id, input));
  }

  loginProfileOf(userName: string): StoredLoginProfile {
    return this.attached.loginProfileOf(this.requireUser(userName).id);
  }

  updateLoginProfile(userName: string, input: LoginProfileInput): void {
    this.changedAfter(() => this.attached.updateLoginProfile(this.requireUser(userName).id, input));
  }

  deleteLoginProfile(userName: string): void {
    this.changedAfter(() => this.attached.deleteLoginProfile(this.requireUser(userName).id));
  }

  attachPolicy(userName: string, policyName: string, policyType: 'System' | 'Custom' = 'System'): void {
    this.changedAfter(() => this.attached.attachPolicy(this.requireUser(userName).id, policyName, policyType));
  }

  policiesOf(userName: string): StoredPolicy[] {
    return this.attached.policiesOf(this.requireUser(userName).id);
  }

  detachPolicy(userName: string, policyName: string): void {
    this.changedAfter(() => this.attached.detachPolicy(this.requireUser(userName).id, policyName));
  }

  bindMfa(userName: string): void {
    this.changedAfter(() => this.attached.bindMfa(this.requireUser(userName).id, this.ids.mfaSerial()));
  }

  unbindMfa(userName: string): void {
    this.changedAfter(() => this.attached.unbindMfa(this.requireUser(userName).id));
  }

  /** Everything as plain JSON in a stable order, without generated ids or dates. */
  snapshot(): EmulatorSnapshot {
    return buildSnapshot(this.userMap, this.groupMap, this.memberships, this.attached);
  }

  private changed(): void {
    this.listener?.();
  }

  /** Runs a change to the attachments and reports it; a refused change (it throws) is not reported. */
  private changedAfter<T>(change: () => T): T {
    const result = change();
    this.changed();
    return result;
  }

  // ---- lookups that throw RAM's not-found errors ----

  requireUser(userName: string): StoredUser {
    const user = this.findByName(userName);
    if (!user) throw ramError('EntityNotExist.User', 'The user does not exist.');
    return user;
  }

  private requireUserById(id: string): StoredUser {
    const user = this.userMap.get(id);
    if (!user) throw ramError('EntityNotExist.User', 'The user does not exist.');
    return user;
  }

  private requireGroup(name: string): StoredGroup {
    const group = this.findGroup(name);
    if (!group) throw ramError('EntityNotExist.Group', 'The group does not exist.');
    return group;
  }

  private findByName(userName: string): StoredUser | undefined {
    return this.userByLowerName.get(userName.toLowerCase());
  }

  private findGroup(name: string): StoredGroup | undefined {
    return [...this.groupMap.values()].find((g) => same(g.name, name));
  }

  /** Refuses a name or externalId another user holds; with both taken, names the earlier-created holder's. */
  private assertUnique(input: UserInput, selfId: string | undefined): void {
    const other = (user: StoredUser | undefined) => (user && user.id !== selfId ? user : undefined);
    const byName = other(this.findByName(input.userName));
    const byExternal = input.externalId === undefined ? undefined : other(this.userByExternal.get(input.externalId));
    if (byName && (!byExternal || this.rank(byName) <= this.rank(byExternal))) {
      throw ramError('EntityAlreadyExists.User', 'A user with this name already exists.');
    }
    if (byExternal) throw ramError('EntityAlreadyExists.User', 'A user with this externalId already exists.');
  }

  private rank(user: StoredUser): number {
    return this.userRank.get(user) ?? 0;
  }

  private insertUser(user: StoredUser): void {
    this.userMap.set(user.id, user);
    this.userRank.set(user, this.nextRank++);
    this.indexUser(user);
    this.listed = undefined;
  }

  private indexUser(user: StoredUser): void {
    this.userByLowerName.set(user.userName.toLowerCase(), user);
    if (user.externalId !== undefined) this.userByExternal.set(user.externalId, user);
  }

  private unindexUser(user: StoredUser): void {
    this.userByLowerName.delete(user.userName.toLowerCase());
    if (user.externalId !== undefined) this.userByExternal.delete(user.externalId);
  }
}
