/**
 * The one HTTP client for vendor directory APIs: DingTalk, Lark and WeCom today, Entra ID (Graph)
 * and Okta next. One request path sends a request with the cached token, lets the vendor's table
 * sort the answer into one of five outcomes, and acts on each the same way for every vendor:
 * - `ok`: the value the table picked from the answer is returned;
 * - `absent`: the vendor's documented "no such user / department" for this call: `undefined`;
 * - `token-invalid`: the token is dropped from the cache and the call repeated once with a new
 *   one, at once; refused again, the table's error is thrown. Whether that repeat counts as one of
 *   the policy's attempts is the vendor's choice (`refreshSpendsAttempt`);
 * - `retryable`: waited out (the server's hint when it gave one, capped; else the shared backoff)
 *   and tried again while attempts remain, then the error is thrown;
 * - `final`: thrown at once. Its `retryable` still tells the engine whether a later run may help
 *   (a token refused twice, say), but this call stops.
 * A request that gets no answer (refused connection, reset, timeout) is retryable.
 * A vendor writes only its table (`classify`, and the error for no answer), its codes and its
 * field mapping; no vendor file has a retry loop or a token cache of its own.
 *
 * @example
 * const client = new VendorClient({ baseUrl, retry: retryPolicy(), token: { issue, queryParameter: 'access_token' } }, table);
 * const user = await client.request<User>({ method: 'GET', path: '/user/get', query: { userid } }); // undefined: absent
 */
import { AccessTokenCache, type IssuedToken } from '../core/accessToken';
import type { ClassifiedError } from '../core/errors';
import { backoffMs, type RetryPolicy } from '../core/retryPolicy';

export interface VendorRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Appended to the base URL, e.g. `/topapi/v2/user/get`. */
  path: string;
  query?: Record<string, string>;
  /** Sent as a JSON body. */
  json?: unknown;
  /** Sent as an `application/x-www-form-urlencoded` body (OAuth token endpoints: Graph, Okta). */
  form?: Record<string, string>;
  /** Further request headers (Graph's `x-ms-throttle-priority`). */
  headers?: Record<string, string>;
  /** The token endpoint itself: sent without a token. */
  anonymous?: boolean;
}

/** One answer, as the vendor's table sees it. */
export interface VendorAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  body: unknown;
  /** The token the request carried, so the table can scrub it from what the vendor quotes. */
  token?: string;
}

export type Verdict =
  | { kind: 'ok'; value: unknown }
  | { kind: 'absent' }
  | { kind: 'token-invalid'; error: ClassifiedError }
  | { kind: 'retryable'; error: ClassifiedError; retryAfterMs?: number }
  | { kind: 'final'; error: ClassifiedError };

/** The five outcomes, for tables to return. */
export const verdict = {
  ok: (value: unknown): Verdict => ({ kind: 'ok', value }),
  absent: (): Verdict => ({ kind: 'absent' }),
  tokenInvalid: (error: ClassifiedError): Verdict => ({ kind: 'token-invalid', error }),
  retryable: (error: ClassifiedError, retryAfterMs?: number): Verdict => ({ kind: 'retryable', error, retryAfterMs }),
  final: (error: ClassifiedError): Verdict => ({ kind: 'final', error }),
};

/** A request that got no answer. */
export interface NoAnswer {
  timedOut: boolean;
  timeoutMs: number;
  cause: unknown;
}

/** What a vendor supplies: how its answers sort, and its error for no answer (always retried). */
export interface VendorTable<R extends VendorRequest> {
  classify(answer: VendorAnswer, request: R): Verdict;
  unreachable(request: R, failure: NoAnswer): ClassifiedError;
}

export interface VendorTokenOptions {
  /** Fetches a token, typically with `request({ anonymous: true, … })` on the same client. */
  issue: () => Promise<IssuedToken>;
  /** Sent as this query parameter (DingTalk, WeCom: `access_token`); default `Authorization: Bearer`. */
  queryParameter?: string;
  /** Seconds before expiry to renew, given the lifetime; see AccessTokenCache. */
  renewEarly?: (expiresIn: number) => number;
  now?: () => number;
  /** Whether the repeat with a new token counts as one of `maxAttempts` (DingTalk) or comes on top (Lark, WeCom). */
  refreshSpendsAttempt?: boolean;
}

export interface VendorClientOptions {
  /** Without a trailing slash or with one: e.g. `https://oapi.dingtalk.com`. */
  baseUrl: string;
  retry: RetryPolicy;
  /** Per request, the body included. Default 10 s. */
  timeoutMs?: number;
  /** Absent for APIs without tokens. */
  token?: VendorTokenOptions;
}

/** The options every vendor API takes, under the same names. */
export interface VendorApiOptions {
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Overrides of the vendor's retry policy (tests inject `sleep` and `random`). */
  retry?: Partial<RetryPolicy>;
  /** The token cache's clock. */
  now?: () => number;
}

export class VendorClient<R extends VendorRequest> {
  private readonly base: string;
  private readonly tokens?: AccessTokenCache;
  private readonly timeoutMs: number;

  constructor(private readonly options: VendorClientOptions, private readonly table: VendorTable<R>) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const token = options.token;
    if (token) this.tokens = new AccessTokenCache(token.issue, { now: token.now, renewEarly: token.renewEarly });
  }

  /** The value the table picked, or undefined when the entity is absent; otherwise throws the table's error. */
  async request<T>(request: R): Promise<T | undefined> {
    const { retry } = this.options;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = request.anonymous ? undefined : await this.tokens?.get();
      const outcome = await this.exchange(request, token);
      if (outcome.kind === 'ok') return outcome.value as T;
      if (outcome.kind === 'absent') return undefined;
      if (outcome.kind === 'final') throw outcome.error;
      if (outcome.kind === 'token-invalid') {
        if (token !== undefined) this.tokens!.invalidate(token);
        if (refreshed || token === undefined) throw outcome.error;
        refreshed = true;
        if (!this.options.token?.refreshSpendsAttempt) attempt--;
        continue;
      }
      if (attempt >= retry.maxAttempts) throw outcome.error;
      await retry.sleep(backoffMs(retry, attempt, outcome.retryAfterMs));
    }
  }

  /** One HTTP exchange, sorted. Never throws: no answer is a retryable verdict. */
  private async exchange(request: R, token: string | undefined): Promise<Verdict> {
    const url = new URL(`${this.base}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const inQuery = this.options.token?.queryParameter;
    if (token !== undefined && inQuery) url.searchParams.set(inQuery, token);
    const headers: Record<string, string> = { ...request.headers, accept: 'application/json' };
    if (request.json !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    if (request.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (token !== undefined && !inQuery) headers.authorization = `Bearer ${token}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: request.method, headers, signal: AbortSignal.timeout(this.timeoutMs),
        body: request.form !== undefined ? new URLSearchParams(request.form).toString()
          : request.json === undefined ? undefined : JSON.stringify(request.json),
      });
      text = await response.text();
    } catch (cause) {
      const timedOut = (cause as Error)?.name === 'TimeoutError';
      return verdict.retryable(this.table.unreachable(request, { timedOut, timeoutMs: this.timeoutMs, cause }));
    }
    return this.table.classify({ status: response.status, headers: response.headers, text, body: parseJson(text), token }, request);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A wait a server asked for, in ms: `Retry-After` (seconds or an HTTP date) or a header of seconds
 * such as Lark's `x-ogw-ratelimit-reset`. Undefined when absent or unreadable.
 */
export function headerDelayMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
