import { DingtalkApi } from '../../../../functions/lib/sources/dingtalk/DingtalkApi';
import { DingtalkApiError } from '../../../../functions/lib/sources/dingtalk/errors';
import { type DingtalkApiFake, startDingtalkApi } from '../../../support/dingtalkApi';
import { DEPARTMENTS, USERS } from './directory';

describe('DingtalkApi', () => {
  let fake: DingtalkApiFake;
  let api: DingtalkApi;
  const sleeps: number[] = [];

  beforeEach(async () => {
    fake = await startDingtalkApi({ users: USERS, departments: DEPARTMENTS });
    sleeps.length = 0;
    api = new DingtalkApi({
      baseUrl: fake.url, appKey: 'dingappkey0001', appSecret: 'app-secret-0001', pageSize: 3,
      retry: { baseMs: 1, capMs: 20, sleep: async (ms) => { sleeps.push(ms); } },
    });
  });
  afterEach(() => fake.close());

  it('reads a user, fetching one token for many calls', async () => {
    const [a, b] = await Promise.all([api.getUser('manager164'), api.getUser('eng0')]);
    expect(a).toMatchObject({ userid: 'manager164', name: '王芳', dept_id_list: [1, 2] });
    expect(b).toMatchObject({ userid: 'eng0' });
    await api.getDepartment(2);
    expect(fake.tokensIssued).toBe(1);
  });

  it('answers undefined for a user or department that is gone', async () => {
    fake.users.delete('eng0');
    expect(await api.getUser('eng0')).toBeUndefined();
    expect(await api.getDepartment(99)).toBeUndefined();
  });

  it('lists a department\'s users across cursor pages', async () => {
    const ids: string[] = [];
    for await (const user of api.listDepartmentUsers(2)) ids.push(user.userid);
    expect(ids).toEqual(['manager164', 'eng0', 'eng1', 'eng2', 'eng3', 'eng4', 'eng5', 'eng6']);
    expect(fake.calls.filter((c) => c === '/topapi/v2/user/list')).toHaveLength(3);
  });

  it('lists sub-departments', async () => {
    expect(await api.listSubDepartments(1)).toEqual([DEPARTMENTS[0], DEPARTMENTS[1]]);
  });

  it('renews the token when DingTalk says it expired, and carries on', async () => {
    await api.getUser('eng0');
    fake.expireTokens();
    expect(await api.getUser('eng1')).toMatchObject({ userid: 'eng1' });
    expect(fake.tokensIssued).toBe(2);
  });

  it('renews the token before it expires', async () => {
    let now = 1_000_000;
    const clocked = new DingtalkApi({ baseUrl: fake.url, appKey: 'dingappkey0001', appSecret: 'app-secret-0001', now: () => now });
    await clocked.getUser('eng0');
    now += 7200_000 - 4 * 60_000; // inside the renewal margin
    await clocked.getUser('eng0');
    expect(fake.tokensIssued).toBe(2);
  });

  it.each([90002, 90018, 90019, -1, 'ip-ban', 'ip-ban-html', 502] as const)('backs off and retries after %s', async (fault) => {
    await api.getUser('eng0');
    fake.failNext(2, fault);
    expect(await api.getUser('eng1')).toMatchObject({ userid: 'eng1' });
    expect(sleeps).toHaveLength(2);
  });

  it('waits longer after each retry, up to the cap', async () => {
    await api.getUser('eng0');
    fake.failNext(4, 90018);
    await api.getUser('eng1');
    expect(sleeps.every((ms) => ms <= 20)).toBe(true);
    expect(sleeps[3]).toBeGreaterThanOrEqual(4);
  });

  it('gives up after its tries with a retryable error naming the errcode, not the token', async () => {
    await api.getUser('eng0');
    fake.failNext(5, 90002);
    const error = await api.getUser('eng1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DingtalkApiError);
    expect(error).toMatchObject({ errcode: 90002, retryable: true, api: '/topapi/v2/user/get' });
    expect((error as Error).message).not.toMatch(/tok-/);
  });

  it('fails terminally on wrong app credentials, without retrying or echoing the secret', async () => {
    const wrong = new DingtalkApi({ baseUrl: fake.url, appKey: 'dingappkey0001', appSecret: 'wrong-secret', retry: { sleep: async () => {} } });
    const error = await wrong.getUser('eng0').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DingtalkApiError', errcode: 40089, retryable: false, api: '/gettoken', code: 'DingTalk 40089' });
    expect((error as DingtalkApiError).recommendedAction).toMatch(/DINGTALK_APP_SECRET/);
    expect((error as Error).message).not.toContain('wrong-secret');
    expect(fake.calls).toEqual(['/gettoken']);
  });

  it('reports an unreachable DingTalk as retryable', async () => {
    await fake.close();
    const error = await api.getUser('eng0').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DingtalkApiError', retryable: true });
    fake = await startDingtalkApi();
  });
});
