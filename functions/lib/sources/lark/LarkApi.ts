/**
 * Lark's contact API, as the source needs it (reference/webhooks.md §2.3): one user or department
 * by id, every department under the root, and the members of a department, paged. Throttling
 * (429 / 99991400) waits for `x-ogw-ratelimit-reset`; network failures, 5xx and Lark's transient
 * codes back off exponentially; a token Lark no longer accepts is replaced once.
 */
import { NotVisibleError } from '../../core/errors';
import { realSleep } from '../../core/retryPolicy';
import type { LarkSourceConfig } from './config';
import { DEPARTMENT_ID_TYPE, LARK_CODES, type LarkUserIdType, ROOT_DEPARTMENT_ID, WIDEN_CONTACT_SCOPE } from './constants';
import { LarkApiError } from './errors';
import { type LarkAnswer, type Outcome, exchange } from './http';
import { AccessTokenCache } from '../../core/accessToken';
import type { LarkDepartment, LarkUser } from './types';

export interface LarkApiOptions {
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Tries per call, throttled or failed ones included; default 6. */
  maxAttempts?: number;
  /** First backoff step, doubled per retry; default 500 ms. */
  backoffMs?: number;
  /** Longest single wait, also for a rate-limit reset; default 60 s. */
  maxWaitMs?: number;
  /** Page size for listings (Lark allows at most 50); default 50. */
  pageSize?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Call {
  method: 'GET' | 'POST';
  /** For messages: the path template, e.g. `GET /contact/v3/users/:user_id`. */
  label: string;
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  /** Codes meaning "no such entity": the call answers undefined. */
  absent?: readonly number[];
  /** Codes meaning "the app may not see it": a `NotVisibleError`, never absence. */
  notVisible?: { kind: 'user' | 'department'; id: string; codes: readonly number[] };
  /** The token endpoint authenticates with the app secret, not a token. */
  anonymous?: boolean;
}

const TOKEN_INVALID = new Set<number>(LARK_CODES.tokenInvalid);
const TRANSIENT = new Set<number>(LARK_CODES.transient);

export class LarkApi {
  private readonly token: AccessTokenCache;
  private readonly options: Required<LarkApiOptions>;

  constructor(private readonly config: LarkSourceConfig, options: LarkApiOptions = {}) {
    this.options = {
      timeoutMs: 10_000, maxAttempts: 6, backoffMs: 500, maxWaitMs: 60_000, pageSize: 50,
      sleep: realSleep, now: Date.now, ...options,
    };
    // Lark hands out a new tenant token once less than 30 minutes remain: renew then (halfway for short ones).
    this.token = new AccessTokenCache(() => this.issueToken(), { now: this.options.now, renewEarly: (s) => Math.min(1800, s / 2) });
  }

  /**
   * The user, or undefined when Lark says there is no such user. Outside the app's contact scope
   * (41050) is a `NotVisibleError`: Lark hides the person, which does not mean they left.
   * `idType` names the kind of `id` (default the configured one); every id the app may see comes back.
   */
  async getUser(id: string, idType: LarkUserIdType = this.config.userIdType): Promise<LarkUser | undefined> {
    const data = await this.call({
      method: 'GET', label: 'GET /contact/v3/users/:user_id', path: `/contact/v3/users/${encodeURIComponent(id)}`,
      query: this.idTypes(idType), absent: LARK_CODES.userAbsent, notVisible: { kind: 'user', id, codes: LARK_CODES.userNotVisible },
    });
    return data ? (data.user as LarkUser | undefined) : undefined;
  }

  /** The department, or undefined when there is no such department; outside the scope (40004) is a `NotVisibleError`. */
  async getDepartment(id: string): Promise<LarkDepartment | undefined> {
    const data = await this.call({
      method: 'GET', label: 'GET /contact/v3/departments/:department_id', path: `/contact/v3/departments/${encodeURIComponent(id)}`,
      query: this.idTypes(), absent: LARK_CODES.departmentAbsent,
      notVisible: { kind: 'department', id, codes: LARK_CODES.departmentNotVisible },
    });
    return data ? (data.department as LarkDepartment | undefined) : undefined;
  }

  /** Every department below `parentId` (default the root, `0`), all levels (`fetch_child=true`). */
  departments(parentId: string = ROOT_DEPARTMENT_ID): AsyncIterable<LarkDepartment> {
    return this.pages<LarkDepartment>({
      method: 'GET', label: 'GET /contact/v3/departments/:department_id/children',
      path: `/contact/v3/departments/${encodeURIComponent(parentId)}/children`,
      query: { ...this.idTypes(), fetch_child: 'true' },
    });
  }

  /** The department's direct members. */
  usersInDepartment(departmentId: string): AsyncIterable<LarkUser> {
    return this.pages<LarkUser>({
      method: 'GET', label: 'GET /contact/v3/users/find_by_department', path: '/contact/v3/users/find_by_department',
      query: { ...this.idTypes(), department_id: departmentId },
    });
  }

  private idTypes(userIdType: LarkUserIdType = this.config.userIdType): Record<string, string> {
    return { user_id_type: userIdType, department_id_type: DEPARTMENT_ID_TYPE };
  }

  private async *pages<T>(call: Call): AsyncIterable<T> {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    do {
      const query = { ...call.query, page_size: String(this.options.pageSize), ...(pageToken && { page_token: pageToken }) };
      const data = (await this.call({ ...call, query }))!;
      const items = Array.isArray(data.items) ? data.items as T[] : [];
      yield* items;
      pageToken = data.has_more === true && typeof data.page_token === 'string' && data.page_token ? data.page_token : undefined;
      if (pageToken !== undefined) {
        // A server handing back a token it already gave would page forever.
        if (seen.has(pageToken)) throw new LarkApiError(`${call.label} repeated a page_token`, { retryable: true });
        seen.add(pageToken);
      }
    } while (pageToken !== undefined);
  }

  private async issueToken(): Promise<{ token: string; expiresIn: number }> {
    const data = await this.call({
      method: 'POST', label: 'POST /auth/v3/tenant_access_token/internal', path: '/auth/v3/tenant_access_token/internal',
      json: { app_id: this.config.appId, app_secret: this.config.appSecret }, anonymous: true,
    });
    const token = data?.tenant_access_token;
    const expire = data?.expire;
    if (typeof token !== 'string' || !token || typeof expire !== 'number' || expire <= 0) {
      throw new LarkApiError('the tenant_access_token answer lacks tenant_access_token or expire', { retryable: true });
    }
    return { token, expiresIn: expire };
  }

  /** `data` of a successful answer (the whole body for the token endpoint); undefined for an absent entity. */
  private async call(call: Call): Promise<Record<string, unknown> | undefined> {
    const url = `${this.config.apiUrl}${call.path}${call.query ? `?${new URLSearchParams(call.query)}` : ''}`;
    let tokenRefreshed = false;
    let last: Extract<Outcome, { kind: 'failure' }> | undefined;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt += 1) {
      const token = call.anonymous ? undefined : await this.token.get();
      const outcome = await exchange({ method: call.method, url, token, json: call.json, timeoutMs: this.options.timeoutMs });
      const verdict = outcome.kind === 'answer' ? this.judge(outcome.answer, call) : outcome;
      if (verdict.kind === 'answer') return call.anonymous ? verdict.answer.body : verdict.answer.data;
      if (verdict.kind === 'absent') return undefined;
      if (verdict.kind === 'hidden') {
        throw new NotVisibleError({
          kind: call.notVisible!.kind, sourceId: call.notVisible!.id, code: `Lark ${verdict.code}`,
          reason: `Lark answered ${verdict.code} (outside the app's contact scope)`, recommendedAction: WIDEN_CONTACT_SCOPE,
        });
      }
      if (verdict.kind === 'token') {
        this.token.invalidate(token!);
        if (tokenRefreshed) throw new LarkApiError(`${call.label}: Lark refused a freshly issued token (code ${verdict.code})`, { code: verdict.code, retryable: false });
        tokenRefreshed = true;
        continue;
      }
      last = verdict;
      if (!verdict.retryable || attempt === this.options.maxAttempts) break;
      await this.options.sleep(this.waitMs(attempt, verdict.resetSeconds));
    }
    const f = last!;
    throw new LarkApiError(`${call.label} failed: ${f.reason}`, { code: f.code, status: f.status, retryable: f.retryable, cause: f.cause });
  }

  private judge(answer: LarkAnswer, call: Call):
    | { kind: 'answer'; answer: LarkAnswer } | { kind: 'absent' } | { kind: 'hidden'; code: number } | { kind: 'token'; code: number }
    | Extract<Outcome, { kind: 'failure' }> {
    const { status, code, msg, resetSeconds } = answer;
    const failure = (reason: string, retryable: boolean) => ({ kind: 'failure' as const, reason, retryable, status, code, resetSeconds });
    if (status === 429 || code === LARK_CODES.rateLimited) return failure(`rate limited (code ${code})`, true);
    if (code === LARK_CODES.ok && status >= 200 && status < 300) return { kind: 'answer', answer };
    if (call.absent?.includes(code)) return { kind: 'absent' };
    if (call.notVisible?.codes.includes(code)) return { kind: 'hidden', code };
    if (!call.anonymous && TOKEN_INVALID.has(code)) return { kind: 'token', code };
    if (status >= 500 || TRANSIENT.has(code)) return failure(`HTTP ${status}, code ${code}${msg ? `: ${msg}` : ''}`, true);
    return failure(`HTTP ${status}, code ${code}${msg ? `: ${msg}` : ''}`, false);
  }

  /** The reset Lark names (plus a little), else exponential backoff; never over maxWaitMs. */
  private waitMs(attempt: number, resetSeconds: number | undefined): number {
    const ms = resetSeconds !== undefined ? resetSeconds * 1000 + 50 : this.options.backoffMs * 2 ** (attempt - 1);
    return Math.min(ms, this.options.maxWaitMs);
  }
}
