import { ConfigError } from '../../../../functions/lib/core/errors';
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
    { pageSize: 2, sleep: async () => {} },
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
