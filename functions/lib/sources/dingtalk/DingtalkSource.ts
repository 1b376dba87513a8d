/**
 * DingTalk as a `Source` for the engine: one person or department by id for `push`, everything
 * for `full-sync` (the tree from root 1 by `listsub`, then each department's members by
 * `v2/user/list`), and the same walk from one department when it changes. People who left are absent.
 */
import { NotVisibleError } from '../../core/errors';
import type { Department, Identity } from '../../core/model';
import type { Source } from '../../core/ports';
import type { DingtalkSourceConfig } from './config';
import { DingtalkApi, type DingtalkApiOptions } from './DingtalkApi';
import { DINGTALK_ACTIONS, ERRCODE } from './errcodes';
import { DingtalkApiError } from './errors';
import { toDepartment, toIdentity } from './mapping';
import { type DingtalkDepartment, ROOT_DEPT_ID } from './types';

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
    const dept = await this.readDepartment(sourceId);
    return dept ? toDepartment(dept) : undefined;
  }

  async *listDepartments(): AsyncIterable<Department> {
    const root = await this.api.getDepartment(ROOT_DEPT_ID);
    if (root) for await (const dept of this.walkTree(root)) yield toDepartment(dept);
  }

  /** Each person once, though they may sit in several departments. */
  async *listUsers(): AsyncIterable<Identity> {
    const root = await this.api.getDepartment(ROOT_DEPT_ID);
    if (root) yield* this.membersOf(this.walkTree(root));
  }

  /**
   * The department's tree by `listsub`, then each department's members by `v2/user/list`, as
   * `listUsers` does from the root. `department/get` first: its 60003 is DingTalk's "no such department".
   */
  async listDepartmentMembers(departmentId: string): Promise<AsyncIterable<Identity> | undefined> {
    const dept = await this.readDepartment(departmentId);
    return dept && this.membersOf(this.walkTree(dept));
  }

  /** `department/get`: 60003 is absence; 50004 (outside the app's contact scope) is not. */
  private async readDepartment(sourceId: string): Promise<DingtalkDepartment | undefined> {
    // DingTalk department ids are positive integers; anything else cannot exist there.
    if (!DEPT_ID.test(sourceId)) return undefined;
    try {
      return await this.api.getDepartment(Number(sourceId));
    } catch (error) {
      if (error instanceof DingtalkApiError && error.errcode === ERRCODE.deptNotVisible) {
        throw new NotVisibleError({
          kind: 'department', sourceId, code: error.code, reason: 'outside the app\'s contact scope',
          recommendedAction: DINGTALK_ACTIONS[ERRCODE.deptNotVisible]!,
        });
      }
      throw error;
    }
  }

  /** The members of every department walked, each person once. */
  private async *membersOf(departments: AsyncIterable<DingtalkDepartment>): AsyncIterable<Identity> {
    const seen = new Set<string>();
    for await (const dept of departments) {
      for await (const user of this.api.listDepartmentUsers(dept.dept_id)) {
        if (seen.has(user.userid)) continue;
        seen.add(user.userid);
        yield toIdentity(user);
      }
    }
  }

  /** `top`, then breadth first below it; a department seen twice (a moving tree) is walked once. */
  private async *walkTree(top: DingtalkDepartment): AsyncIterable<DingtalkDepartment> {
    const seen = new Set<number>([top.dept_id]);
    const queue = [top];
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
