/**
 * Lark / Feishu as a directory for the engine: one person or department for `push`, everyone for
 * `full-sync` (every department under the root, then each one's direct members), and the same
 * from one department when it changes.
 */
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { LarkSourceConfig } from './config';
import { LARK_USER_DELETION_EVENTS, LARK_USER_ID_TYPES, type LarkUserIdType, ROOT_DEPARTMENT_ID } from './constants';
import { LarkApiError } from './errors';
import { LarkApi, type LarkApiOptions } from './LarkApi';
import { toDepartment, toIdentity, hasLeft } from './mapping';

export class LarkSource implements Source {
  readonly name = 'lark' as const;
  readonly identifier: { type: string; variable: string };
  readonly deletionEvents = LARK_USER_DELETION_EVENTS;

  constructor(private readonly config: LarkSourceConfig, private readonly api: LarkApi = new LarkApi(config)) {
    this.identifier = { type: config.userIdType, variable: 'LARK_USER_ID_TYPE' };
  }

  async getUser(sourceId: string): Promise<Identity | undefined> {
    const user = await this.api.getUser(sourceId);
    return user ? toIdentity(user, this.config.userIdType, sourceId) : undefined;
  }

  /**
   * The person's `to` id, looked up by their `from` id: one `GET /contact/v3/users/:user_id` with
   * `user_id_type=<from>`, whose answer carries every id the app may see. People who resigned are
   * still answered, so their RAM users (held, or not yet deprovisioned) follow too.
   */
  async translateId(sourceId: string, from: string, to: string): Promise<string | undefined> {
    const user = await this.api.getUser(sourceId, idType(from));
    if (!user) return undefined;
    const id = user[idType(to)]?.trim();
    if (!id) throw missingId(`answered user ${sourceId}`, idType(to));
    return id;
  }

  async getDepartment(sourceId: string): Promise<Department | undefined> {
    const department = await this.api.getDepartment(sourceId);
    return department ? toDepartment(department) : undefined;
  }

  async *listDepartments(): AsyncIterable<Department> {
    yield* this.departmentsBelow(ROOT_DEPARTMENT_ID);
  }

  /** Each person once, though they may be members of several departments. */
  async *listUsers(): AsyncIterable<Identity> {
    yield* this.membersOf(this.subtree(ROOT_DEPARTMENT_ID));
  }

  /**
   * The department's members and those of every department below it (`children` with
   * `fetch_child`), as `listUsers` reads from the root. The department is read first: 40015 (or a
   * department marked deleted) is absence, 40004 (outside the contact scope) a `NotVisibleError`.
   */
  async listDepartmentMembers(departmentId: string): Promise<AsyncIterable<Identity> | undefined> {
    // The root cannot be deleted, and is not read like other departments.
    if (departmentId !== ROOT_DEPARTMENT_ID && !(await this.getDepartment(departmentId))) return undefined;
    return this.membersOf(this.subtree(departmentId));
  }

  private async *departmentsBelow(parentId: string): AsyncIterable<Department> {
    for await (const raw of this.api.departments(parentId)) {
      const department = toDepartment(raw);
      if (department) yield department;
    }
  }

  /** `top`, then every department below it. */
  private async *subtree(top: string): AsyncIterable<string> {
    yield top;
    for await (const department of this.departmentsBelow(top)) yield department.sourceId;
  }

  /** The direct members of each department, each person once; people who left are skipped. */
  private async *membersOf(departmentIds: AsyncIterable<string>): AsyncIterable<Identity> {
    const seen = new Set<string>();
    for await (const departmentId of departmentIds) {
      for await (const user of this.api.usersInDepartment(departmentId)) {
        if (hasLeft(user)) continue;
        const identity = toIdentity(user, this.config.userIdType);
        // Listing without the person's id would silently drop them, and full-sync would deprovision them.
        if (!identity) throw missingId('listed a user', this.config.userIdType);
        if (seen.has(identity.sourceId)) continue;
        seen.add(identity.sourceId);
        yield identity;
      }
    }
  }
}

function idType(type: string): LarkUserIdType {
  if ((LARK_USER_ID_TYPES as readonly string[]).includes(type)) return type as LarkUserIdType;
  const reason = `${type} is not a Lark id type (expected one of ${LARK_USER_ID_TYPES.join(', ')})`;
  throw new LarkApiError({ code: 'InvalidIdType', retryable: false, reason });
}

/** Lark leaves out an id whose field scope the app lacks; only user_id has one. */
function missingId(what: string, type: LarkUserIdType): LarkApiError {
  const recommendedAction = 'grant the app the field scope for it (user_id: contact:user.employee_id:readonly)';
  return new LarkApiError({ code: 'MissingIdField', retryable: false, reason: `Lark ${what} without ${type}; ${recommendedAction}`, recommendedAction });
}

/**
 * @example
 * const config = parseLarkSourceConfig(process.env);
 * if (config) sources.push(createLarkSource(config));
 */
export function createLarkSource(config: LarkSourceConfig, options: LarkApiOptions = {}): LarkSource {
  return new LarkSource(config, new LarkApi(config, options));
}
