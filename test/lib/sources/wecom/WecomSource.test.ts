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

describe('WecomSource.listDepartmentMembers', () => {
  let fake: WecomApiFake;
  const source = (pageSize = 4) => createWecomSource(
    { corpId: fake.corpId, secret: fake.secret, apiUrl: fake.url },
    { concurrency: 3, api: { pageSize, retry: { sleep: async () => undefined } } },
  );
  const members = async (id: string, s = source()) => {
    const listing = await s.listDepartmentMembers(id);
    return listing && (await collect(listing)).map((p) => p.sourceId).sort();
  };

  // Corp (1) → Engineering (2) → Platform (3) → Storage (4), and Sales (5); m2 sits in Engineering and Storage.
  beforeEach(async () => {
    fake = await startWecomApi();
    for (const [id, parentid] of [[1, 0], [2, 1], [3, 2], [4, 3], [5, 1]] as const) fake.departments.set(id, { id, name: `Dept ${id}`, parentid });
    const place: Record<string, number[]> = { m1: [1], m2: [2, 4], m3: [3], m4: [3], m5: [4], m6: [4], m7: [5], m8: [4] };
    for (const [userid, department] of Object.entries(place)) fake.users.set(userid, { userid, name: `Member ${userid}`, department, status: userid === 'm8' ? 5 : 1 });
  });
  afterEach(() => fake.close());

  it('lists the department and all below it, each current member once, across pages', async () => {
    expect(await members('2')).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
    // 8 list_id rows (m2 twice, the exited m8 left out) by 4 a page; one user/get per person.
    expect(fake.callCount('user/list_id')).toBe(2);
    expect(fake.callCount('user/get')).toBe(5);
    expect(await members('4')).toEqual(['m2', 'm5', 'm6']);
  });

  it('follows a moved department and reads a renamed one', async () => {
    fake.moveDepartment(3, 5);
    expect(await members('5')).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(await members('2')).toEqual(['m2']);
    fake.renameDepartment(3, 'Platform Sales');
    expect(await source().getDepartment('3')).toEqual({ source: 'wecom', sourceId: '3', name: 'Platform Sales', parentId: '5' });
  });

  it('answers undefined for a deleted department and for an id WeCom cannot have', async () => {
    expect(() => fake.deleteDepartment(5)).toThrow(/has members/);
    fake.users.set('m7', { ...fake.users.get('m7')!, department: [1] });
    fake.deleteDepartment(5);
    expect(await source().listDepartmentMembers('5')).toBeUndefined();
    expect(await source().listDepartmentMembers('sales')).toBeUndefined();
  });

  it('recovers from an expired token and throttling in the middle of a listing', async () => {
    const listing = (await source(2).listDepartmentMembers('2'))![Symbol.asyncIterator]();
    fake.expireTokens();
    fake.failNext('user/list_id', { errcode: 45009 }, 2);
    fake.failNext('user/get', { errcode: -1 }, 2);
    const all: string[] = [];
    for (let next = await listing.next(); !next.done; next = await listing.next()) all.push(next.value.sourceId);
    expect(all.sort()).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
    expect(fake.tokensIssued).toBe(2);
  });

  it('reads a 500-member department over sub-departments with one user/get per member', async () => {
    await fake.close();
    fake = await startWecomApi();
    for (const [id, parentid] of [[1, 0], [10, 1], [11, 10], [12, 10], [13, 11], [20, 1]] as const) fake.departments.set(id, { id, name: `Dept ${id}`, parentid });
    for (let i = 0; i < 500; i++) fake.users.set(`s${i}`, { userid: `s${i}`, name: `Staff ${i}`, department: [10 + (i % 4)], status: 1 });
    for (let i = 0; i < 300; i++) fake.users.set(`o${i}`, { userid: `o${i}`, name: `Other ${i}`, department: [20], status: 1 });
    expect(await members('10', source(10_000))).toHaveLength(500);
    // gettoken, simplelist, list_id (800 rows, one page), 500 × user/get.
    expect(fake.calls).toHaveLength(1 + 1 + 1 + 500);
  });
});
