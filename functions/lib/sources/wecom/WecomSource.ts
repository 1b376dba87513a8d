/**
 * WeCom as a `Source` for the engine: one member or department for `push`, everything for
 * `full-sync` (department/simplelist + department/get, user/list_id + user/get, as WeCom asks of
 * new integrations since 2022-08-15), and the people of one department's tree when it changes.
 */
import type { Department, Identity, SourceName } from '../../core/model';
import type { Source } from '../../core/ports';
import type { WecomSourceConfig } from './config';
import { departmentFromWecom, identityFromWecom } from './fields';
import { WecomApi, type WecomApiOptions, type WecomDeptUser } from './WecomApi';

/** Department ids are numbers; anything else cannot name one. */
const DEPARTMENT_ID = /^[0-9]{1,19}$/;

export interface WecomSourceOptions {
  /** Detail calls (user/get, department/get) in flight at once during a listing. Default 8. */
  concurrency?: number;
  /** Passed to the API client (retry policy, timeouts, page size). */
  api?: Partial<Omit<WecomApiOptions, 'corpId' | 'secret' | 'apiUrl'>>;
}

/**
 * @example
 * const source = createWecomSource(parseWecomSourceConfig(process.env)!);
 * await source.getUser('zhangsan'); // Identity, or undefined when deleted or exited
 */
export class WecomSource implements Source {
  readonly name = 'wecom' satisfies SourceName;
  readonly identifier = { type: 'userid' };
  /** The signed callback that says a member was deleted. */
  readonly deletionEvents: ReadonlySet<string> = new Set(['delete_user']);
  private readonly concurrency: number;

  constructor(private readonly api: WecomApi, options: Pick<WecomSourceOptions, 'concurrency'> = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  async getUser(sourceId: string): Promise<Identity | undefined> {
    const user = await this.api.getUser(sourceId);
    return user && identityFromWecom(user);
  }

  async getDepartment(sourceId: string): Promise<Department | undefined> {
    if (!DEPARTMENT_ID.test(sourceId)) return undefined;
    const department = await this.api.getDepartment(sourceId);
    return department && departmentFromWecom(department);
  }

  async *listUsers(): AsyncIterable<Identity> {
    yield* this.members(() => true);
  }

  /**
   * Everyone in the department's tree (`department/simplelist?id=`; 60123 means it is gone): the
   * rows of `user/list_id` in one of its departments, then `user/get` for each person, as
   * `listUsers` does for everyone. The contact sync secret sees the whole directory, so WeCom has
   * no "outside the scope" answer to tell apart here.
   */
  async listDepartmentMembers(departmentId: string): Promise<AsyncIterable<Identity> | undefined> {
    if (!DEPARTMENT_ID.test(departmentId)) return undefined;
    const tree = await this.api.listDepartmentIds(departmentId);
    if (!tree) return undefined;
    const inTree = new Set(tree.map((d) => d.id));
    return this.members((row) => row.department !== undefined && inTree.has(row.department));
  }

  async *listDepartments(): AsyncIterable<Department> {
    const ids = [...new Set((await this.api.listDepartmentIds()).map((d) => String(d.id)))];
    for (let i = 0; i < ids.length; i += this.concurrency * 4) {
      yield* await this.fetchAll(ids.slice(i, i + this.concurrency * 4), (id) => this.getDepartment(id));
    }
  }

  /** The people of the `list_id` rows that `wanted`, each once, details fetched `concurrency` at a time. */
  private async *members(wanted: (row: WecomDeptUser) => boolean): AsyncIterable<Identity> {
    // list_id has one row per (person, department): ask for each person once.
    const seen = new Set<string>();
    let batch: string[] = [];
    for await (const row of this.api.listUserIds()) {
      if (!wanted(row) || seen.has(row.userid)) continue;
      seen.add(row.userid);
      batch.push(row.userid);
      if (batch.length >= this.concurrency * 4) {
        yield* await this.fetchAll(batch, (id) => this.getUser(id));
        batch = [];
      }
    }
    yield* await this.fetchAll(batch, (id) => this.getUser(id));
  }

  /** Details for a batch of ids, `concurrency` at a time, in order; the absent are left out. */
  private async fetchAll<T>(ids: string[], fetchOne: (id: string) => Promise<T | undefined>): Promise<T[]> {
    const results: (T | undefined)[] = new Array(ids.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < ids.length) {
        const i = next++;
        results[i] = await fetchOne(ids[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, lane));
    return results.filter((r): r is T => r !== undefined);
  }
}

export function createWecomSource(config: WecomSourceConfig, options: WecomSourceOptions = {}): WecomSource {
  const api = new WecomApi({ ...options.api, corpId: config.corpId, secret: config.secret, apiUrl: config.apiUrl });
  return new WecomSource(api, options);
}
