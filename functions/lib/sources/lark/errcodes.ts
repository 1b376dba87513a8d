/**
 * Lark's API answers, sorted for the vendor client (open.feishu.cn server-docs, reference/webhooks.md
 * §2.3): Lark answers `{code, msg, data}`, code 0 meaning success, with throttling as HTTP 429 (or
 * 400 on older APIs) and code 99991400, and the wait in `x-ogw-ratelimit-reset`.
 */
import { NotVisibleError } from '../../core/errors';
import { maskText } from '../../core/redact';
import { type Verdict, type VendorRequest, type VendorTable, headerDelayMs, verdict } from '../vendorClient';
import { LarkApiError } from './errors';

export const LARK_CODES = {
  ok: 0,
  /** Rate limited (HTTP 429, or 400 on older APIs); wait `x-ogw-ratelimit-reset` seconds. */
  rateLimited: 99991400,
  /** The tenant_access_token is missing, invalid or expired: fetch a new one and retry once. */
  tokenInvalid: [99991661, 99991663, 99991664, 99991665, 99991668, 99991677],
  /** tenant_access_token/internal: the app secret is wrong. */
  appSecretInvalid: 10014,
  /** contact/v3/users/:id: 41012, no such user id. */
  userAbsent: [41012],
  /** contact/v3/users/:id: 41050, outside the app's contact scope: not proof the person left. */
  userNotVisible: [41050],
  /** contact/v3/departments/:id: 40015, no such department. */
  departmentAbsent: [40015],
  /** contact/v3/departments/:id: 40004, outside the app's contact scope: not proof it was deleted. */
  departmentNotVisible: [40004],
  /** Lark's own transient failures (40003 internal error, 1500 internal error). */
  transient: [40003, 1500],
} as const;

/** Lark's rate-limit header: seconds until the window resets. */
export const RATE_LIMIT_RESET_HEADER = 'x-ogw-ratelimit-reset';

/** What to do when Lark hides a person or department from the app. */
export const WIDEN_CONTACT_SCOPE =
  "widen the Lark app's contact scope (developer console → the app → Permissions & Scopes → 通讯录权限范围 / " +
  'contact data scope) to cover this person, or, if they really left, remove their RAM user by hand';

/** What an operator changes when Lark refuses because of how the app is set up. */
const ACTIONS: Readonly<Record<number, string>> = {
  [LARK_CODES.appSecretInvalid]:
    "set LARK_APP_ID and LARK_APP_SECRET to the app's App ID and App Secret (developer console → the app → Credentials & Basic Info)",
};

/** One Lark call. `label` names it in messages: the path template, e.g. `GET /contact/v3/users/:user_id`. */
export interface LarkRequest extends VendorRequest {
  label: string;
  /** Codes meaning "no such entity": the call answers undefined. */
  absent?: readonly number[];
  /** Codes meaning "the app may not see it": a `NotVisibleError`, never absence. */
  notVisible?: { kind: 'user' | 'department'; id: string; codes: readonly number[] };
}

const TOKEN_INVALID = new Set<number>(LARK_CODES.tokenInvalid);
const TRANSIENT = new Set<number>(LARK_CODES.transient);

/**
 * Answers `data` (the whole body for the token endpoint, which puts its fields at the top level).
 * Throttling waits for the reset Lark names (plus a little); 5xx and Lark's transient codes back off.
 */
export const LARK_TABLE: VendorTable<LarkRequest> = {
  classify({ status, headers, body }, request) {
    const reset = headerDelayMs(headers.get(RATE_LIMIT_RESET_HEADER));
    const retryAfterMs = reset === undefined ? undefined : reset + 50;
    const failed = (retryable: boolean, detail: string, larkCode?: number): Verdict => {
      const code = larkCode === undefined ? `HTTP ${status}` : `Lark ${larkCode}`;
      const error = new LarkApiError({
        code, larkCode, status, retryable, reason: `${request.label} failed: ${detail}`,
        recommendedAction: larkCode === undefined ? undefined : ACTIONS[larkCode],
      });
      return retryable ? verdict.retryable(error, retryAfterMs) : verdict.final(error);
    };
    // A gateway's HTML error page: worth retrying when the status says the server failed.
    if (body === undefined) return failed(status >= 500 || status === 429, `HTTP ${status} without a JSON body`);
    const record = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {};
    const ok = status >= 200 && status < 300;
    const given = typeof record.code === 'number' ? record.code : undefined;
    const code = given ?? (ok ? LARK_CODES.ok : -1);
    const msg = typeof record.msg === 'string' ? maskText(record.msg).slice(0, 200) : '';
    if (status === 429 || code === LARK_CODES.rateLimited) return failed(true, `rate limited (code ${code})`, given);
    if (code === LARK_CODES.ok && ok) {
      const data = typeof record.data === 'object' && record.data !== null ? record.data : {};
      return verdict.ok(request.anonymous ? record : data);
    }
    if (request.absent?.includes(code)) return verdict.absent();
    const hidden = request.notVisible;
    if (hidden?.codes.includes(code)) {
      return verdict.final(new NotVisibleError({
        kind: hidden.kind, sourceId: hidden.id, code: `Lark ${code}`,
        reason: `Lark answered ${code} (outside the app's contact scope)`, recommendedAction: WIDEN_CONTACT_SCOPE,
      }));
    }
    if (!request.anonymous && TOKEN_INVALID.has(code)) {
      const reason = `${request.label}: Lark refused a freshly issued token (code ${code})`;
      return verdict.tokenInvalid(new LarkApiError({ code: `Lark ${code}`, larkCode: code, status, retryable: false, reason }));
    }
    return failed(status >= 500 || TRANSIENT.has(code), `HTTP ${status}, code ${code}${msg ? `: ${msg}` : ''}`, given);
  },
  unreachable: (request, { timedOut, timeoutMs, cause }) => {
    const reason = `${request.label} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : 'network error'}`;
    return new LarkApiError({ code: timedOut ? 'Timeout' : 'NetworkError', retryable: true, reason, cause });
  },
};
