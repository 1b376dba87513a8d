/**
 * WeCom's answers, sorted for the vendor client (reference/webhooks.md §3.3): which errcodes are
 * retried with backoff, which mean "get a new token", which are set-up mistakes with a fix, and
 * which mean "absent".
 */
import { scrub } from '../../core/redact';
import { type VendorRequest, type VendorTable, verdict } from '../vendorClient';
import { WecomApiError, WecomConfigurationError } from './errors';

export const WECOM_ERRCODES = {
  ok: 0,
  busy: -1,
  invalidSecret: 40001,
  invalidCorpId: 40013,
  invalidToken: 40014,
  tokenExpired: 42001,
  rateLimited: 45009,
  concurrencyLimited: 45033,
  apiForbidden: 48002,
  untrustedIp: 60020,
  userNotFound: 60111,
  departmentNotFound: 60123,
} as const;

/** The cached access token is no good: fetch a new one and try once more. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([WECOM_ERRCODES.invalidToken, WECOM_ERRCODES.tokenExpired]);

/** Busy or throttled: the same call may succeed after a pause. */
export const BACKOFF_ERRCODES: ReadonlySet<number> = new Set([
  WECOM_ERRCODES.busy, WECOM_ERRCODES.rateLimited, WECOM_ERRCODES.concurrencyLimited,
]);

/** What to change when WeCom refuses because of how it is set up. */
const CONFIGURATION_FIXES: Readonly<Record<number, string>> = {
  [WECOM_ERRCODES.invalidSecret]:
    'WECOM_SECRET is not a valid secret for WECOM_CORP_ID: copy the contact sync secret (管理工具 → 通讯录同步 → Secret) into WECOM_SECRET',
  [WECOM_ERRCODES.invalidCorpId]: 'WECOM_CORP_ID is not a valid CorpID: copy it from 我的企业 → 企业信息 → 企业ID',
  [WECOM_ERRCODES.apiForbidden]:
    'the secret may not call this API: WECOM_SECRET must be the contact sync (通讯录同步) secret, not an app secret, with API access to read the directory enabled',
  [WECOM_ERRCODES.untrustedIp]:
    "this function's public IP is not trusted: add the function's fixed egress IP (FC: a NAT gateway EIP or static public IP) under 通讯录同步 → 企业可信IP",
};

/**
 * The error for a non-zero errcode. `secrets` (the secret, the current token) are scrubbed from
 * WeCom's errmsg, which normally quotes neither.
 */
export function errorForErrcode(
  operation: string, errcode: number, errmsg: unknown, secrets: ReadonlyArray<string | undefined>,
): WecomApiError {
  const reason = scrub(typeof errmsg === 'string' && errmsg ? errmsg : 'no errmsg', secrets);
  const code = `WeCom ${errcode}`;
  const fix = CONFIGURATION_FIXES[errcode];
  if (fix !== undefined) {
    return new WecomConfigurationError({ code, operation, reason, errcode, retryable: false, recommendedAction: fix });
  }
  const retryable = BACKOFF_ERRCODES.has(errcode) || TOKEN_ERRCODES.has(errcode);
  return new WecomApiError({ code, operation, reason, errcode, retryable });
}

/** One WeCom call: `operation` is its path (`user/get`), `absentOn` its errcodes for "no such entity". */
export interface WecomRequest extends VendorRequest {
  operation: string;
  absentOn?: ReadonlySet<number>;
}

/**
 * WeCom's table. Errcodes come with HTTP 200; any other status is a failure (429 and 5xx
 * retryable). `secret` and the request's token are scrubbed from the errmsg WeCom quotes.
 */
export function wecomTable(secret: string): VendorTable<WecomRequest> {
  return {
    classify({ status, body, token }, { operation, absentOn, anonymous }) {
      if (status !== 200) {
        const retryable = status === 429 || status >= 500;
        const error = new WecomApiError({ code: `HTTP ${status}`, operation, retryable, status, reason: 'unexpected HTTP status' });
        return retryable ? verdict.retryable(error) : verdict.final(error);
      }
      if (body === undefined) return verdict.final(invalidAnswer(operation, 'the answer is not JSON'));
      if (!body || typeof body !== 'object' || Array.isArray(body)) return verdict.final(invalidAnswer(operation, 'the answer is not a JSON object'));
      const answer = body as Record<string, unknown>;
      const errcode = answer.errcode ?? WECOM_ERRCODES.ok;
      if (typeof errcode !== 'number') return verdict.final(invalidAnswer(operation, 'errcode is not a number'));
      if (errcode === WECOM_ERRCODES.ok) return verdict.ok(answer);
      const error = errorForErrcode(operation, errcode, answer.errmsg, [secret, token]);
      if (BACKOFF_ERRCODES.has(errcode)) return verdict.retryable(error);
      if (absentOn?.has(errcode)) return verdict.absent();
      if (!anonymous && TOKEN_ERRCODES.has(errcode)) return verdict.tokenInvalid(error);
      return verdict.final(error);
    },
    // Errors name the operation, never the URL: it carries the token or the secret.
    unreachable: ({ operation }, { timedOut, timeoutMs, cause }) => new WecomApiError({
      code: timedOut ? 'Timeout' : 'NetworkError', operation, retryable: true, cause,
      reason: timedOut ? `no answer within ${timeoutMs} ms` : 'the connection failed',
    }),
  };
}

export function invalidAnswer(operation: string, reason: string): WecomApiError {
  return new WecomApiError({ code: 'InvalidAnswer', operation, reason, retryable: false });
}
