import { ConfigError, NotVisibleError } from '../../../../functions/lib/core/errors';
import type { Department, Identity } from '../../../../functions/lib/core/model';
import { createDingtalkSource, parseDingtalkSourceConfig } from '../../../../functions/lib/sources/dingtalk';
import { type DingtalkApiFake, startDingtalkApi } from '../../../support/dingtalkApi';
import { DEPARTMENTS, USERS } from './directory';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('DingtalkSource', () => {
  let fake: DingtalkApiFake;
  const source = () => createDingtalkSource(
    parseDingtalkSourceConfig({ DINGTALK_APP_KEY: 'dingappkey0001', DINGTALK_APP_SECRET: 'app-secret-0001', DINGTALK_API_URL: fake.url })!,
    { pageSize: 2, retry: { sleep: async () => {} } },
  );

  beforeEach(async () => { fake = await startDingtalkApi({ users: USERS, departments: DEPARTMENTS }); });
  afterEach(() => fake.close());

  it('maps a DingTalk user to an identity, preferring the enterprise mailbox', async () => {
    expect(await source().getUser('manager164')).toEqual<Identity>({
      source: 'dingtalk', sourceId: 'manager164', userName: 'manager164', displayName: '王芳',
      email: 'fang.wang@corp.example', mobile: '13800000164', employeeId: 'E164', title: 'CTO',
      departmentIds: ['1', '2'], status: 'active',
      attributes: { unionid: 'un-164', email: 'fang@home.example', org_email: 'fang.wang@corp.example', job_number: 'E164' },
    });
  });

  it('maps the manager, and an inactive person as disabled', async () => {
    expect(await source().getUser('eng5')).toMatchObject({ managerId: 'manager164', departmentIds: ['2', '4'], email: 'eng5@corp.example' });
    expect(await source().getUser('sales1')).toMatchObject({ status: 'disabled', departmentIds: ['3'] });
  });

  it('reports a person who left as absent', async () => {
    fake.users.delete('eng0');
    expect(await source().getUser('eng0')).toBeUndefined();
  });

  it('reads a department by id, and reports a removed or impossible one as absent', async () => {
    expect(await source().getDepartment('4')).toEqual<Department>({ source: 'dingtalk', sourceId: '4', name: 'Platform', parentId: '2' });
    expect(await source().getDepartment('1')).toEqual<Department>({ source: 'dingtalk', sourceId: '1', name: 'Example Corp' });
    expect(await source().getDepartment('77')).toBeUndefined();
    expect(await source().getDepartment('not-a-number')).toBeUndefined();
  });

  it('lists the department tree from the root', async () => {
    const depts = await collect(source().listDepartments());
    expect(depts.map((d) => [d.sourceId, d.parentId])).toEqual([['1', undefined], ['2', '1'], ['3', '1'], ['4', '2']]);
  });

  it('lists every person once across departments and pages', async () => {
    const people = await collect(source().listUsers());
    expect(people.map((p) => p.sourceId).sort()).toEqual(USERS.map((u) => u.userid).sort());
    expect(fake.calls.filter((c) => c === '/topapi/v2/user/list').length).toBeGreaterThan(4);
  });

  it('lists everything through expired tokens and rate limits', async () => {
    const s = source();
    await s.getUser('eng0');
    fake.expireTokens();
    fake.failNext(1, 90018);
    expect(await collect(s.listUsers())).toHaveLength(USERS.length);
  });
});

describe('DingtalkSource.listDepartmentMembers', () => {
  let fake: DingtalkApiFake;
  const source = (pageSize = 2) => createDingtalkSource(
    parseDingtalkSourceConfig({ DINGTALK_APP_KEY: 'dingappkey0001', DINGTALK_APP_SECRET: 'app-secret-0001', DINGTALK_API_URL: fake.url })!,
    { pageSize, retry: { sleep: async () => {} } },
  );
  const members = async (id: string, s = source()) => {
    const listing = await s.listDepartmentMembers(id);
    return listing && (await collect(listing)).map((p) => p.sourceId).sort();
  };

  beforeEach(async () => { fake = await startDingtalkApi({ users: USERS, departments: DEPARTMENTS }); });
  afterEach(() => fake.close());

  it('lists the department and every department below it, each person once, across pages', async () => {
    const engineering = ['eng0', 'eng1', 'eng2', 'eng3', 'eng4', 'eng5', 'eng6', 'manager164'];
    expect(await members('2')).toEqual(engineering);
    // eng5 and eng6 sit in Engineering and Platform: read twice, listed once; 8 + 2 people by 2 a page.
    expect(fake.callCount('/topapi/v2/user/list')).toBe(4 + 1);
    expect(await members('4')).toEqual(['eng5', 'eng6']);
  });

  it('follows a department moved, and sees a renamed one', async () => {
    fake.moveDepartment(4, 3);
    expect(await members('3')).toEqual(['eng5', 'eng6', 'sales1']);
    fake.renameDepartment(4, 'Platform Sales');
    expect(await source().getDepartment('4')).toMatchObject({ name: 'Platform Sales', parentId: '3' });
  });

  it('answers undefined for a deleted department, and for an id DingTalk cannot have', async () => {
    expect(() => fake.deleteDepartment(3)).toThrow(/has members/);
    fake.users.set('sales1', { ...fake.users.get('sales1')!, dept_id_list: [1] });
    fake.deleteDepartment(3);
    expect(await source().listDepartmentMembers('3')).toBeUndefined();
    expect(await source().listDepartmentMembers('not-a-number')).toBeUndefined();
  });

  it('reports a department outside the app\'s contact scope as not visible, never as absent', async () => {
    fake.hidden.add(4);
    await expect(source().listDepartmentMembers('4')).rejects.toBeInstanceOf(NotVisibleError);
    await expect(source().getDepartment('4')).rejects.toBeInstanceOf(NotVisibleError);
    // Hidden below a visible department: DingTalk leaves it out of listsub.
    expect(await members('2')).toEqual(['eng0', 'eng1', 'eng2', 'eng3', 'eng4', 'eng5', 'eng6', 'manager164']);
  });

  it('recovers from a token expiring and rate limits in the middle of a listing', async () => {
    const s = source();
    const listing = (await s.listDepartmentMembers('2'))![Symbol.asyncIterator]();
    const first = await listing.next();
    fake.expireTokens();
    fake.failNext(2, 90018);
    fake.failNext(1, 'ip-ban');
    const rest: string[] = [];
    for (let next = await listing.next(); !next.done; next = await listing.next()) rest.push(next.value.sourceId);
    expect([first.value!.sourceId, ...rest]).toHaveLength(8);
    expect(fake.tokensIssued).toBe(2);
  });

  it('reads a 500-person department over four departments in 14 calls', async () => {
    // Sales (10) → East (11) → East-1 (13), and West (12): 125 people in each.
    await fake.close();
    const departments = [[10, 1], [11, 10], [12, 10], [13, 11]].map(([dept_id, parent_id]) => ({ dept_id: dept_id!, parent_id, name: `Dept ${dept_id}` }));
    const users = Array.from({ length: 500 }, (_, i) => ({ userid: `p${i}`, name: `Person ${i}`, dept_id_list: [10 + (i % 4)], active: true }));
    fake = await startDingtalkApi({ users, departments });
    expect(await members('10', source(100))).toHaveLength(500);
    const calls = fake.calls.length;
    // gettoken, department/get, 4 × listsub, 4 × 2 pages of user/list.
    expect(calls).toBe(1 + 1 + 4 + 8);
  });
});

describe('parseDingtalkSourceConfig', () => {
  it('is off when neither AppKey nor AppSecret is set', () => {
    expect(parseDingtalkSourceConfig({})).toBeUndefined();
    expect(parseDingtalkSourceConfig({ DINGTALK_APP_KEY: '  ', DINGTALK_TOKEN: 't' })).toBeUndefined();
  });

  it('defaults the API to oapi.dingtalk.com', () => {
    expect(parseDingtalkSourceConfig({ DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's' })).toEqual({
      appKey: 'k', appSecret: 's', apiUrl: 'https://oapi.dingtalk.com',
    });
  });

  it('names the missing secret and the malformed URL, never the values', () => {
    let error: unknown;
    try {
      parseDingtalkSourceConfig({ DINGTALK_APP_KEY: 'dingkey-visible', DINGTALK_API_URL: 'ftp://x?y' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['DINGTALK_APP_SECRET', 'DINGTALK_API_URL']);
    expect((error as Error).message).not.toMatch(/dingkey-visible|ftp/);
  });
});
