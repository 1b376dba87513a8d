/** The WeCom Source against the local WeCom fake: field mapping, absence, and full listings. */
import { createWecomSource } from '../../../../functions/lib/sources/wecom/WecomSource';
import { departmentFromWecom, identityFromWecom } from '../../../../functions/lib/sources/wecom/fields';
import { type WecomApiFake, startWecomApi } from '../../../support/wecomApi';

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe('identityFromWecom and departmentFromWecom', () => {
  it('maps a full member, main department first, work mail as the fallback email', () => {
    expect(identityFromWecom({
      userid: 'zhangsan', name: '张三', department: [3, 1, 2], main_department: 2, position: '产品经理', mobile: '13800000000',
      biz_mail: 'zhangsan@corp.wecom.work', alias: 'jackzhang', status: 1, direct_leader: ['lisi', 'wangwu'], open_userid: 'woAJ2GCAAA',
    })).toEqual({
      source: 'wecom', sourceId: 'zhangsan', userName: 'zhangsan', displayName: '张三', email: 'zhangsan@corp.wecom.work',
      mobile: '13800000000', title: '产品经理', departmentIds: ['2', '3', '1'], status: 'active', managerId: 'lisi',
      attributes: { alias: 'jackzhang', biz_mail: 'zhangsan@corp.wecom.work', main_department: '2', open_userid: 'woAJ2GCAAA' },
    });
  });

  it('maps status 2 to disabled, 4 (not yet activated) to active, and 5 (exited) to absent', () => {
    const base = { userid: 'u', name: 'U', department: [1] };
    expect(identityFromWecom({ ...base, status: 2 })?.status).toBe('disabled');
    expect(identityFromWecom({ ...base, status: 4 })?.status).toBe('active');
    expect(identityFromWecom({ ...base, status: 5 })).toBeUndefined();
  });

  it('maps what a post-2022 app still receives: just the userid, name and departments', () => {
    expect(identityFromWecom({ userid: 'u', department: [1] })).toEqual({
      source: 'wecom', sourceId: 'u', userName: 'u', departmentIds: ['1'], status: 'active', attributes: {},
    });
  });

  it('gives the root department no parent', () => {
    expect(departmentFromWecom({ id: 1, name: 'Corp', parentid: 0 })).toEqual({ source: 'wecom', sourceId: '1', name: 'Corp' });
    expect(departmentFromWecom({ id: 5, name: '', name_en: 'Sales', parentid: 1 })).toEqual({ source: 'wecom', sourceId: '5', name: 'Sales', parentId: '1' });
  });
});

describe('WecomSource', () => {
  let fake: WecomApiFake;
  const source = () => createWecomSource({ corpId: fake.corpId, secret: fake.secret, apiUrl: fake.url }, { concurrency: 3 });

  beforeEach(async () => {
    fake = await startWecomApi({ maxPageSize: 4 });
    fake.departments.set(1, { id: 1, name: 'Corp', parentid: 0 });
    fake.departments.set(2, { id: 2, name: 'Engineering', parentid: 1 });
    for (let i = 0; i < 25; i++) {
      fake.users.set(`e${String(i).padStart(2, '0')}`, { userid: `e${String(i).padStart(2, '0')}`, name: `E ${i}`, department: i % 2 ? [1, 2] : [2], status: i === 7 ? 2 : 1 });
    }
  });
  afterEach(() => fake.close());

  it('reads one member for push, and answers undefined for the deleted and the exited', async () => {
    fake.users.set('gone', { userid: 'gone', name: 'Gone', department: [1], status: 5 });
    expect(await source().getUser('e07')).toMatchObject({ sourceId: 'e07', displayName: 'E 7', status: 'disabled', departmentIds: ['1', '2'] });
    expect(await source().getUser('nobody')).toBeUndefined();
    expect(await source().getUser('gone')).toBeUndefined();
  });

  it('reads one department, and answers undefined for a missing or non-numeric id', async () => {
    expect(await source().getDepartment('2')).toEqual({ source: 'wecom', sourceId: '2', name: 'Engineering', parentId: '1' });
    expect(await source().getDepartment('404')).toBeUndefined();
    expect(await source().getDepartment('eng')).toBeUndefined();
  });

  it('lists every member once, though list_id has a row per department, across pages', async () => {
    const people = await collect(source().listUsers());
    expect(people.map((p) => p.sourceId)).toEqual([...fake.users.keys()].sort());
    expect(fake.callCount('user/get')).toBe(25);
    expect(fake.callCount('user/list_id')).toBe(Math.ceil(37 / 4));
  });

  it('skips a member deleted between the listing and the detail call', async () => {
    const s = source();
    const listing = s.listUsers()[Symbol.asyncIterator]();
    const first = await listing.next();
    fake.users.delete('e24');
    const rest = [first.value];
    for (let r = await listing.next(); !r.done; r = await listing.next()) rest.push(r.value);
    expect(rest.map((p) => p?.sourceId)).not.toContain('e24');
    expect(rest).toHaveLength(24);
  });

  it('lists every department with names and parents', async () => {
    expect(await collect(source().listDepartments())).toEqual([
      { source: 'wecom', sourceId: '1', name: 'Corp' },
      { source: 'wecom', sourceId: '2', name: 'Engineering', parentId: '1' },
    ]);
  });

  it('lets a configuration error through to the engine with its fix', async () => {
    fake.failNext('user/get', { errcode: 60020 });
    await expect(source().getUser('e01')).rejects.toMatchObject({ retryable: false, recommendedAction: expect.stringContaining('IP') });
  });
});
