/**
 * DingTalk as a `Source` for the engine: one person or department by id for `push`, everything
 * for `full-sync` (the tree from root 1 by `listsub`, then each department's members by
 * `v2/user/list`). People who left are absent.
 */
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { DingtalkSourceConfig } from './config';
import { DingtalkApi, type DingtalkApiOptions } from './DingtalkApi';
import { toDepartment, toIdentity } from './mapping';
import { ROOT_DEPT_ID } from './types';

const DEPT_ID = /^[1-9][0-9]{0,15}$/;

export class DingtalkSource implements Source {
  readonly name = 'dingtalk' as const;
  readonly identifier = { type: 'userid' };
  /** The signed callback that says a person left the organisation. */
  readonly deletionEvents: ReadonlySet<string> = new Set(['user_leave_org']);

  constructor(private readonly api: DingtalkApi) {}

  async getUser(sourceId: string): Promise<Identity | undefined> {
    const user = await this.api.getUser(sourceId);
    return user ? toIdentity(user) : undefined;
  }

  async getDepartment(sourceId: string): Promise<Department | undefined> {
    // DingTalk department ids are positive integers; anything else cannot exist there.
    if (!DEPT_ID.test(sourceId)) return undefined;
    const dept = await this.api.getDepartment(Number(sourceId));
    return dept ? toDepartment(dept) : undefined;
  }

  async *listDepartments(): AsyncIterable<Department> {
    for await (const dept of this.walkTree()) yield toDepartment(dept);
  }

  /** Each person once, though they may sit in several departments. */
  async *listUsers(): AsyncIterable<Identity> {
    const seen = new Set<string>();
    for await (const dept of this.walkTree()) {
      for await (const user of this.api.listDepartmentUsers(dept.dept_id)) {
        if (seen.has(user.userid)) continue;
        seen.add(user.userid);
        yield toIdentity(user);
      }
    }
  }

  /** The root, then breadth first; a department seen twice (a moving tree) is walked once. */
  private async *walkTree(): AsyncIterable<{ dept_id: number; name: string; parent_id?: number }> {
    const root = await this.api.getDepartment(ROOT_DEPT_ID);
    if (!root) return;
    const seen = new Set<number>([root.dept_id]);
    const queue = [root];
    while (queue.length > 0) {
      const dept = queue.shift()!;
      yield dept;
      for (const child of await this.api.listSubDepartments(dept.dept_id)) {
        if (seen.has(child.dept_id)) continue;
        seen.add(child.dept_id);
        queue.push(child);
      }
    }
  }
}

/** @example const source = createDingtalkSource(parseDingtalkSourceConfig(process.env)!); */
export function createDingtalkSource(config: DingtalkSourceConfig, options: Partial<DingtalkApiOptions> = {}): DingtalkSource {
  return new DingtalkSource(new DingtalkApi({ ...options, baseUrl: config.apiUrl, appKey: config.appKey, appSecret: config.appSecret }));
}
