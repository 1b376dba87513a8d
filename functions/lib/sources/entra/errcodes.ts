/**
 * Graph's and the Microsoft identity platform's answers, sorted for the vendor client
 * (reference/idp.md §1; learn.microsoft.com/graph/errors, /graph/throttling, /entra/identity-platform/reference-error-codes).
 * Graph answers errors as `{"error":{"code","message"}}`; the token endpoint as
 * `{"error":"invalid_client","error_description":"AADSTS7000215: …","error_codes":[7000215]}`.
 */
import { scrub } from '../../core/redact';
import { type Verdict, type VendorRequest, type VendorTable, headerDelayMs, verdict } from '../vendorClient';
import { DeltaExpiredError, EntraApiError } from './errors';

/** One Graph or token call. `label` names it in messages: the path template, e.g. `GET /v1.0/users/{id}`. */
export interface GraphRequest extends VendorRequest {
  label: string;
  /** 404 `Request_ResourceNotFound` means "no such object": the call answers undefined. */
  absent?: boolean;
  /** The application permission the call needs, named in a 403's fix; default `User.Read.All`. */
  permission?: string;
}

/** Graph's "no such object" codes on a 404. A 404 with any other code (a wrong URL) is not absence. */
export const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['Request_ResourceNotFound', 'ResourceNotFound', 'ErrorItemNotFound']);
/** 400 codes that mean the delta token is no longer known (besides HTTP 410), compared in lower case. */
export const DELTA_EXPIRED_CODES: ReadonlySet<string> = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);
/** Throttled or briefly unavailable: wait the server's Retry-After, else back off. */
const THROTTLED = new Set([429, 503, 504]);

export const GRANT_PERMISSION = (permission: string): string =>
  `grant ${permission} (application) and admin consent in the app registration ` +
  '(Entra admin center → App registrations → the app → API permissions → Add a permission → Microsoft Graph → ' +
  `Application permissions → ${permission}, then "Grant admin consent")`;

/** AADSTS codes of the token endpoint that are set-up mistakes, and the variable that fixes each. */
const TOKEN_FIXES: Readonly<Record<number, string>> = {
  7000215: 'ENTRA_CLIENT_SECRET is not a valid secret of the app: create a client secret (App registrations → the app → ' +
    'Certificates & secrets → New client secret) and copy its Value, not its Secret ID, into ENTRA_CLIENT_SECRET',
  7000222: 'the client secret in ENTRA_CLIENT_SECRET has expired: create a new one (Certificates & secrets) and set ENTRA_CLIENT_SECRET',
  700016: "ENTRA_CLIENT_ID names no app in this tenant: copy the Application (client) ID from the app registration's Overview, " +
    'and check ENTRA_TENANT_ID is the tenant it is registered in',
  90002: 'ENTRA_TENANT_ID names no tenant: copy the Directory (tenant) ID from the app registration\'s Overview (and check ENTRA_CLOUD)',
  900023: 'ENTRA_TENANT_ID is not a tenant ID or domain: copy the Directory (tenant) ID from the app registration\'s Overview',
  500011: 'the Graph resource is not in this tenant\'s cloud: set ENTRA_CLOUD (global, or china for 21Vianet) to the cloud the tenant lives in',
  7000112: 'the app is disabled: enable it (Enterprise applications → the app → Properties → Enabled for users to sign in)',
};
const DEFAULT_TOKEN_FIX = TOKEN_FIXES[7000215];

/**
 * The table for one app: `secret` is scrubbed from anything the answer quotes (as is the token the
 * call carried). Answers the whole JSON body on success.
 */
export function graphTable(secret: string): VendorTable<GraphRequest> {
  return {
    classify({ status, headers, body, token }, request) {
      const ok = status >= 200 && status < 300;
      if (ok) {
        if (status === 204) return verdict.ok({});
        return body !== undefined && typeof body === 'object' && body !== null
          ? verdict.ok(body)
          : verdict.retryable(new EntraApiError({ code: 'InvalidAnswer', retryable: true, status, reason: `${request.label}: HTTP ${status} without a JSON body` }));
      }
      const clean = (text: unknown): string => (typeof text === 'string' ? scrub(text, [secret, token]).slice(0, 200) : '');
      const record = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {};
      const retryAfterMs = headerDelayMs(headers.get('retry-after'));
      const failed = (retryable: boolean, code: string, detail: string, recommendedAction?: string): Verdict => {
        const error = new EntraApiError({ code, status, retryable, reason: `${request.label} failed: ${detail}`, recommendedAction });
        return retryable ? verdict.retryable(error, retryAfterMs) : verdict.final(error);
      };
      if (request.anonymous) return tokenVerdict(status, record, clean, failed);
      const graphError = typeof record.error === 'object' && record.error !== null ? record.error as Record<string, unknown> : {};
      const code = typeof graphError.code === 'string' ? graphError.code : undefined;
      const detail = `HTTP ${status}${code ? ` ${code}` : ''}${graphError.message ? `: ${clean(graphError.message)}` : ''}`;
      const label = code ? `Graph ${code}` : `HTTP ${status}`;
      if (THROTTLED.has(status)) return failed(true, label, detail);
      if (status === 410 || (status === 400 && code !== undefined && DELTA_EXPIRED_CODES.has(code.toLowerCase()))) {
        return verdict.final(new DeltaExpiredError({ code: 'DeltaExpired', status, reason: `${request.label}: the delta token has expired (${detail})` }));
      }
      if (status === 404 && request.absent && code !== undefined && NOT_FOUND_CODES.has(code)) return verdict.absent();
      if (status === 401) {
        const error = new EntraApiError({
          code: label, status, retryable: false, reason: `${request.label}: Graph refused a freshly issued token (${detail})`,
          recommendedAction: 'check that ENTRA_CLOUD (or ENTRA_GRAPH_URL) is the cloud of ENTRA_TENANT_ID: a token of one cloud is refused by another',
        });
        return verdict.tokenInvalid(error);
      }
      if (status === 403) return failed(false, label, detail, GRANT_PERMISSION(request.permission ?? 'User.Read.All'));
      return failed(status >= 500, label, detail);
    },
    unreachable: (request, { timedOut, timeoutMs, cause }) => {
      const reason = `${request.label} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : 'network error'}`;
      return new EntraApiError({ code: timedOut ? 'Timeout' : 'NetworkError', retryable: true, reason, cause });
    },
  };
}

/** The token endpoint's refusals: AADSTS codes name the variable to fix; 429 and 5xx are retried. */
function tokenVerdict(
  status: number, body: Record<string, unknown>, clean: (text: unknown) => string,
  failed: (retryable: boolean, code: string, detail: string, action?: string) => Verdict,
): Verdict {
  const codes = Array.isArray(body.error_codes) ? body.error_codes.filter((c): c is number => typeof c === 'number') : [];
  const aadsts = codes[0] ?? Number(/AADSTS(\d+)/.exec(String(body.error_description ?? ''))?.[1] ?? NaN);
  const error = typeof body.error === 'string' ? body.error : undefined;
  // AADSTS descriptions carry trace and correlation ids and a timestamp: the first sentence says it.
  const description = clean(String(body.error_description ?? '').split(/\r?\n/)[0]);
  const detail = `HTTP ${status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`;
  const code = Number.isFinite(aadsts) ? `AADSTS${aadsts}` : `HTTP ${status}`;
  if (status === 429 || status >= 500) return failed(true, code, detail);
  const fix = Number.isFinite(aadsts) ? TOKEN_FIXES[aadsts] : undefined;
  return failed(false, code, detail, fix ?? (error === 'invalid_client' ? DEFAULT_TOKEN_FIX : undefined));
}
