/**
 * The WeCom server API for reading the directory (reference/webhooks.md §3.3), with the contact
 * sync secret: `gettoken`, `user/get`, `department/get`, `department/simplelist` and `user/list_id`
 * (cursor paging), sent through the vendor client (../vendorClient.ts) with WeCom's table
 * (errcodes.ts): set-up mistakes (40001, 48002, 60020) are `WecomConfigurationError`s with the
 * fix; a missing user or department is `undefined`.
 */
import { retryPolicy } from '../../core/retryPolicy';
import { type VendorApiOptions, VendorClient } from '../vendorClient';
import { WECOM_ERRCODES, type WecomRequest, invalidAnswer, wecomTable } from './errcodes';

/** `user/get`'s answer, as far as we read it. Fields may be missing (permissions, 2022-06-20 rules). */
export interface WecomUser {
  userid: string;
  name?: string;
  department?: number[];
  main_department?: number;
  position?: string;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  alias?: string;
  status?: number;
  direct_leader?: string[];
  open_userid?: string;
}

export interface WecomDepartment {
  id: number;
  name?: string;
  name_en?: string;
  parentid?: number;
  order?: number;
}

export interface WecomDepartmentId {
  id: number;
  parentid?: number;
  order?: number;
}

/** One row of `user/list_id`: a person appears once per department they are in. */
export interface WecomDeptUser {
  userid: string;
  department?: number;
}

export interface WecomApiOptions extends VendorApiOptions {
  corpId: string;
  secret: string;
  /** E.g. `https://qyapi.weixin.qq.com/cgi-bin`. */
  apiUrl: string;
  /** `user/list_id` page size, 1–10000. Default 10000. */
  pageSize?: number;
}

type Answer = Record<string, unknown>;

const USER_MISSING = new Set<number>([WECOM_ERRCODES.userNotFound]);
const DEPARTMENT_MISSING = new Set<number>([WECOM_ERRCODES.departmentNotFound, 60003]);

/**
 * @example
 * const api = new WecomApi({ corpId, secret, apiUrl: DEFAULT_WECOM_API_URL });
 * await api.getUser('zhangsan'); // WecomUser, or undefined when no such member
 * for await (const row of api.listUserIds()) …
 */
export class WecomApi {
  private readonly client: VendorClient<WecomRequest>;
  private readonly pageSize: number;

  constructor(private readonly options: WecomApiOptions) {
    this.pageSize = Math.min(10_000, Math.max(1, options.pageSize ?? 10_000));
    this.client = new VendorClient({
      baseUrl: options.apiUrl,
      timeoutMs: options.timeoutMs,
      retry: retryPolicy({ baseMs: 500, capMs: 15_000, ...options.retry }),
      token: { issue: () => this.issueToken(), queryParameter: 'access_token', now: options.now },
    }, wecomTable(options.secret));
  }

  async getUser(userId: string): Promise<WecomUser | undefined> {
    const answer = await this.call('user/get', { query: { userid: userId }, absentOn: USER_MISSING });
    if (answer === undefined) return undefined;
    if (typeof answer.userid !== 'string') throw invalidAnswer('user/get', 'no userid');
    return answer as unknown as WecomUser;
  }

  async getDepartment(id: string): Promise<WecomDepartment | undefined> {
    const answer = await this.call('department/get', { query: { id }, absentOn: DEPARTMENT_MISSING });
    if (answer === undefined) return undefined;
    const department = answer.department as WecomDepartment | undefined;
    if (!department || typeof department.id !== 'number') throw invalidAnswer('department/get', 'no department');
    return department;
  }

  /**
   * Every department under `rootId` (itself included), ids and parents only. Default: all (root 1's
   * tree). Undefined when `rootId` names no department (60123), as after it was deleted.
   */
  listDepartmentIds(): Promise<WecomDepartmentId[]>;
  listDepartmentIds(rootId: string): Promise<WecomDepartmentId[] | undefined>;
  async listDepartmentIds(rootId?: string): Promise<WecomDepartmentId[] | undefined> {
    const query = rootId === undefined ? undefined : { id: rootId };
    const answer = await this.call('department/simplelist', { query, absentOn: rootId === undefined ? undefined : DEPARTMENT_MISSING });
    if (answer === undefined) return undefined;
    const list = answer.department_id;
    if (!Array.isArray(list) || !list.every((d) => typeof d?.id === 'number')) {
      throw invalidAnswer('department/simplelist', 'no department_id list');
    }
    return list as WecomDepartmentId[];
  }

  /** Every (userid, department) pair, page by page; an empty or missing `next_cursor` ends it. */
  async *listUserIds(): AsyncIterable<WecomDeptUser> {
    let cursor = '';
    for (;;) {
      const answer = await this.call('user/list_id', { json: { cursor, limit: this.pageSize } });
      const rows = answer?.dept_user ?? [];
      if (!Array.isArray(rows) || !rows.every((r) => typeof r?.userid === 'string')) {
        throw invalidAnswer('user/list_id', 'dept_user is not a list of userids');
      }
      yield* rows as WecomDeptUser[];
      const next = answer?.next_cursor;
      if (typeof next !== 'string' || next === '') return;
      // A server answering the same cursor again would page forever.
      if (next === cursor) throw invalidAnswer('user/list_id', 'next_cursor repeats');
      cursor = next;
    }
  }

  /** One API call (POST when it has a body); errcodes in `absentOn` answer undefined. */
  private call(operation: string, call: Pick<WecomRequest, 'query' | 'absentOn' | 'json'>): Promise<Answer | undefined> {
    return this.client.request<Answer>({ ...call, method: call.json ? 'POST' : 'GET', path: `/${operation}`, operation });
  }

  private async issueToken(): Promise<{ token: string; expiresIn: number }> {
    const { corpId, secret } = this.options;
    const answer = (await this.client.request<Answer>({
      method: 'GET', path: '/gettoken', operation: 'gettoken', query: { corpid: corpId, corpsecret: secret }, anonymous: true,
    }))!;
    const { access_token: token, expires_in: expiresIn } = answer;
    if (typeof token !== 'string' || token === '') throw invalidAnswer('gettoken', 'no access_token');
    return { token, expiresIn: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 7200 };
  }
}
