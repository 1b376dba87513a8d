/**
 * The WeCom server API for reading the directory (reference/webhooks.md §3.3), with the contact
 * sync secret: `gettoken` (cached, renewed on 40014/42001), `user/get`, `department/get`,
 * `department/simplelist` and `user/list_id` (cursor paging). Busy and throttled answers (-1, 45009,
 * 45033), 5xx and network failures are retried with backoff; set-up mistakes (40001, 48002,
 * 60020) are `WecomConfigurationError`s with the fix; a missing user or department is `undefined`.
 */
import { BACKOFF_ERRCODES, TOKEN_ERRCODES, WECOM_ERRCODES, errorForErrcode } from './errcodes';
import { WecomApiError } from './errors';
import { AccessTokenCache } from '../../core/accessToken';
import { backoffMs, retryPolicy, type RetryPolicy } from '../../core/retryPolicy';

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

export interface WecomApiOptions {
  corpId: string;
  secret: string;
  /** E.g. `https://qyapi.weixin.qq.com/cgi-bin`. */
  apiUrl: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Default: 5 attempts, 500 ms first ceiling, 15 s largest wait. */
  retry?: Partial<RetryPolicy>;
  /** `user/list_id` page size, 1–10000. Default 10000. */
  pageSize?: number;
  now?: () => number;
}

type Answer = Record<string, unknown>;
type Request = { path: string; query?: Record<string, string>; body?: object };

const DEPARTMENT_MISSING = new Set<number>([WECOM_ERRCODES.departmentNotFound, 60003]);

/**
 * @example
 * const api = new WecomApi({ corpId, secret, apiUrl: DEFAULT_WECOM_API_URL });
 * await api.getUser('zhangsan'); // WecomUser, or undefined when no such member
 * for await (const row of api.listUserIds()) …
 */
export class WecomApi {
  private readonly tokens: AccessTokenCache;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly pageSize: number;

  constructor(private readonly options: WecomApiOptions) {
    this.retry = retryPolicy({ baseMs: 500, capMs: 15_000, ...options.retry });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pageSize = Math.min(10_000, Math.max(1, options.pageSize ?? 10_000));
    this.tokens = new AccessTokenCache(() => this.fetchToken(), { now: options.now });
  }

  async getUser(userId: string): Promise<WecomUser | undefined> {
    const answer = await this.call('user/get', { path: 'user/get', query: { userid: userId } }, new Set([WECOM_ERRCODES.userNotFound]));
    if (answer === undefined) return undefined;
    if (typeof answer.userid !== 'string') throw invalidAnswer('user/get', 'no userid');
    return answer as unknown as WecomUser;
  }

  async getDepartment(id: string): Promise<WecomDepartment | undefined> {
    const answer = await this.call('department/get', { path: 'department/get', query: { id } }, DEPARTMENT_MISSING);
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
    const answer = await this.call('department/simplelist', { path: 'department/simplelist', query }, rootId === undefined ? undefined : DEPARTMENT_MISSING);
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
      const answer = await this.call('user/list_id', { path: 'user/list_id', body: { cursor, limit: this.pageSize } });
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

  /**
   * One API call with the cached token, renewed once if WeCom refuses it (40014/42001). Errcodes in
   * `absentOn` answer undefined; any other non-zero errcode is thrown as a typed error.
   */
  private async call(operation: string, request: Request, absentOn: ReadonlySet<number> = new Set()): Promise<Answer | undefined> {
    for (let renewals = 0; ; renewals++) {
      const token = await this.tokens.get();
      const answer = await this.exchange(operation, { ...request, query: { ...request.query, access_token: token } });
      const errcode = answer.errcode as number;
      if (errcode === WECOM_ERRCODES.ok) return answer;
      if (absentOn.has(errcode)) return undefined;
      if (TOKEN_ERRCODES.has(errcode) && renewals === 0) {
        this.tokens.invalidate(token);
        continue;
      }
      throw errorForErrcode(operation, errcode, answer.errmsg, [this.options.secret, token]);
    }
  }

  private async fetchToken(): Promise<{ token: string; expiresIn: number }> {
    const { corpId, secret } = this.options;
    const answer = await this.exchange('gettoken', { path: 'gettoken', query: { corpid: corpId, corpsecret: secret } });
    const errcode = answer.errcode as number;
    if (errcode !== WECOM_ERRCODES.ok) throw errorForErrcode('gettoken', errcode, answer.errmsg, [secret]);
    const { access_token: token, expires_in: expiresIn } = answer;
    if (typeof token !== 'string' || token === '') throw invalidAnswer('gettoken', 'no access_token');
    return { token, expiresIn: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 7200 };
  }

  /**
   * Sends until WeCom answers something other than busy or throttled (-1, 45009, 45033), 5xx or a
   * network failure, backing off between tries; the last such failure is thrown once attempts
   * are spent. The answer's `errcode` is a number (0 when WeCom left it out).
   */
  private async exchange(operation: string, request: Request): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      let failure: WecomApiError;
      try {
        const answer = await this.send(operation, request);
        const errcode = answer.errcode ?? WECOM_ERRCODES.ok;
        if (typeof errcode !== 'number') throw invalidAnswer(operation, 'errcode is not a number');
        if (!BACKOFF_ERRCODES.has(errcode)) return { ...answer, errcode };
        failure = errorForErrcode(operation, errcode, answer.errmsg, [this.options.secret, request.query?.access_token]);
      } catch (error) {
        if (!(error instanceof WecomApiError) || !error.retryable) throw error;
        failure = error;
      }
      if (attempt >= this.retry.maxAttempts) throw failure;
      await this.retry.sleep(backoffMs(this.retry, attempt));
    }
  }

  /** One HTTP exchange. Errors name the operation, never the URL (it carries the token or secret). */
  private async send(operation: string, request: Request): Promise<Answer> {
    const url = new URL(`${this.options.apiUrl}/${request.path}`);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.body ? 'POST' : 'GET',
        headers: request.body ? { 'content-type': 'application/json' } : undefined,
        body: request.body ? JSON.stringify(request.body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timeout = (error as Error)?.name === 'TimeoutError';
      throw new WecomApiError({
        code: timeout ? 'Timeout' : 'NetworkError', operation, retryable: true, cause: error,
        reason: timeout ? `no answer within ${this.timeoutMs} ms` : 'the connection failed',
      });
    }
    const text = await response.text().catch(() => '');
    if (response.status !== 200) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new WecomApiError({ code: `HTTP ${response.status}`, operation, retryable, status: response.status, reason: 'unexpected HTTP status' });
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch (error) {
      throw invalidAnswer(operation, 'the answer is not JSON', error);
    }
    if (!answer || typeof answer !== 'object' || Array.isArray(answer)) throw invalidAnswer(operation, 'the answer is not a JSON object');
    return answer as Answer;
  }
}

function invalidAnswer(operation: string, reason: string, cause?: unknown): WecomApiError {
  return new WecomApiError({ code: 'InvalidAnswer', operation, reason, retryable: false, cause });
}
