/**
 * OAuth access tokens for RAM SCIM (scope /acs/scim), from a Server application (client
 * credentials) or a Native application (refresh token, rotated and stored). Tokens are cached,
 * refreshed ahead of expiry, and fetched by one request at a time however many callers wait.
 */
import { AccessTokenCache } from '../core/accessToken';
import type { StateStore } from '../core/ports';
import { Leases } from '../state/lease';
import { FinalRamError, RamAuthError, RetryableRamError, ramErrorFrom, translateTransportError, type RamError } from './errors';
import { retryPolicy, withRetry, type RetryPolicy } from './retry';

export interface TokenProvider {
  /** A valid access token, from the cache when it has more than the refresh margin left. */
  getToken(): Promise<string>;
  /** Drops `token` from the cache (after a 401); a newer token already cached is kept. */
  invalidate(token: string): void;
}

/** Where the Native application's refresh token lives in the StateStore. */
export const REFRESH_TOKEN_KEY = 'oauth/refresh-token';

export interface StoredRefreshToken {
  refreshToken: string;
  /** ISO 8601. */
  obtainedAt: string;
  /** The access token obtained with it, shared so other instances need not refresh (absent after consent). */
  accessToken?: string;
  /** ISO 8601: when `accessToken` expires. */
  accessTokenExpiresAt?: string;
}

export interface OAuthClientOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Refresh when less than this is left. Default 5 minutes. */
  refreshMarginMs?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface TokenAnswer {
  accessToken: string;
  expiresInSec: number;
  refreshToken?: string;
}

/**
 * One POST to the token endpoint. RAM documents the parameters in the query string with HTTP
 * Basic client authentication; they are sent in a form body as well, as RFC 6749 has it.
 */
export async function requestToken(
  options: Pick<OAuthClientOptions, 'tokenUrl' | 'clientId' | 'clientSecret' | 'timeoutMs' | 'fetch'>,
  params: Record<string, string>,
): Promise<TokenAnswer> {
  const operation = `oauth.${params.grant_type ?? 'token'}`;
  const query = new URLSearchParams({ ...params, client_id: options.clientId });
  const url = new URL(options.tokenUrl);
  for (const [k, v] of query) url.searchParams.set(k, v);
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: query.toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw translateTransportError(error, operation);
  }
  const text = await response.text().catch((error: unknown) => { throw translateTransportError(error, operation); });
  const body = parseJson(text);
  if (!response.ok) throw tokenError(response.status, body, operation);
  return parseTokenAnswer(body, operation);
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function tokenError(status: number, body: Record<string, unknown>, operation: string): RamError {
  const code = typeof body.error === 'string' ? body.error : typeof body.code === 'string' ? body.code : undefined;
  const description = typeof body.error_description === 'string' ? body.error_description : undefined;
  if (code === 'invalid_client' || code === 'invalid_grant' || code === 'unauthorized_client' || code === 'invalid_scope') {
    return new RamAuthError({ code, status, operation, reason: description ?? `the token endpoint refused the ${code.replace('_', ' ')}` });
  }
  const init = { code: code ?? `HTTP${status}`, status, operation, reason: description ?? `the token endpoint answered HTTP ${status}` };
  if (status === 400 || status === 401 || status === 403) return new RamAuthError(init);
  return ramErrorFrom(init);
}

function parseTokenAnswer(body: Record<string, unknown>, operation: string): TokenAnswer {
  const accessToken = body.access_token;
  // RAM answers expires_in as a JSON string ("3599"); accept a number too.
  const expiresIn = body.expires_in === undefined ? 3600 : Number(body.expires_in);
  if (typeof accessToken !== 'string' || !accessToken || !Number.isFinite(expiresIn)) {
    throw new FinalRamError({ code: 'MalformedTokenResponse', operation, reason: 'the token answer has no access_token or a bad expires_in' });
  }
  const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : undefined;
  return { accessToken, expiresInSec: expiresIn, refreshToken };
}

/** The cached token (core/accessToken.ts: single flight, renewed ahead of expiry); subclasses say how a token is obtained. */
abstract class CachingTokenProvider implements TokenProvider {
  private readonly cache: AccessTokenCache;
  protected readonly retry: RetryPolicy;
  protected readonly now: () => number;

  constructor(protected readonly options: OAuthClientOptions) {
    this.retry = options.retry ?? retryPolicy();
    this.now = options.now ?? Date.now;
    this.cache = new AccessTokenCache(async () => {
      const answer = await this.obtain();
      return { token: answer.accessToken, expiresIn: answer.expiresInSec };
    }, { now: this.now, renewEarly: (expiresIn) => this.marginMs(expiresIn * 1000) / 1000 });
  }

  getToken(): Promise<string> {
    return this.cache.get();
  }

  invalidate(token: string): void {
    this.cache.invalidate(token);
  }

  /** How long before expiry a token is replaced. A short-lived one (tests, tight app settings) still gets used for half its life. */
  protected marginMs(lifetimeMs: number): number {
    return Math.min(this.options.refreshMarginMs ?? 5 * 60_000, lifetimeMs / 2);
  }

  protected abstract obtain(): Promise<TokenAnswer>;
}

/**
 * Server application: `grant_type=client_credentials` with HTTP Basic.
 *
 * @example
 * const tokens = new ClientCredentialsTokenProvider({ tokenUrl, clientId, clientSecret });
 * const bearer = await tokens.getToken();
 */
export class ClientCredentialsTokenProvider extends CachingTokenProvider {
  protected obtain(): Promise<TokenAnswer> {
    return withRetry(this.retry, () => requestToken(this.options, { grant_type: 'client_credentials' }));
  }
}

/** The lease that lets one instance at a time spend the stored refresh token. */
export const REFRESH_LEASE_NAME = 'oauth/refresh-token';

export interface RefreshLeaseOptions {
  /** How long a refresh may hold the lease; longer than one token request with its retries. Default 60 s. */
  ttlMs?: number;
  /** How long an instance waits for another's refresh before a retryable error. Default 75 s. */
  waitMs?: number;
}

/**
 * Native application: `grant_type=refresh_token`. RAM rotates the refresh token on every use (the
 * old one then answers invalid_grant), and every FC instance shares the one in the StateStore, so:
 * - one instance at a time refreshes, holding a lease in the StateStore; the rotated refresh token
 *   is written back before the new access token is used, so a crash between the two never leaves
 *   only a spent token on disk;
 * - the access token is stored beside it, and an instance that finds one with enough life left
 *   (before or after waiting for the lease) uses it instead of refreshing: a burst of cold starts
 *   costs one refresh;
 * - invalid_grant with a refresh token that has since been replaced in the store (a writer outside
 *   the lease: an older deployment, `npm run consent`) is retried with the stored one.
 */
export class RefreshTokenProvider extends CachingTokenProvider {
  private readonly leases: Leases;
  private readonly leaseWaitMs: number;
  /** Access tokens RAM answered 401 to: never taken from the store again. */
  private readonly rejected = new Set<string>();

  constructor(options: OAuthClientOptions, private readonly store: StateStore, lease: RefreshLeaseOptions = {}) {
    super(options);
    this.leases = new Leases(store, { ttlMs: lease.ttlMs ?? 60_000, now: this.now });
    this.leaseWaitMs = lease.waitMs ?? 75_000;
  }

  override invalidate(token: string): void {
    this.rejected.add(token);
    super.invalidate(token);
  }

  protected async obtain(): Promise<TokenAnswer> {
    const shared = this.sharedAccessToken(await this.store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY));
    if (shared) return shared;
    const lease = await this.leases.acquire(REFRESH_LEASE_NAME, { timeoutMs: this.leaseWaitMs });
    if (!lease) {
      throw new RetryableRamError({
        code: 'RefreshTokenBusy', operation: 'oauth.refresh_token',
        reason: 'another instance held the refresh-token lease for too long',
      });
    }
    try {
      // Read again: the instance we waited for has probably refreshed already.
      let stored = await this.store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY);
      for (let attempt = 1; ; attempt += 1) {
        const fresh = this.sharedAccessToken(stored);
        if (fresh) return fresh;
        const spent = this.requireRefreshToken(stored);
        try {
          return await this.redeem(spent);
        } catch (error) {
          if (!(error instanceof RamAuthError) || error.code !== 'invalid_grant' || attempt >= 3) throw error;
          stored = await this.store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY);
          if (stored?.refreshToken === spent) throw error;
        }
      }
    } finally {
      await lease.release();
    }
  }

  /** Spends `refreshToken` and stores what comes back, before anyone uses the new access token. */
  private async redeem(refreshToken: string): Promise<TokenAnswer> {
    const answer = await withRetry(this.retry, () =>
      requestToken(this.options, { grant_type: 'refresh_token', refresh_token: refreshToken }));
    const now = this.now();
    await this.store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, {
      refreshToken: answer.refreshToken ?? refreshToken,
      obtainedAt: new Date(now).toISOString(),
      accessToken: answer.accessToken,
      accessTokenExpiresAt: new Date(now + answer.expiresInSec * 1000).toISOString(),
    });
    return answer;
  }

  /** The stored access token as an answer, if it is not one RAM refused and has more than the margin left. */
  private sharedAccessToken(stored: StoredRefreshToken | undefined): TokenAnswer | undefined {
    if (!stored?.accessToken || !stored.accessTokenExpiresAt || this.rejected.has(stored.accessToken)) return undefined;
    const expiresAt = Date.parse(stored.accessTokenExpiresAt);
    const left = expiresAt - this.now();
    if (!(left > this.marginMs(expiresAt - Date.parse(stored.obtainedAt)))) return undefined;
    return { accessToken: stored.accessToken, expiresInSec: Math.floor(left / 1000) };
  }

  private requireRefreshToken(stored: StoredRefreshToken | undefined): string {
    if (stored?.refreshToken) return stored.refreshToken;
    throw new RamAuthError({
      code: 'MissingRefreshToken', operation: 'oauth.refresh_token',
      reason: 'no refresh token is stored for the Native application',
      recommendedAction: 'run `npm run consent` to authorize the Native application',
    });
  }
}
