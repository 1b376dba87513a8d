/** The WeCom API client against the local WeCom fake (test/support/wecomApi.ts). */
import { createServer } from 'node:http';
import { WecomApi, type WecomApiOptions } from '../../../../functions/lib/sources/wecom/WecomApi';
import { WecomApiError, WecomConfigurationError } from '../../../../functions/lib/sources/wecom/errors';
import { type WecomApiFake, startWecomApi } from '../../../support/wecomApi';

describe('WecomApi', () => {
  let fake: WecomApiFake;
  let sleeps: number[];
  const api = (options: Partial<WecomApiOptions> = {}) => new WecomApi({
    corpId: fake.corpId, secret: fake.secret, apiUrl: fake.url, ...options,
    retry: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, ...options.retry },
  });

  beforeEach(async () => {
    sleeps = [];
    fake = await startWecomApi({ maxPageSize: 3 });
    fake.departments.set(1, { id: 1, name: 'Corp', parentid: 0 });
    fake.departments.set(2, { id: 2, name: 'R&D', parentid: 1 });
    fake.departments.set(3, { id: 3, name: 'Platform', parentid: 2 });
    for (let i = 1; i <= 5; i++) fake.users.set(`u${i}`, { userid: `u${i}`, name: `User ${i}`, department: i === 1 ? [1, 2, 3] : [2], status: 1 });
  });
  afterEach(() => fake.close());

  it('reads a member, fetching one token for many calls', async () => {
    const client = api();
    expect(await client.getUser('u1')).toMatchObject({ userid: 'u1', name: 'User 1', department: [1, 2, 3], status: 1 });
    await client.getUser('u2');
    await client.getDepartment('2');
    expect(fake.tokensIssued).toBe(1);
  });

  it('shares one gettoken among concurrent first calls', async () => {
    const client = api();
    await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5'].map((id) => client.getUser(id)));
    expect(fake.tokensIssued).toBe(1);
  });

  it('answers undefined for a member or department that does not exist (60111, 60123)', async () => {
    const client = api();
    expect(await client.getUser('nobody')).toBeUndefined();
    expect(await client.getDepartment('999')).toBeUndefined();
  });

  it('renews the token once when WeCom says it expired (42001) or is invalid (40014)', async () => {
    const client = api();
    await client.getUser('u1');
    fake.expireTokens();
    expect(await client.getUser('u2')).toMatchObject({ userid: 'u2' });
    fake.revokeTokens();
    expect(await client.getUser('u3')).toMatchObject({ userid: 'u3' });
    expect(fake.tokensIssued).toBe(3);
    expect(sleeps).toEqual([]);
  });

  it('fetches a new token shortly before the old one expires', async () => {
    let now = 1_000_000;
    const client = api({ now: () => now });
    await client.getUser('u1');
    now += 6_800_000; // 7200 s tokens are renewed 5 minutes early
    await client.getUser('u1');
    expect(fake.tokensIssued).toBe(1);
    now += 200_000;
    await client.getUser('u1');
    expect(fake.tokensIssued).toBe(2);
  });

  it('does not loop when a fresh token is refused too', async () => {
    const client = api();
    fake.failNext('user/get', { errcode: 40014 }, 2);
    await expect(client.getUser('u1')).rejects.toMatchObject({ code: 'WeCom 40014', retryable: true });
    expect(fake.tokensIssued).toBe(2);
  });

  it('backs off and retries when WeCom is busy (-1) or throttles (45009), then succeeds', async () => {
    fake.failNext('user/get', { errcode: -1 });
    fake.failNext('user/get', { errcode: 45009 }, 2);
    expect(await api().getUser('u1')).toMatchObject({ userid: 'u1' });
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  it('retries 5xx answers and dropped connections, and gives up after maxAttempts with a retryable error', async () => {
    fake.failNext('department/get', { http: 502 });
    fake.failNext('department/get', 'drop');
    expect(await api().getDepartment('3')).toMatchObject({ id: 3, name: 'Platform', parentid: 2 });
    fake.failNext('user/get', { errcode: 45009 }, 10);
    const error = await api({ retry: { maxAttempts: 3 } }).getUser('u1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WecomApiError);
    expect(error).toMatchObject({ code: 'WeCom 45009', retryable: true, operation: 'user/get' });
  });

  it.each([
    [40001, 'WECOM_SECRET', 'gettoken'],
    [48002, 'contact sync', 'user/get'],
    [60020, 'trusted', 'user/get'],
  ])('reports %d as a configuration error with the fix, without retrying', async (errcode, fix, path) => {
    fake.failNext(path, { errcode, errmsg: `refused, from ip: 203.0.113.9 secret ${fake.secret}` });
    const error = await api().getUser('u1').catch((e: unknown) => e) as WecomConfigurationError;
    expect(error).toBeInstanceOf(WecomConfigurationError);
    expect(error).toMatchObject({ retryable: false, code: `WeCom ${errcode}` });
    expect(error.recommendedAction).toContain(fix);
    expect(error.message).toContain('203.0.113.9');
    expect(error.message).not.toContain(fake.secret);
    expect(sleeps).toEqual([]);
  });

  it('refuses a wrong secret at gettoken with the fix, naming the variable and not the value', async () => {
    const error = await api({ secret: 'wrong-secret-value' }).getUser('u1').catch((e: unknown) => e) as WecomConfigurationError;
    expect(error).toBeInstanceOf(WecomConfigurationError);
    expect(error.recommendedAction).toContain('WECOM_SECRET');
    expect(`${error.message} ${error.recommendedAction}`).not.toContain('wrong-secret-value');
  });

  it('lists every (member, department) row across cursor pages', async () => {
    const rows = [];
    for await (const row of api({ pageSize: 1000 }).listUserIds()) rows.push(row);
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.userid))).toEqual(new Set(['u1', 'u2', 'u3', 'u4', 'u5']));
    expect(fake.callCount('user/list_id')).toBe(3);
  });

  it('ends the listing when the last page omits next_cursor', async () => {
    const omitting = await startWecomApi({ maxPageSize: 2, omitFinalCursor: true });
    try {
      for (let i = 0; i < 3; i++) omitting.users.set(`p${i}`, { userid: `p${i}`, name: 'P', department: [1], status: 1 });
      const ids = [];
      for await (const row of new WecomApi({ corpId: omitting.corpId, secret: omitting.secret, apiUrl: omitting.url }).listUserIds()) ids.push(row.userid);
      expect(ids).toEqual(['p0', 'p1', 'p2']);
    } finally {
      await omitting.close();
    }
  });

  it('lists department ids under a root, or all, and none under a root that is gone', async () => {
    expect((await api().listDepartmentIds()).map((d) => d.id)).toEqual([1, 2, 3]);
    expect((await api().listDepartmentIds('2'))?.map((d) => d.id)).toEqual([2, 3]);
    expect(await api().listDepartmentIds('404')).toBeUndefined();
  });

  it('times out a hung answer as a retryable Timeout', async () => {
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const port = (hung.address() as { port: number }).port;
      const client = new WecomApi({ corpId: 'ww1', secret: 's', apiUrl: `http://127.0.0.1:${port}/cgi-bin`, timeoutMs: 100, retry: { maxAttempts: 1 } });
      await expect(client.getUser('u1')).rejects.toMatchObject({ code: 'Timeout', retryable: true, operation: 'gettoken' });
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });
});
