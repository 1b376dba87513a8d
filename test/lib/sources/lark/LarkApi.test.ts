import { NotVisibleError } from '../../../../functions/lib/core/errors';
import { parseLarkSourceConfig } from '../../../../functions/lib/sources/lark/config';
import { LarkApiError } from '../../../../functions/lib/sources/lark/errors';
import { LarkApi, type LarkApiOptions } from '../../../../functions/lib/sources/lark/LarkApi';
import { type LarkApiFake, larkUser, startLarkApi } from '../../../support/larkApi';

describe('LarkApi', () => {
  let lark: LarkApiFake;
  let slept: number[];
  beforeEach(async () => {
    lark = await startLarkApi({
      users: [larkUser(1), larkUser(2, { department_ids: ['od-eng', 'od-ops'] })],
      departments: [
        { open_department_id: 'od-eng', name: 'Engineering', parent_department_id: '0' },
        { open_department_id: 'od-ops', name: 'Ops', parent_department_id: 'od-eng' },
        { open_department_id: 'od-sre', name: 'SRE', parent_department_id: 'od-ops' },
      ],
    });
    slept = [];
  });
  afterEach(() => lark.close());

  const api = (env: Record<string, string> = {}, options: LarkApiOptions = {}) => new LarkApi(
    parseLarkSourceConfig({ LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: lark.url, ...env })!,
    { ...options, retry: { sleep: async (ms) => { slept.push(ms); }, ...options.retry } },
  );
  const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const x of it) out.push(x); return out; };

  it('reads a user by union_id by default, and by open_id or user_id when configured', async () => {
    expect((await api().getUser('on_00000001'))?.name).toBe('用户1');
    expect((await api({ LARK_USER_ID_TYPE: 'open_id' }).getUser('ou_00000002'))?.union_id).toBe('on_00000002');
    expect((await api({ LARK_USER_ID_TYPE: 'user_id' }).getUser('u1'))?.open_id).toBe('ou_00000001');
  });

  it('reports a missing user or department as absent', async () => {
    const client = api();
    expect(await client.getUser('on_nobody')).toBeUndefined();
    expect(await client.getDepartment('od-gone')).toBeUndefined();
  });

  it('reports a user or department outside the contact scope (41050, 40004) as not visible, never as absent', async () => {
    const client = api();
    lark.outOfScope.add('on_00000001');
    lark.outOfScope.add('od-eng');
    const user = await client.getUser('on_00000001').catch((e: unknown) => e);
    expect(user).toBeInstanceOf(NotVisibleError);
    expect(user).toMatchObject({ code: 'Lark 41050', retryable: false, recommendedAction: expect.stringMatching(/widen the Lark app's contact scope/) });
    expect((user as Error).message).toMatch(/user on_00000001 is not visible/);
    await expect(client.getDepartment('od-eng')).rejects.toMatchObject({ name: 'NotVisibleError', code: 'Lark 40004' });
  });

  it('fetches a tenant_access_token once and reuses it across calls', async () => {
    const client = api();
    await Promise.all([client.getUser('on_00000001'), client.getUser('on_00000002'), client.getDepartment('od-eng')]);
    await client.getUser('on_00000001');
    expect(lark.tokensIssued).toBe(1);
  });

  it('refreshes the token before it expires', async () => {
    await lark.close();
    lark = await startLarkApi({ users: [larkUser(1)], tokenTtlSeconds: 120 });
    let now = Date.now();
    const client = api({}, { now: () => now });
    await client.getUser('on_00000001');
    now += 59_000;
    await client.getUser('on_00000001');
    expect(lark.tokensIssued).toBe(1);
    now += 2_000; // past half of the 120 s lifetime: refreshed early rather than used until refused
    await client.getUser('on_00000001');
    expect(lark.tokensIssued).toBe(2);
  });

  it('replaces a token Lark stops accepting, once', async () => {
    const client = api();
    await client.getUser('on_00000001');
    lark.revokeTokens();
    expect((await client.getUser('on_00000002'))?.name).toBe('用户2');
    expect(lark.tokensIssued).toBe(2);
  });

  it('lists every department under the root with fetch_child, across pages', async () => {
    const departments = await all(api({}, { pageSize: 2 }).departments());
    expect(departments.map((d) => d.open_department_id)).toEqual(['od-eng', 'od-ops', 'od-sre']);
    expect(lark.calls['GET /contact/v3/departments/:department_id/children']).toBe(2);
  });

  it('lists the direct members of a department, across pages', async () => {
    lark.users.push(...Array.from({ length: 120 }, (_, i) => larkUser(100 + i)));
    const users = await all(api().usersInDepartment('od-eng'));
    expect(users).toHaveLength(122);
    expect(new Set(users.map((u) => u.union_id)).size).toBe(122);
    expect(lark.calls['GET /contact/v3/users/find_by_department']).toBe(3);
    expect(await all(api().usersInDepartment('od-sre'))).toEqual([]);
  });

  it('waits out a 429 for x-ogw-ratelimit-reset seconds, then succeeds', async () => {
    lark.rateLimitNext(2, { resetSeconds: 3 });
    expect((await api().getUser('on_00000001'))?.name).toBe('用户1');
    expect(slept).toEqual([3050, 3050]);
  });

  it('treats code 99991400 on HTTP 400 (older APIs) as throttling too', async () => {
    lark.rateLimitNext(1, { resetSeconds: 1, status: 400 });
    expect(await all(api().departments())).toHaveLength(3);
    expect(slept).toEqual([1050]);
  });

  it('backs off exponentially on 5xx and gives up with a retryable LarkApiError', async () => {
    lark.failNext(2, 502);
    expect((await api().getDepartment('od-eng'))?.name).toBe('Engineering');
    expect(slept).toEqual([500, 1000]);
    lark.failNext(100, 503);
    const error = await api({}, { retry: { maxAttempts: 3 } }).getUser('on_00000001').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LarkApiError);
    expect(error).toMatchObject({ retryable: true, status: 503 });
  });

  it('fails finally, naming the code but not the secret, when the app credentials are wrong', async () => {
    const error = await api({ LARK_APP_SECRET: 'wrong-secret' }).getUser('on_00000001').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LarkApiError);
    expect(error).toMatchObject({ retryable: false, code: 'Lark 10014', larkCode: 10014, recommendedAction: expect.stringMatching(/LARK_APP_SECRET/) });
    expect((error as Error).message).toMatch(/tenant_access_token.*10014/);
    expect((error as Error).message).not.toContain('wrong-secret');
  });

  it('gives up with a retryable error when nothing answers', async () => {
    const url = lark.url;
    await lark.close();
    const error = await new LarkApi(
      parseLarkSourceConfig({ LARK_APP_ID: 'a', LARK_APP_SECRET: 'b', LARK_API_URL: url })!,
      { retry: { maxAttempts: 2, sleep: async () => undefined }, timeoutMs: 500 },
    ).getUser('x').catch((e: unknown) => e);
    lark = await startLarkApi();
    expect(error).toMatchObject({ name: 'LarkApiError', retryable: true });
  });
});
