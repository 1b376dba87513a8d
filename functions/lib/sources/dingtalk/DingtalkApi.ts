/**
 * The DingTalk open API (`oapi.dingtalk.com`, reference/webhooks.md §1.5): the only file that
 * talks to DingTalk. Tokens are cached and renewed (token.ts); rate limits, busy answers, the
 * IP-ban page, 5xx and network failures are retried with exponential backoff; what is still
 * failing becomes a `DingtalkApiError` saying whether a later retry may help. A person or
 * department that is gone is answered `undefined`, not an error.
 */
import { realSleep } from '../../core/retryPolicy';
import { isRetryable, isTokenInvalid, ERRCODE } from './errcodes';
import { DingtalkApiError } from './errors';
import { AccessTokenCache } from '../../core/accessToken';
import type { DingtalkDepartment, DingtalkEnvelope, DingtalkFailedCallbacks, DingtalkUser, DingtalkUserPage } from './types';

export interface DingtalkApiOptions {
  /** e.g. `https://oapi.dingtalk.com` (no trailing slash needed). */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Tries per call for retryable failures; default 5. */
  attempts?: number;
  /** First backoff delay, doubled each retry up to `maxDelayMs`; default 250 ms. */
  baseDelayMs?: number;
  /** Default 8 s. */
  maxDelayMs?: number;
  /** Users per `v2/user/list` page (1..100); default 100, DingTalk's maximum. */
  pageSize?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Why one attempt failed, and how long DingTalk asked us to wait, if it did. */
class AttemptError extends Error {
  constructor(readonly failure: DingtalkApiError, readonly waitMs?: number) {
    super(failure.message, { cause: failure });
  }
}


/**
 * @example
 * const api = new DingtalkApi({ baseUrl: 'https://oapi.dingtalk.com', appKey, appSecret });
 * const person = await api.getUser('0123'); // undefined when they left
 */
export class DingtalkApi {
  private readonly base: string;
  private readonly tokens: AccessTokenCache;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DingtalkApiOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.sleep = options.sleep ?? realSleep;
    // Renewed five minutes before DingTalk's 7,200 s expire.
    this.tokens = new AccessTokenCache(() => this.fetchToken(), { now: options.now, renewEarly: () => 300 });
  }

  /** `topapi/v2/user/get`; undefined when DingTalk does not know the user (left or deleted). */
  async getUser(userid: string): Promise<DingtalkUser | undefined> {
    return this.call<DingtalkUser>('/topapi/v2/user/get', { userid, language: 'zh_CN' }, ERRCODE.userNotFound);
  }

  /** `topapi/v2/department/get`; undefined when the department is gone. */
  async getDepartment(deptId: number): Promise<DingtalkDepartment | undefined> {
    return this.call<DingtalkDepartment>('/topapi/v2/department/get', { dept_id: deptId, language: 'zh_CN' }, ERRCODE.deptNotFound);
  }

  /** `topapi/v2/department/listsub`: the direct sub-departments. */
  async listSubDepartments(deptId: number): Promise<DingtalkDepartment[]> {
    return (await this.call<DingtalkDepartment[]>('/topapi/v2/department/listsub', { dept_id: deptId, language: 'zh_CN' }, ERRCODE.deptNotFound)) ?? [];
  }

  /** `topapi/v2/user/list`: the department's direct members with details, page by page (cursor). */
  async *listDepartmentUsers(deptId: number): AsyncIterable<DingtalkUser> {
    const size = Math.min(100, Math.max(1, this.options.pageSize ?? 100));
    let cursor = 0;
    for (;;) {
      const page = await this.call<DingtalkUserPage>(
        '/topapi/v2/user/list',
        { dept_id: deptId, cursor, size, order_field: 'entry_asc', contain_access_limit: false, language: 'zh_CN' },
        ERRCODE.deptNotFound,
      );
      if (!page) return;
      yield* page.list ?? [];
      if (!page.has_more) return;
      if (typeof page.next_cursor !== 'number' || page.next_cursor <= cursor) {
        throw new DingtalkApiError('user/list did not advance its cursor', { api: '/topapi/v2/user/list', retryable: false });
      }
      cursor = page.next_cursor;
    }
  }

  /**
   * `GET call_back/get_call_back_failed_result`: one page (≤ 200) of pushes DingTalk could not
   * deliver, and `has_more`. DingTalk deletes what it answers, so what a caller fails to keep is gone.
   */
  async getFailedCallbacks(): Promise<DingtalkFailedCallbacks> {
    const api = '/call_back/get_call_back_failed_result';
    return this.withRetries(api, async () => {
      const token = await this.tokens.get();
      const page = await this.request<DingtalkFailedCallbacks>(api, `${api}?access_token=${encodeURIComponent(token)}`, { method: 'GET' });
      if (page.errcode === ERRCODE.ok) return page;
      if (isTokenInvalid(page.errcode)) this.tokens.invalidate(token);
      throw new AttemptError(this.failure(api, page.errcode, isTokenInvalid(page.errcode) || isRetryable(page.errcode)));
    });
  }

  /** A topapi call with the cached token; `absentOn` is the errcode meaning "no such entity". */
  private async call<T>(api: string, body: object, absentOn?: number): Promise<T | undefined> {
    let renewedToken = false;
    return this.withRetries(api, async () => {
      const token = await this.tokens.get();
      const envelope = await this.request<DingtalkEnvelope<T>>(api, `${api}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      if (envelope.errcode === ERRCODE.ok) return envelope.result;
      if (envelope.errcode === absentOn) return undefined;
      if (isTokenInvalid(envelope.errcode)) {
        this.tokens.invalidate(token);
        // Renewed once at once, without backoff; a second refusal is a real problem.
        if (!renewedToken) {
          renewedToken = true;
          throw new AttemptError(this.failure(api, envelope.errcode, true), 0);
        }
      }
      throw new AttemptError(this.failure(api, envelope.errcode, isRetryable(envelope.errcode)));
    });
  }

  private async fetchToken(): Promise<{ token: string; expiresIn: number }> {
    const query = new URLSearchParams({ appkey: this.options.appKey, appsecret: this.options.appSecret });
    return this.withRetries('/gettoken', async () => {
      const answer = await this.request<{ errcode: number; access_token?: string; expires_in?: number }>('/gettoken', `/gettoken?${query}`, { method: 'GET' });
      if (answer.errcode !== ERRCODE.ok || !answer.access_token) {
        throw new AttemptError(this.failure('/gettoken', answer.errcode, isRetryable(answer.errcode)));
      }
      return { token: answer.access_token, expiresIn: Number(answer.expires_in) || 7200 };
    });
  }

  private failure(api: string, errcode: number, retryable: boolean): DingtalkApiError {
    return new DingtalkApiError(`DingTalk ${api} answered errcode ${errcode}`, { api, errcode, retryable });
  }

  /** Runs `attempt` until it succeeds, fails terminally, or the tries are spent. */
  private async withRetries<T>(api: string, attempt: () => Promise<T>): Promise<T> {
    const attempts = Math.max(1, this.options.attempts ?? 5);
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof AttemptError)) throw error;
        if (!error.failure.retryable || n >= attempts) throw error.failure;
        await this.sleep(error.waitMs ?? this.backoff(n));
      }
    }
  }

  private backoff(attempt: number): number {
    const base = this.options.baseDelayMs ?? 250;
    const capped = Math.min(this.options.maxDelayMs ?? 8000, base * 2 ** (attempt - 1));
    // Jitter spreads retries of parallel calls so they do not hit the limit together again.
    return capped / 2 + Math.random() * (capped / 2);
  }

  /** One HTTP exchange; anything but a JSON answer becomes a classified AttemptError. */
  private async request<T>(api: string, pathAndQuery: string, init: RequestInit): Promise<T> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.base}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
      text = await response.text();
    } catch (error) {
      // The URL carries the token, so the cause's message is not kept in ours.
      throw new AttemptError(new DingtalkApiError(`DingTalk ${api} could not be reached`, { api, retryable: true, cause: error }));
    }
    if (response.status >= 500 || response.status === 429) {
      throw new AttemptError(new DingtalkApiError(`DingTalk ${api} answered HTTP ${response.status}`, { api, httpStatus: response.status, retryable: true }));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const ban = ipBan(parsed, text);
    if (ban) {
      throw new AttemptError(
        new DingtalkApiError(`DingTalk ${api} refused this IP for too many calls`, { api, httpStatus: response.status, retryable: true }),
        Math.min(ban.waitMs, this.options.maxDelayMs ?? 8000),
      );
    }
    if (!response.ok || typeof (parsed as { errcode?: unknown } | undefined)?.errcode !== 'number') {
      throw new AttemptError(new DingtalkApiError(`DingTalk ${api} gave an unexpected answer (HTTP ${response.status})`, {
        api, httpStatus: response.status, retryable: false,
      }));
    }
    return parsed as T;
  }
}

/**
 * The per-IP flood ban answers a page, not an errcode: JSON `{"status":1111,"wait":5,…}` or HTML.
 * `wait` is read as seconds (reference §1.5; unconfirmed), capped by the caller.
 */
function ipBan(parsed: unknown, text: string): { waitMs: number } | undefined {
  const json = parsed as { status?: unknown; wait?: unknown } | undefined;
  if (json && typeof json === 'object' && json.status === 1111) {
    const wait = typeof json.wait === 'number' && json.wait > 0 ? json.wait : 5;
    return { waitMs: wait * 1000 };
  }
  if (parsed === undefined && /<html/i.test(text)) return { waitMs: 5000 };
  return undefined;
}
