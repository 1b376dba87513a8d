import type { ServerResponse } from 'node:http';
import { ScimClient, eqFilter } from '../../../functions/lib/ram/ScimClient';
import { ClientCredentialsTokenProvider } from '../../../functions/lib/ram/OAuthToken';
import { RamAuthError, RamConflictError, RetryableRamError } from '../../../functions/lib/ram/errors';
import { createLimiter } from '../../../functions/lib/ram/limiter';
import { retryPolicy } from '../../../functions/lib/ram/retry';
import { json, startServer, type RecordedRequest, type TestServer } from './httpServer';

/**
 * A deliberately small SCIM server whose misbehaviour each test scripts through `trouble`:
 * it answers a request itself (or applies it and then fails), else the store answers.
 */
interface Trouble { (req: RecordedRequest, res: ServerResponse, apply: () => unknown): boolean }

async function startScimStub() {
  const users = new Map<string, { id: string; userName: string; displayName: string; externalId: string }>();
  let next = 1;
  let currentToken = 'tok-1';
  let issued = 0;
  let trouble: Trouble | undefined;

  const apply = (req: RecordedRequest): { status: number; body?: unknown } => {
    const body = req.body ? JSON.parse(req.body) : undefined;
    const id = req.url.pathname.split('/')[2];
    if (req.method === 'POST') {
      if ([...users.values()].some((u) => u.userName.toLowerCase() === body.userName.toLowerCase())) {
        return { status: 409, body: { status: '409', scimType: 'uniqueness', detail: 'userName taken' } };
      }
      const user = { id: String(next++), userName: body.userName, displayName: body.displayName, externalId: body.externalId };
      users.set(user.id, user);
      return { status: 201, body: user };
    }
    if (req.method === 'DELETE') return users.delete(id!) ? { status: 204 } : { status: 404, body: { status: '404' } };
    if (req.method === 'GET' && id) return users.has(id) ? { status: 200, body: users.get(id) } : { status: 404, body: {} };
    const filter = req.url.searchParams.get('filter');
    const m = filter && /^(\w+) eq "((?:[^"\\]|\\.)*)"$/.exec(filter);
    const value = m ? m[2]!.replace(/\\(.)/g, '$1') : undefined;
    const found = [...users.values()].filter((u) => !m || (m[1] === 'externalId' ? u.externalId === value : u.userName.toLowerCase() === value!.toLowerCase()));
    return { status: 200, body: { totalResults: found.length, Resources: found } };
  };

  const server = await startServer((req, res) => {
    if (req.url.pathname === '/token') {
      issued++;
      currentToken = `tok-${issued}`;
      return json(res, 200, { access_token: currentToken, expires_in: '3600' });
    }
    if (req.headers.authorization !== `Bearer ${currentToken}`) return json(res, 401, { status: '401', detail: 'token expired' });
    if (trouble?.(req, res, () => apply(req))) return;
    const answer = apply(req);
    if (answer.body === undefined) { res.statusCode = answer.status; res.end(); return; }
    json(res, answer.status, answer.body);
  });
  return {
    server, users,
    setTrouble(t: Trouble | undefined) { trouble = t; },
    rotateToken() { currentToken = 'rotated-away'; },
  };
}

describe('ScimClient', () => {
  let stub: Awaited<ReturnType<typeof startScimStub>>;
  let server: TestServer;
  const sleeps: number[] = [];

  const client = (timeoutMs = 2000) => new ScimClient({
    baseUrl: server.url,
    tokens: new ClientCredentialsTokenProvider({ tokenUrl: `${server.url}/token`, clientId: 'c', clientSecret: 's' }),
    retry: retryPolicy({ sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 }),
    limiter: createLimiter({ ratePerSecond: 1000, concurrency: 4 }),
    timeoutMs,
  });
  const alice = { userName: 'alice', displayName: 'Alice', externalId: 'ad:1' };

  beforeEach(async () => {
    sleeps.length = 0;
    stub = await startScimStub();
    server = stub.server;
  });
  afterEach(() => server.close());

  it('sends only schemas, externalId, userName and displayName as application/json', async () => {
    await client().createUser(alice);
    const post = server.requests.find((r) => r.method === 'POST' && r.url.pathname === '/Users')!;
    expect(post.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post.body)).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...alice });
  });

  it('refreshes the token once on a 401 and repeats the request', async () => {
    const scim = client();
    await scim.createUser(alice);
    stub.rotateToken();
    await expect(scim.findByExternalId('ad:1')).resolves.toMatchObject({ userName: 'alice' });
    expect(server.requests.filter((r) => r.url.pathname === '/token')).toHaveLength(2);
  });

  it('fails with an auth error when a fresh token is refused too', async () => {
    const scim = client();
    stub.setTrouble((req, res) => { json(res, 401, { detail: `bad ${req.headers.authorization}` }); return true; });
    const error = await scim.getUser('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RamAuthError);
    expect((error as Error).message).not.toMatch(/tok-\d/);
    expect(server.requests.filter((r) => r.url.pathname === '/token')).toHaveLength(2);
  });

  it('waits as long as Retry-After says before retrying a 429', async () => {
    let throttled = 0;
    stub.setTrouble((_req, res) => (throttled++ < 2 ? (json(res, 429, {}, { 'retry-after': '3' }), true) : false));
    await expect(client().createUser(alice)).resolves.toMatchObject({ id: '1' });
    expect(sleeps).toEqual([3000, 3000]);
    expect(stub.users.size).toBe(1);
  });

  it('does not create a user twice when a create was applied but answered 500', async () => {
    let failed = false;
    stub.setTrouble((req, res, apply) => {
      if (req.method !== 'POST' || failed) return false;
      failed = true;
      apply();
      json(res, 500, { detail: 'oops' });
      return true;
    });
    await expect(client().createUser(alice)).resolves.toMatchObject({ id: '1', externalId: 'ad:1' });
    expect(stub.users.size).toBe(1);
    expect(server.requests.filter((r) => r.method === 'POST' && r.url.pathname === '/Users')).toHaveLength(1);
  });

  it('treats a 409 for a user with the same externalId as created', async () => {
    await client().createUser(alice);
    await expect(client().createUser(alice)).resolves.toMatchObject({ id: '1' });
  });

  it('reports a 409 for somebody else’s user as a conflict', async () => {
    await client().createUser(alice);
    const error = await client().createUser({ ...alice, externalId: 'ad:2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RamConflictError);
    expect((error as RamConflictError).code).toBe('uniqueness');
  });

  it('times a request out and retries it', async () => {
    let slow = true;
    stub.setTrouble((_req, res) => {
      if (!slow) return false;
      slow = false;
      setTimeout(() => json(res, 200, {}), 500);
      return true;
    });
    await client(100).createUser(alice);
    expect(stub.users.size).toBe(1);
  });

  it('gives up on a server that never answers with a retryable timeout', async () => {
    stub.setTrouble((_req, res) => { setTimeout(() => json(res, 200, {}), 400); return true; });
    const error = await client(50).getUser('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableRamError);
    expect((error as RetryableRamError).code).toBe('Timeout');
  });

  it('treats a delete answered 404 as done', async () => {
    const scim = client();
    const created = await scim.createUser(alice);
    await scim.deleteUser(created.id);
    await expect(scim.deleteUser(created.id)).resolves.toBeUndefined();
    expect(stub.users.size).toBe(0);
  });

  it('escapes quotes and backslashes in filter values', async () => {
    expect(eqFilter('externalId', 'ad:a"b\\c')).toBe('externalId eq "ad:a\\"b\\\\c"');
    await client().createUser({ ...alice, externalId: 'ad:a"b\\c' });
    await expect(client().findByExternalId('ad:a"b\\c')).resolves.toMatchObject({ id: '1' });
    await expect(client().findByExternalId('ad:a"b')).resolves.toBeUndefined();
  });

  it('keeps paging when the server caps the page below the count asked for', async () => {
    for (let i = 0; i < 7; i++) await client().createUser({ userName: `u${i}`, displayName: `U${i}`, externalId: `ad:${i}` });
    stub.setTrouble((req, res, apply) => {
      if (req.method !== 'GET' || req.url.searchParams.has('filter') || req.url.pathname !== '/Users') return false;
      const all = (apply() as { body: { Resources: unknown[] } }).body.Resources;
      const start = Number(req.url.searchParams.get('startIndex'));
      json(res, 200, { totalResults: all.length, itemsPerPage: 3, startIndex: start, Resources: all.slice(start - 1, start + 2) });
      return true;
    });
    const names: string[] = [];
    for await (const u of client().listUsers()) names.push(u.userName);
    expect(names).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
  });
});
