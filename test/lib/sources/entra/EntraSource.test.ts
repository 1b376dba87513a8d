/**
 * The Source port over the local Graph: absent only on Graph's 404, disabled accounts kept as
 * disabled people, each person once, departments from the attribute, from groups, or both.
 */
import { parseEntraSourceConfig } from '../../../../functions/lib/sources/entra/config';
import { EntraSource, createEntraSource } from '../../../../functions/lib/sources/entra/EntraSource';
import { attributeDepartmentId } from '../../../../functions/lib/sources/attributeDepartments';
import { type GraphFake, graphEnv, graphGroup, graphUser, startGraphApi } from '../../../support/graphApi';

describe('EntraSource', () => {
  let graph: GraphFake;
  const U = (n: number) => graphUser(n).id;
  const G = (n: number) => graphGroup(n).id;
  beforeEach(async () => {
    graph = await startGraphApi({
      users: [
        graphUser(1, { userPrincipalName: 'wang.fang@contoso.cn', displayName: '王芳', department: 'R&D', mail: 'fang@contoso.cn' }),
        graphUser(2, { department: '  Sales   Asia ', accountEnabled: false }),
        graphUser(3, { department: null, mail: null }),
        graphUser(4, { department: 'R&D' }),
      ],
      groups: [graphGroup(1, { displayName: 'Platform', members: [U(1), U(2), G(2)] }), graphGroup(2, { displayName: 'SRE', members: [U(1), U(3)] })],
      maxPageSize: 2,
    });
  });
  afterEach(() => graph.close());

  const source = (departments: 'attribute' | 'groups' | 'both' = 'attribute'): EntraSource =>
    createEntraSource(parseEntraSourceConfig(graphEnv(graph, { ENTRA_DEPARTMENTS: departments }))!, { retry: { sleep: async () => undefined } });
  const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const x of it) out.push(x); return out; };

  it('maps a user: externalId entra:<object id>, UPN prefix as userName, the whole UPN for templates', async () => {
    expect(await source().getUser(U(1))).toEqual({
      source: 'entra', sourceId: U(1), userName: 'wang.fang', displayName: '王芳', email: 'fang@contoso.cn', employeeId: 'E1', title: 'Engineer',
      departmentIds: ['dept:R&D'], status: 'active',
      attributes: {
        userPrincipalName: 'wang.fang@contoso.cn', mail: 'fang@contoso.cn', mailNickname: 'user1', givenName: 'User', surname: '1', department: 'R&D', employeeId: 'E1',
      },
    });
  });

  it('a disabled account (accountEnabled false) is a disabled person; a deleted one is absent', async () => {
    expect(await source().getUser(U(2))).toMatchObject({ status: 'disabled', departmentIds: ['dept:Sales Asia'] });
    graph.deleteUser(U(4));
    expect(await source().getUser(U(4))).toBeUndefined();
    expect(await source().getUser('00000000-0000-4000-8000-00000000beef')).toBeUndefined();
  });

  it('a permission without consent is an error, never absence', async () => {
    graph.denied.add('User.Read.All');
    await expect(source().getUser(U(1))).rejects.toMatchObject({ code: 'Graph Authorization_RequestDenied', retryable: false });
    await expect(all(source().listUsers())).rejects.toMatchObject({ status: 403 });
  });

  it('lists everyone once, disabled people included, paged', async () => {
    const people = await all(source().listUsers());
    expect(people.map((p) => p.sourceId)).toEqual([U(1), U(2), U(3), U(4)]);
    expect(people.find((p) => p.sourceId === U(3))?.departmentIds).toEqual([]);
  });

  describe('departments from the department attribute (default)', () => {
    it('derives ids from the name, lists each name once, and finds who carries one', async () => {
      const s = source();
      expect(attributeDepartmentId('  Sales   Asia ')).toBe('dept:Sales Asia');
      expect(await all(s.listDepartments())).toEqual([
        { source: 'entra', sourceId: 'dept:R&D', name: 'R&D' }, { source: 'entra', sourceId: 'dept:Sales Asia', name: 'Sales Asia' },
      ]);
      expect(await s.getDepartment('dept:R&D')).toEqual({ source: 'entra', sourceId: 'dept:R&D', name: 'R&D' });
      expect((await all((await s.listDepartmentMembers('dept:R&D'))!)).map((p) => p.sourceId)).toEqual([U(1), U(4)]);
    });

    it('a name nobody carries any more is an absent department', async () => {
      expect(await source().getDepartment('dept:Marketing')).toBeUndefined();
      expect(await source().listDepartmentMembers('dept:Marketing')).toBeUndefined();
      expect(await source().getDepartment(G(1))).toBeUndefined(); // groups are not departments in this mode
    });
  });

  describe('departments from groups', () => {
    it('a person\'s departments are the groups they are a direct member of', async () => {
      expect((await source('groups').getUser(U(1)))?.departmentIds).toEqual([G(1), G(2)]);
      expect((await source('both').getUser(U(1)))?.departmentIds).toEqual(['dept:R&D', G(1), G(2)]);
    });

    it('listUsers reads each group\'s members once instead of each user\'s groups', async () => {
      const people = await all(source('groups').listUsers());
      expect(Object.fromEntries(people.map((p) => [p.sourceId, p.departmentIds]))).toEqual({
        [U(1)]: [G(1), G(2)], [U(2)]: [G(1)], [U(3)]: [G(2)], [U(4)]: [],
      });
      expect(graph.calls['GET /v1.0/users/{id}/memberOf/microsoft.graph.group']).toBeUndefined();
    });

    it('lists groups as top-level departments; a group\'s members are its direct user members', async () => {
      const s = source('groups');
      expect(await all(s.listDepartments())).toEqual([
        { source: 'entra', sourceId: G(1), name: 'Platform' }, { source: 'entra', sourceId: G(2), name: 'SRE' },
      ]);
      expect((await all((await s.listDepartmentMembers(G(1)))!)).map((p) => p.sourceId)).toEqual([U(1), U(2)]);
      graph.deleteGroup(G(2));
      expect(await s.getDepartment(G(2))).toBeUndefined();
      expect(await s.listDepartmentMembers(G(2))).toBeUndefined();
    });

    it('both: groups and attribute names', async () => {
      expect((await all(source('both').listDepartments())).map((d) => d.sourceId)).toEqual([G(1), G(2), 'dept:R&D', 'dept:Sales Asia']);
    });
  });
});
