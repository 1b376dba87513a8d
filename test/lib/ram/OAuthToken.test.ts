import {
  ClientCredentialsTokenProvider, REFRESH_TOKEN_KEY, RefreshTokenProvider, type StoredRefreshToken,
} from '../../../functions/lib/ram/OAuthToken';
import { RamAuthError, RetryableRamError } from '../../../functions/lib/ram/errors';
import { retryPolicy } from '../../../functions/lib/ram/retry';
import { MemoryStateStore } from '../../../functions/lib/state/MemoryStateStore';
import { json, startServer, type TestServer } from './httpServer';

const fast = retryPolicy({ sleep: async () => {}, random: () => 0 });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('ClientCredentialsTokenProvider', () => {
  let server: TestServer;
  let issued = 0;
  let expiresIn: unknown = '3599';

  beforeEach(async () => {
    issued = 0;
    expiresIn = '3599';
    server = await startServer(async (req, res) => {
      if (req.headers.authorization !== basic('cid', 'value')) return json(res, 401, { error: 'invalid_client' });
      if (req.url.searchParams.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
      issued++;
      await new Promise((r) => setTimeout(r, 20)); // lets concurrent callers pile up
      json(res, 200, { access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: expiresIn, scope: '/acs/scim' });
    });
  });
  afterEach(() => server.close());

  const provider = (overrides: { clientSecret?: string; now?: () => number } = {}) => new ClientCredentialsTokenProvider({
    tokenUrl: `${server.url}/v1/token`, clientId: 'cid', clientSecret: overrides.clientSecret ?? 'value', retry: fast, now: overrides.now,
  });

  it('posts grant_type and client_id in the query with HTTP Basic and accepts expires_in as a string', async () => {
    await expect(provider().getToken()).resolves.toBe('tok-1');
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/v1/token');
    expect(req.url.searchParams.get('client_id')).toBe('cid');
  });

  it('accepts expires_in as a number', async () => {
    expiresIn = 3599;
    await expect(provider().getToken()).resolves.toBe('tok-1');
  });

  it('caches the token until less than the refresh margin remains', async () => {
    let now = 1_000_000;
    const tokens = provider({ now: () => now });
    expect(await tokens.getToken()).toBe('tok-1');
    now += 3599_000 - 5 * 60_000 - 1;
    expect(await tokens.getToken()).toBe('tok-1');
    now += 2;
    expect(await tokens.getToken()).toBe('tok-2');
  });

  it('sends one token request however many callers wait for it', async () => {
    const tokens = provider();
    const all = await Promise.all(Array.from({ length: 25 }, () => tokens.getToken()));
    expect(new Set(all)).toEqual(new Set(['tok-1']));
    expect(server.requests).toHaveLength(1);
  });

  it('refreshes after invalidate, but keeps a newer token when an old one is invalidated', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    tokens.invalidate(first);
    const second = await tokens.getToken();
    expect(second).toBe('tok-2');
    tokens.invalidate(first);
    expect(await tokens.getToken()).toBe('tok-2');
  });

  it('reports a wrong secret as a final auth error naming the variables, without the secret', async () => {
    const error = await provider({ clientSecret: 'wrong-secret-value' }).getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RamAuthError);
    expect((error as RamAuthError).code).toBe('invalid_client');
    expect((error as RamAuthError).recommendedAction).toMatch(/RAM_OAUTH_CLIENT_SECRET.*AppSecretValue, not the AppSecretId/);
    expect(JSON.stringify({ m: (error as Error).message, a: (error as RamAuthError).recommendedAction })).not.toContain('wrong-secret-value');
  });
});

describe('ClientCredentialsTokenProvider under server trouble', () => {
  it('retries a 503 from the token endpoint and then succeeds', async () => {
    let calls = 0;
    const server = await startServer((_req, res) => (++calls < 3 ? json(res, 503, {}) : json(res, 200, { access_token: 'ok', expires_in: '900' })));
    try {
      const tokens = new ClientCredentialsTokenProvider({ tokenUrl: server.url, clientId: 'c', clientSecret: 's', retry: fast });
      await expect(tokens.getToken()).resolves.toBe('ok');
      expect(calls).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('gives up after the attempts with a retryable error', async () => {
    const server = await startServer((_req, res) => json(res, 500, {}));
    try {
      const tokens = new ClientCredentialsTokenProvider({
        tokenUrl: server.url, clientId: 'c', clientSecret: 's', retry: retryPolicy({ maxAttempts: 3, sleep: async () => {} }),
      });
      await expect(tokens.getToken()).rejects.toBeInstanceOf(RetryableRamError);
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});

describe('RefreshTokenProvider', () => {
  let server: TestServer;
  let store: MemoryStateStore;
  let valid: string;
  let storedWhenAnswered: StoredRefreshToken | undefined;

  beforeEach(async () => {
    store = new MemoryStateStore();
    valid = 'rt-0';
    let n = 0;
    server = await startServer(async (req, res) => {
      const q = req.url.searchParams;
      if (req.headers.authorization !== basic('native', 'nsecret')) return json(res, 401, { error: 'invalid_client' });
      if (q.get('grant_type') !== 'refresh_token' || q.get('client_id') !== 'native') return json(res, 400, { error: 'invalid_request' });
      if (q.get('refresh_token') !== valid) return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
      n++;
      valid = `rt-${n}`; // rotation: the old refresh token is spent
      json(res, 200, { access_token: `at-${n}`, refresh_token: valid, expires_in: '3600' });
    });
  });
  afterEach(() => server.close());

  const provider = () => new RefreshTokenProvider(
    { tokenUrl: server.url, clientId: 'native', clientSecret: 'nsecret', retry: fast }, store);

  it('uses the stored refresh token and stores the rotated one', async () => {
    await store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: 'rt-0', obtainedAt: new Date(0).toISOString() });
    const tokens = provider();
    expect(await tokens.getToken()).toBe('at-1');
    storedWhenAnswered = await store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY);
    expect(storedWhenAnswered?.refreshToken).toBe('rt-1');
    expect(Date.parse(storedWhenAnswered!.obtainedAt)).toBeGreaterThan(0);

    tokens.invalidate('at-1');
    expect(await tokens.getToken()).toBe('at-2');
    expect((await store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY))?.refreshToken).toBe('rt-2');
  });

  it('writes the rotated refresh token before the access token is handed out', async () => {
    await store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: 'rt-0', obtainedAt: new Date().toISOString() });
    let handedOut = false;
    const puts: Array<{ key: string; handedOut: boolean }> = [];
    const put = store.put.bind(store);
    store.put = async <T>(key: string, value: T) => {
      await new Promise((r) => setTimeout(r, 20)); // a slow disk must still finish first
      puts.push({ key, handedOut });
      await put(key, value);
    };
    const token = await provider().getToken().then((t) => { handedOut = true; return t; });
    expect(token).toBe('at-1');
    expect(puts).toEqual([{ key: REFRESH_TOKEN_KEY, handedOut: false }]);
  });

  it('asks for consent again when the refresh token is refused', async () => {
    await store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: 'stale', obtainedAt: new Date().toISOString() });
    const error = await provider().getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RamAuthError);
    expect((error as RamAuthError).code).toBe('invalid_grant');
    expect((error as RamAuthError).recommendedAction).toContain('npm run consent');
    expect((error as Error).message).not.toContain('stale');
  });

  it('shares the access token through the store: instances starting together refresh once', async () => {
    await store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: 'rt-0', obtainedAt: new Date(0).toISOString() });
    const tokens = await Promise.all([provider(), provider(), provider()].map((p) => p.getToken()));
    expect(tokens).toEqual(['at-1', 'at-1', 'at-1']);
    expect(server.requests).toHaveLength(1);
    expect(await store.get(REFRESH_TOKEN_KEY)).toMatchObject({ refreshToken: 'rt-1', accessToken: 'at-1' });
  });

  it('refreshes instead of reusing a stored access token that RAM refused or that is about to expire', async () => {
    await store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: 'rt-0', obtainedAt: new Date(0).toISOString() });
    const first = provider();
    expect(await first.getToken()).toBe('at-1');
    first.invalidate('at-1');
    expect(await first.getToken()).toBe('at-2');

    let now = Date.now();
    const late = new RefreshTokenProvider(
      { tokenUrl: server.url, clientId: 'native', clientSecret: 'nsecret', retry: fast, now: () => now }, store);
    now += 3600_000 - 5 * 60_000 + 1_000; // inside the refresh margin of at-2
    expect(await late.getToken()).toBe('at-3');
    expect((await store.get<StoredRefreshToken>(REFRESH_TOKEN_KEY))?.refreshToken).toBe('rt-3');
  });

  it('retries with the stored refresh token when another writer replaced the one it spent', async () => {
    await store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: 'rt-0', obtainedAt: new Date().toISOString() });
    const get = store.get.bind(store);
    let reads = 0;
    // A writer outside the lease (an older deployment) rotates the token right after our first read.
    store.get = async <T>(key: string) => {
      const value = await get<T>(key);
      if (key === REFRESH_TOKEN_KEY && ++reads === 2) {
        valid = 'rt-other';
        await store.put<StoredRefreshToken>(REFRESH_TOKEN_KEY, { refreshToken: 'rt-other', obtainedAt: new Date().toISOString() });
      }
      return value;
    };
    expect(await provider().getToken()).toBe('at-1');
    expect(server.requests.map((r) => r.url.searchParams.get('refresh_token'))).toEqual(['rt-0', 'rt-other']);
  });

  it('asks for consent when no refresh token is stored', async () => {
    const error = await provider().getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RamAuthError);
    expect((error as RamAuthError).recommendedAction).toContain('npm run consent');
    expect(server.requests).toHaveLength(0);
  });
});
