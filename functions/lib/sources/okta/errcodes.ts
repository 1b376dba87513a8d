/**
 * Okta's answers, sorted for the vendor client (reference/idp.md §2.2–2.4; developer.okta.com
 * "Error codes", "Rate limits"). Management API errors are `{errorCode, errorSummary, …}`; the token
 * endpoint's are OAuth's `{error, error_description}`. Every answer carries X-Rate-Limit-Limit,
 * -Remaining and -Reset (UTC epoch seconds): a 429 waits until Reset (or Retry-After), and a success
 * whose Remaining is 0 tells the API to pause before its next call.
 */
import { scrub } from '../../core/redact';
import { type Verdict, type VendorRequest, type VendorTable, headerDelayMs, verdict } from '../vendorClient';
import { OktaApiError } from './errors';
import { nextLink } from './links';

/** One Okta call. `label` names it in messages: the path template, e.g. `GET /api/v1/users/{id}`. */
export interface OktaRequest extends VendorRequest {
  label: string;
  /** 404 E0000007 means "no such user / group": the call answers undefined. */
  absent?: boolean;
  /** The OAuth scope the call needs, named in a 403's fix. */
  scope: string;
}

/** What a successful call hands the API: the JSON body, the next page and a pause the rate limit asks for. */
export interface OktaPage {
  body: unknown;
  next?: string;
  /** Set when X-Rate-Limit-Remaining is 0: wait this long before the next call. */
  pauseMs?: number;
}

export const OKTA_CODES = {
  /** Not found: Resource not found (404). */
  notFound: 'E0000007',
  /** Invalid token provided (401): a bad, expired or revoked API token or access token. */
  invalidToken: 'E0000011',
  /** You do not have permission to perform the requested action (403). */
  forbidden: 'E0000006',
  /** API call exceeded rate limit due to too many requests (429). */
  rateLimited: 'E0000047',
  /** Api validation failed (400): e.g. a System Log `since` beyond the retention. */
  validation: 'E0000001',
} as const;

/** Margin on top of X-Rate-Limit-Reset: its windows are not wall-clock aligned, and Reset is rounded to seconds. */
const RESET_MARGIN_MS = 500;

export interface OktaTableOptions {
  auth: 'api-token' | 'oauth';
  /** Scrubbed from anything an answer quotes (the API token); the call's own token always is. */
  secrets: readonly string[];
  now?: () => number;
}

export const API_TOKEN_FIX =
  'OKTA_API_TOKEN is not a valid API token of the org in OKTA_ORG_URL (tokens lapse 30 days after their last use and die with the admin ' +
  'who created them): create one (Admin Console → Security → API → Tokens → Create token) and set OKTA_API_TOKEN';
export const CLIENT_ASSERTION_FIX =
  "Okta refused the service app's credentials: set OKTA_CLIENT_ID to the API service app's Client ID and OKTA_PRIVATE_KEY to the private key " +
  'whose public key is saved on the app (Applications → the app → General → Client Credentials: "Public key / Private key"); ' +
  'when the app lists the key with a Key ID (kid), set OKTA_KEY_ID to it';
const DPOP_FIX = 'untick "Require Demonstrating Proof of Possession (DPoP) header in token requests" on the service app (Applications → the app → General)';
const GRANT_FIX =
  'grant the scopes okta.users.read, okta.groups.read and okta.logs.read to the service app (Applications → the app → Okta API Scopes → Grant)';

/** What an operator does about a 403, by auth mode. */
export function permissionFix(auth: OktaTableOptions['auth'], scope: string): string {
  return auth === 'oauth'
    ? `grant ${scope} to the service app (Applications → the app → Okta API Scopes → Grant) and give the app an admin role that covers it ` +
      '(the app → Admin roles → Edit assignments → Read-only Administrator)'
    : `the admin who created OKTA_API_TOKEN may not read this (${scope}): give them the Read-only Administrator role ` +
      '(Security → Administrators), or use an API service app';
}

/** ms until an epoch-seconds Reset (plus a margin), or undefined when the header is absent or unreadable. */
export function untilResetMs(reset: string | null, now: number): number | undefined {
  if (reset === null || !/^\d{1,12}$/.test(reset.trim())) return undefined;
  return Math.max(0, Number(reset.trim()) * 1000 - now) + RESET_MARGIN_MS;
}

export function oktaTable(options: OktaTableOptions): VendorTable<OktaRequest> {
  const now = options.now ?? Date.now;
  return {
    classify({ status, headers, body, token }, request) {
      const clean = (text: unknown): string => (typeof text === 'string' ? scrub(text, [...options.secrets, token]).slice(0, 200) : '');
      const reset = untilResetMs(headers.get('x-rate-limit-reset'), now());
      if (status >= 200 && status < 300) {
        if (body === undefined) {
          return verdict.retryable(new OktaApiError({ code: 'InvalidAnswer', retryable: true, status, reason: `${request.label}: HTTP ${status} without a JSON body` }));
        }
        const exhausted = headers.get('x-rate-limit-remaining')?.trim() === '0';
        const page: OktaPage = { body, next: nextLink(headers.get('link')), ...(exhausted && reset !== undefined && { pauseMs: reset }) };
        return verdict.ok(page);
      }
      const record = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {};
      const failed = (retryable: boolean, code: string | undefined, detail: string, recommendedAction?: string, retryAfterMs?: number): Verdict => {
        const error = new OktaApiError({
          code: code ? `Okta ${code}` : `HTTP ${status}`, oktaCode: code, status, retryable, reason: `${request.label} failed: ${detail}`, recommendedAction,
        });
        return retryable ? verdict.retryable(error, retryAfterMs) : verdict.final(error);
      };
      // Retry-After when a proxy or Okta sends one; else Okta's own Reset.
      const wait = headerDelayMs(headers.get('retry-after'), now()) ?? reset;
      if (request.anonymous) {
        const error = typeof record.error === 'string' ? record.error : undefined;
        const detail = `HTTP ${status}${error ? ` ${error}` : ''}${record.error_description ? `: ${clean(record.error_description)}` : ''}`;
        if (status === 429) return failed(true, error, `rate limited (${detail})`, undefined, wait);
        if (status >= 500) return failed(true, error, detail);
        if (error === 'invalid_client' || error === 'unauthorized_client') return failed(false, error, detail, CLIENT_ASSERTION_FIX);
        if (error === 'invalid_scope') return failed(false, error, detail, GRANT_FIX);
        if (error === 'invalid_dpop_proof' || error === 'use_dpop_nonce') return failed(false, error, detail, DPOP_FIX);
        return failed(false, error, detail, status === 404 ? 'check OKTA_ORG_URL: it must be the org URL (https://acme.okta.com)' : undefined);
      }
      const code = typeof record.errorCode === 'string' ? record.errorCode : undefined;
      const detail = `HTTP ${status}${code ? ` ${code}` : ''}${record.errorSummary ? `: ${clean(record.errorSummary)}` : ''}`;
      if (status === 429) return failed(true, code, `rate limited (${detail})`, undefined, wait);
      if (status === 404 && code === OKTA_CODES.notFound && request.absent) return verdict.absent();
      if (status === 401) {
        if (options.auth === 'api-token') return failed(false, code, detail, API_TOKEN_FIX);
        return verdict.tokenInvalid(new OktaApiError({
          code: code ? `Okta ${code}` : 'HTTP 401', oktaCode: code, status, retryable: false,
          reason: `${request.label}: Okta refused a freshly issued access token (${detail})`,
          recommendedAction: 'check OKTA_ORG_URL: it must be the org the service app belongs to (the org URL, not its -admin host)',
        }));
      }
      if (status === 403) return failed(false, code, detail, permissionFix(options.auth, request.scope));
      if (status >= 500) return failed(true, code, detail);
      return failed(false, code, detail);
    },
    unreachable: (request, { timedOut, timeoutMs, cause }) => new OktaApiError({
      code: timedOut ? 'Timeout' : 'NetworkError', retryable: true, cause,
      reason: `${request.label} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : 'network error'}`,
    }),
  };
}
