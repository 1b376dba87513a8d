/**
 * The seams the core owns: small structural interfaces that adapters implement.
 * One adapter per real system (RAM, DingTalk, Lark, WeCom, AD, an export file, files on disk or NAS)
 * and an embedded one where it runs locally.
 */
import type {
  AccessKeyStatus, Change, ChangeBatch, Department, Identity, RamAccessKey, RamGroup, RamLoginProfile, RamUser, RamUserInput,
  SourceName,
} from './model';

/**
 * A directory of people. `getUser`/`getDepartment` answer `undefined` only on the source's documented
 * "no such user / department" (it left, or was deleted): absence is a fact, and people are
 * deprovisioned on it. An answer that may only mean "you may not see it" (outside the app's contact
 * scope, no permission) is thrown as a `NotVisibleError`, never reported as absence.
 *
 * @example
 * for await (const person of source.listUsers()) desired.push(person);
 */
export interface Source {
  readonly name: SourceName;
  /**
   * The kind of id `sourceId` is (Lark: `union_id`, `open_id` or `user_id`) and the variable that
   * chooses it. Recorded on the first sync; a later run with another kind stops before planning.
   */
  readonly identifier?: { type: string; variable?: string };
  /**
   * Change reasons that are verified deletion events of this source (a signed `user_leave_org`):
   * for the person they name, a `NotVisibleError` on reading counts as proof of absence.
   */
  readonly deletionEvents?: ReadonlySet<string>;
  getUser(sourceId: string): Promise<Identity | undefined>;
  getDepartment(sourceId: string): Promise<Department | undefined>;
  listUsers(): AsyncIterable<Identity>;
  listDepartments(): AsyncIterable<Department>;
  /**
   * The person's id of kind `to`, looked up by their id of kind `from` (kinds as in `identifier.type`),
   * for re-linking RAM users when the configured kind changes. `undefined` only on the source's
   * documented "no such user"; outside the app's scope is a `NotVisibleError`; an answer without the
   * `to` id (a field scope not granted) is a final error naming what to grant. Only sources whose
   * people carry several kinds of id have it (Lark).
   *
   * @example
   * await lark.translateId('on_7f3a…', 'union_id', 'open_id'); // 'ou_91c2…'
   */
  translateId?(sourceId: string, from: string, to: string): Promise<string | undefined>;
  /**
   * Everyone currently in the department or any department below it, each person once, read in
   * pages within the vendor's rate limits. Answers `undefined` only on the source's documented "no
   * such department" (it was deleted), checked before the listing starts; a department outside the
   * app's scope is a `NotVisibleError`. Only the returned listing reads people, lazily. AD leaves it
   * out: its poller already names a changed group's members, former ones included.
   *
   * @example
   * const members = await source.listDepartmentMembers?.('42');
   * if (members) for await (const person of members) replan(person);
   */
  listDepartmentMembers?(departmentId: string): Promise<AsyncIterable<Identity> | undefined>;
  /** Releases what the source holds between invocations (AD's LDAP connection); the next call reopens. */
  close?(): Promise<void>;
}

/**
 * RAM as the engine sees it: SCIM for users, the OpenAPI for groups, memberships, AccessKeys and
 * login profiles. Users are addressed by SCIM `id`; OpenAPI calls by the short `userName`.
 * Failures are thrown as the RAM module's typed errors (retryable or final).
 */
export interface RamTarget {
  listUsers(): AsyncIterable<RamUser>;
  getUser(id: string): Promise<RamUser | undefined>;
  findUserByExternalId(externalId: string): Promise<RamUser | undefined>;
  findUserByUserName(userName: string): Promise<RamUser | undefined>;
  createUser(user: RamUserInput): Promise<RamUser>;
  replaceUser(id: string, user: RamUserInput): Promise<RamUser>;
  deleteUser(id: string): Promise<void>;

  listGroups(): AsyncIterable<RamGroup>;
  createGroup(group: RamGroup): Promise<void>;
  updateGroup(groupName: string, change: { newGroupName?: string; comments?: string }): Promise<void>;
  /** userNames of the group's members. */
  listGroupMembers(groupName: string): AsyncIterable<string>;
  listGroupsForUser(userName: string): Promise<string[]>;
  addUserToGroup(groupName: string, userName: string): Promise<void>;
  removeUserFromGroup(groupName: string, userName: string): Promise<void>;

  listAccessKeys(userName: string): Promise<RamAccessKey[]>;
  setAccessKeyStatus(userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<void>;
  getLoginProfile(userName: string): Promise<RamLoginProfile | undefined>;
  deleteLoginProfile(userName: string): Promise<void>;
  /** Console login back for a restored user; the password is new and must be reset by the person. */
  createLoginProfile(userName: string, profile: RamLoginProfile & { password: string }): Promise<void>;
}

/**
 * Small durable JSON records (the AD watermark, suspensions, Native-app refresh tokens, the
 * deletion safeguard's ledger). `put` replaces atomically; `get` of a missing key answers undefined.
 */
export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix, e.g. `suspension/`. */
  list(prefix: string): Promise<string[]>;
  /**
   * Read-modify-write of one record, atomic across every process sharing the store (push instances
   * on one NAS): `change` gets the current value and returns the next one, or `undefined` to write
   * nothing. When another writer got there first, `change` runs again on the newer value, so it
   * must be a pure function of its argument. Answers the value stored after the call. A key written
   * with `update` is written only with `update` (`get`, `list` and `delete` see it as usual).
   *
   * `durable: false` (for records a crash may lose, such as leases, which expire anyway) skips the
   * flushes to disk that make a write survive a power cut; atomicity is the same.
   *
   * @example
   * await state.update<{ n: number }>('counter', (c) => ({ n: (c?.n ?? 0) + 1 }));
   */
  update<T>(key: string, change: (current: T | undefined) => T | undefined, options?: UpdateOptions): Promise<T | undefined>;
}

export interface UpdateOptions {
  /** Default true: the write is on disk before `update` answers. */
  durable?: boolean;
}

/** One structured line per applied step; the sink must never receive email, mobile or secrets. */
export interface ProvisioningLogLine {
  runId: string;
  changeId?: string;
  source?: SourceName;
  externalId?: string;
  userName?: string;
  groupName?: string;
  /** A department change's department (its source id). */
  departmentId?: string;
  action: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'staged' | 'planned';
  reason: string;
  recommendedAction?: string;
  retryable?: boolean;
}

export type ProvisioningLog = (line: ProvisioningLogLine) => void;

/**
 * Structured logging as adapters see it (webhooks, pollers): a line is a message plus fields; the
 * implementation (fc/logger.ts) tags it with the invocation and masks secrets, emails and phones.
 *
 * @example
 * log.child({ source: 'dingtalk' }).warn('callback refused', { reason: 'signature' });
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger adding `fields` to every line. */
  child(fields: LogFields): Logger;
  readonly level: LogLevel;
}

/**
 * Where webhooks and pollers put changes for `push`. `publish` resolves once every batch is durably
 * accepted (FC's async queue, or the local SQLite queue) and throws otherwise, so a webhook can
 * answer 5xx and let the platform retry.
 *
 * @example
 * await queue.publish([{ source: 'dingtalk', kind: 'user', sourceId: '0123', reason: 'user_modify_org' }]);
 * await queue.publish(changes, { dedupeKey: `wecom\n${signature}\n${timestamp}\n${nonce}` }); // a replay is enqueued once
 */
export interface ChangeQueue {
  publish(changes: Change[], options?: PublishRequest): Promise<ChangeBatch[]>;
}

export interface PublishRequest {
  /**
   * Names the request the changes came from (a vendor's signed callback). Publishing the same key
   * again, from any instance, resolves as accepted without enqueueing anything twice (FC's async
   * task ids, kept 7 days); the same changes are expected under the same key.
   */
  dedupeKey?: string;
}

/** Alibaba Cloud credentials an adapter signs with: long-lived keys locally, the FC role's STS keys in FC. */
export interface CloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}
