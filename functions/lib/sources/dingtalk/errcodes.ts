/**
 * DingTalk errcodes, sorted into what the client does about them (reference/webhooks.md §1.5).
 * Codes marked in the reference as unconfirmed are treated the safe way: retry rather than drop.
 */
export const ERRCODE = {
  ok: 0,
  /** 系统繁忙: a transient server error. */
  busy: -1,
  invalidToken: 40014,
  expiredToken: 42001,
  missingToken: 41001,
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

/** The access token is invalid or expired: fetch a new one and repeat the call once. */
export const isTokenInvalid = (errcode: number): boolean => TOKEN_INVALID.has(errcode);

/** Rate limits and busy servers: back off and retry. */
export const isRetryable = (errcode: number): boolean => RETRYABLE.has(errcode);
