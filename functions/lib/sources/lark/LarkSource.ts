/**
 * Lark / Feishu as a directory for the engine: one person or department for `push`, everyone for
 * `full-sync` (every department under the root, then each one's direct members).
 */
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { LarkSourceConfig } from './config';
import { LARK_USER_DELETION_EVENTS, ROOT_DEPARTMENT_ID } from './constants';
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

  async getDepartment(sourceId: string): Promise<Department | undefined> {
    const department = await this.api.getDepartment(sourceId);
    return department ? toDepartment(department) : undefined;
  }

  async *listDepartments(): AsyncIterable<Department> {
    for await (const raw of this.api.departments(ROOT_DEPARTMENT_ID)) {
      const department = toDepartment(raw);
      if (department) yield department;
    }
  }

  /** Each person once, though they may be members of several departments. */
  async *listUsers(): AsyncIterable<Identity> {
    const seen = new Set<string>();
    const departmentIds = [ROOT_DEPARTMENT_ID];
    for await (const d of this.listDepartments()) departmentIds.push(d.sourceId);
    for (const departmentId of departmentIds) {
      for await (const user of this.api.usersInDepartment(departmentId)) {
        if (hasLeft(user)) continue;
        const identity = toIdentity(user, this.config.userIdType);
        if (!identity) {
          // Listing without the person's id would silently drop them, and full-sync would deprovision them.
          throw new LarkApiError(
            `Lark listed a user without ${this.config.userIdType}; grant the app the field scope for it (user_id: contact:user.employee_id:readonly)`,
            { retryable: false },
          );
        }
        if (seen.has(identity.sourceId)) continue;
        seen.add(identity.sourceId);
        yield identity;
      }
    }
  }
}

/**
 * @example
 * const config = parseLarkSourceConfig(process.env);
 * if (config) sources.push(createLarkSource(config));
 */
export function createLarkSource(config: LarkSourceConfig, options: LarkApiOptions = {}): LarkSource {
  return new LarkSource(config, new LarkApi(config, options));
}
