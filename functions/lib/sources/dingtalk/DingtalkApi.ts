/**
 * The DingTalk open API (`oapi.dingtalk.com`, reference/webhooks.md §1.5): the only file that
 * talks to DingTalk, through the vendor client (../vendorClient.ts) with DingTalk's table
 * (errcodes.ts). A person or department that is gone is answered `undefined`, not an error.
 */
import { retryPolicy } from '../../core/retryPolicy';
import { type VendorApiOptions, VendorClient } from '../vendorClient';
import { DINGTALK_TABLE, type DingtalkRequest, ERRCODE } from './errcodes';
import { DingtalkApiError } from './errors';
import type { DingtalkDepartment, DingtalkFailedCallbacks, DingtalkUser, DingtalkUserPage } from './types';

export interface DingtalkApiOptions extends VendorApiOptions {
  /** e.g. `https://oapi.dingtalk.com` (no trailing slash needed). */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** Users per `v2/user/list` page (1..100); default 100, DingTalk's maximum. */
  pageSize?: number;
}

/**
 * @example
 * const api = new DingtalkApi({ baseUrl: 'https://oapi.dingtalk.com', appKey, appSecret });
 * const person = await api.getUser('0123'); // undefined when they left
 */
export class DingtalkApi {
  private readonly client: VendorClient<DingtalkRequest>;

  constructor(private readonly options: DingtalkApiOptions) {
    this.client = new VendorClient({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      // Equal jitter: at least half the ceiling, so parallel calls spread without retrying at once.
      retry: retryPolicy({ maxAttempts: 5, baseMs: 250, capMs: 8000, jitter: 'equal', ...options.retry }),
      token: {
        issue: () => this.issueToken(), queryParameter: 'access_token', now: options.now,
        // Renewed five minutes before DingTalk's 7,200 s expire; the repeat after a refusal is one of the attempts.
        renewEarly: () => 300, refreshSpendsAttempt: true,
      },
    }, DINGTALK_TABLE);
  }

  /** `topapi/v2/user/get`; undefined when DingTalk does not know the user (left or deleted). */
  async getUser(userid: string): Promise<DingtalkUser | undefined> {
    return this.topapi<DingtalkUser>('/topapi/v2/user/get', { userid, language: 'zh_CN' }, ERRCODE.userNotFound);
  }

  /** `topapi/v2/department/get`; undefined when the department is gone. */
  async getDepartment(deptId: number): Promise<DingtalkDepartment | undefined> {
    return this.topapi<DingtalkDepartment>('/topapi/v2/department/get', { dept_id: deptId, language: 'zh_CN' }, ERRCODE.deptNotFound);
  }

  /** `topapi/v2/department/listsub`: the direct sub-departments. */
  async listSubDepartments(deptId: number): Promise<DingtalkDepartment[]> {
    return (await this.topapi<DingtalkDepartment[]>('/topapi/v2/department/listsub', { dept_id: deptId, language: 'zh_CN' }, ERRCODE.deptNotFound)) ?? [];
  }

  /** `topapi/v2/user/list`: the department's direct members with details, page by page (cursor). */
  async *listDepartmentUsers(deptId: number): AsyncIterable<DingtalkUser> {
    const size = Math.min(100, Math.max(1, this.options.pageSize ?? 100));
    let cursor = 0;
    for (;;) {
      const page = await this.topapi<DingtalkUserPage>(
        '/topapi/v2/user/list',
        { dept_id: deptId, cursor, size, order_field: 'entry_asc', contain_access_limit: false, language: 'zh_CN' },
        ERRCODE.deptNotFound,
      );
      if (!page) return;
      yield* page.list ?? [];
      if (!page.has_more) return;
      if (typeof page.next_cursor !== 'number' || page.next_cursor <= cursor) {
        throw new DingtalkApiError({
          api: '/topapi/v2/user/list', code: 'InvalidAnswer', retryable: false, detail: 'did not advance its cursor',
        });
      }
      cursor = page.next_cursor;
    }
  }

  /**
   * `GET call_back/get_call_back_failed_result`: one page (≤ 200) of pushes DingTalk could not
   * deliver, and `has_more`. DingTalk deletes what it answers, so what a caller fails to keep is gone.
   */
  async getFailedCallbacks(): Promise<DingtalkFailedCallbacks> {
    return (await this.client.request<DingtalkFailedCallbacks>({ method: 'GET', path: '/call_back/get_call_back_failed_result' }))!;
  }

  private topapi<T>(path: string, json: object, absentOn: number): Promise<T | undefined> {
    return this.client.request<T>({ method: 'POST', path, json, absentOn, envelope: true });
  }

  private async issueToken(): Promise<{ token: string; expiresIn: number }> {
    const answer = (await this.client.request<{ access_token?: string; expires_in?: number }>({
      method: 'GET', path: '/gettoken', query: { appkey: this.options.appKey, appsecret: this.options.appSecret }, anonymous: true,
    }))!;
    if (!answer.access_token) {
      throw new DingtalkApiError({ api: '/gettoken', code: 'InvalidAnswer', retryable: false, detail: 'answered without an access_token' });
    }
    return { token: answer.access_token, expiresIn: Number(answer.expires_in) || 7200 };
  }
}
