/**
 * DingTalk's answers, sorted for the vendor client (reference/webhooks.md §1.5): errcodes, the
 * per-IP ban page, HTTP failures. Codes marked in the reference as unconfirmed are treated the
 * safe way: retry rather than drop.
 */
import { type VendorRequest, type VendorTable, verdict } from '../vendorClient';
import { DingtalkApiError } from './errors';

export const ERRCODE = {
  ok: 0,
  /** 系统繁忙: a transient server error. */
  busy: -1,
  invalidToken: 40014,
  expiredToken: 42001,
  missingToken: 41001,
  /** `gettoken` with a wrong AppKey or AppSecret (不合法的appkey或appsecret). */
  invalidCredentials: 40089,
  /** Global per-API rate limit. */
  apiRateLimit: 90002,
  /** Per-app / per-corp QPS limits. */
  qpsLimit: 90018,
  isvQpsLimit: 90019,
  /** `user/get` on a person who left or never existed (找不到该用户). */
  userNotFound: 60121,
  /** `department/get` on a deleted department (部门不存在). */
  deptNotFound: 60003,
  /** A department outside the app's contact scope (请求的部门id不在授权范围内): hidden, not gone. */
  deptNotVisible: 50004,
} as const;

const TOKEN_INVALID = new Set<number>([ERRCODE.invalidToken, ERRCODE.expiredToken, ERRCODE.missingToken]);
const RETRYABLE = new Set<number>([ERRCODE.busy, ERRCODE.apiRateLimit, ERRCODE.qpsLimit, ERRCODE.isvQpsLimit]);

const MEANING: Readonly<Record<number, string>> = {
  [ERRCODE.busy]: 'DingTalk is busy',
  [ERRCODE.invalidToken]: 'the access token is invalid',
  [ERRCODE.expiredToken]: 'the access token expired',
  [ERRCODE.missingToken]: 'the access token is missing',
  [ERRCODE.invalidCredentials]: 'the AppKey or AppSecret is wrong',
  [ERRCODE.apiRateLimit]: 'rate limited',
  [ERRCODE.qpsLimit]: 'rate limited',
  [ERRCODE.isvQpsLimit]: 'rate limited',
  [ERRCODE.deptNotVisible]: "outside the app's contact scope",
};

/** What an operator changes when DingTalk refuses because of how the app is set up. */
export const DINGTALK_ACTIONS: Readonly<Record<number, string>> = {
  [ERRCODE.invalidCredentials]:
    "set DINGTALK_APP_KEY and DINGTALK_APP_SECRET to the app's AppKey and AppSecret (developer console → the app → 凭证与基础信息)",
  [ERRCODE.deptNotVisible]:
    "add the department to the DingTalk app's contact scope (developer console → the app → 权限管理 → 通讯录权限范围), " +
    'or, if it really was deleted, run a full sync',
};

/** One DingTalk call: `absentOn` is its errcode for "no such entity"; `envelope` answers `result` (topapi) rather than the whole body. */
export interface DingtalkRequest extends VendorRequest {
  absentOn?: number;
  envelope?: boolean;
}

export function errcodeError(api: string, errcode: number, retryable: boolean): DingtalkApiError {
  const meaning = MEANING[errcode];
  return new DingtalkApiError({
    api, code: `DingTalk ${errcode}`, errcode, retryable, recommendedAction: DINGTALK_ACTIONS[errcode],
    detail: `answered errcode ${errcode}${meaning ? ` (${meaning})` : ''}`,
  });
}

/**
 * Busy, rate limits, the IP ban, 429 and 5xx are retried; the IP ban for as long as DingTalk says
 * (capped by the policy). A token DingTalk refuses is renewed once; refused again, the call fails.
 */
export const DINGTALK_TABLE: VendorTable<DingtalkRequest> = {
  classify({ status, body, text }, request) {
    const api = request.path;
    if (status >= 500 || status === 429) {
      return verdict.retryable(new DingtalkApiError({ api, code: `HTTP ${status}`, httpStatus: status, retryable: true, detail: `answered HTTP ${status}` }));
    }
    const ban = ipBan(body, text);
    if (ban) {
      return verdict.retryable(new DingtalkApiError({
        api, code: 'IpBanned', httpStatus: status, retryable: true, detail: 'refused this IP for too many calls',
      }), ban.waitMs);
    }
    const errcode = (body as { errcode?: unknown } | undefined)?.errcode;
    if (status < 200 || status > 299 || typeof errcode !== 'number') {
      return verdict.final(new DingtalkApiError({
        api, code: 'InvalidAnswer', httpStatus: status, retryable: false, detail: `gave an unexpected answer (HTTP ${status})`,
      }));
    }
    if (errcode === ERRCODE.ok) return verdict.ok(request.envelope ? (body as { result?: unknown }).result : body);
    if (errcode === request.absentOn) return verdict.absent();
    if (!request.anonymous && TOKEN_INVALID.has(errcode)) return verdict.tokenInvalid(errcodeError(api, errcode, false));
    const retryable = RETRYABLE.has(errcode);
    return retryable ? verdict.retryable(errcodeError(api, errcode, true)) : verdict.final(errcodeError(api, errcode, false));
  },
  // The URL carries the token or the secret, so the cause's message is not kept in ours.
  unreachable: (request, { cause }) =>
    new DingtalkApiError({ api: request.path, code: 'NetworkError', retryable: true, detail: 'could not be reached', cause }),
};

/**
 * The per-IP flood ban answers a page, not an errcode: JSON `{"status":1111,"wait":5,…}` or HTML.
 * `wait` is read as seconds (reference §1.5; unconfirmed).
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
