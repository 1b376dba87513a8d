import type { Identity } from '../../../../functions/lib/core/model';
import { parseOktaSourceConfig } from '../../../../functions/lib/sources/okta/config';
import { statusOf, toIdentity } from '../../../../functions/lib/sources/okta/mapping';
import { type OktaSource, createOktaSource } from '../../../../functions/lib/sources/okta/OktaSource';
import { OKTA_STATUSES, type OktaApiFake, type OktaStatus, oktaGroupId, oktaUser, startOktaApi } from '../../../support/oktaApi';

const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const x of it) out.push(x); return out; };

describe('Okta status → person', () => {
  it.each<[OktaStatus, string | undefined]>([
    ['ACTIVE', 'active'], ['RECOVERY', 'active'], ['PASSWORD_EXPIRED', 'active'], ['LOCKED_OUT', 'active'],
    ['SUSPENDED', 'disabled'],
    // Not yet activated: synced as disabled, so SYNC_STATUSES=active leaves them out and the default suspends them.
    ['STAGED', 'disabled'], ['PROVISIONED', 'disabled'],
    ['DEPROVISIONED', undefined],
  ])('%s is %s', (status, expected) => {
    expect(statusOf(status)).toBe(expected);
    expect(toIdentity(oktaUser(1, { status }), { attribute: false })?.status).toBe(expected);
  });

  it('covers every status Okta documents', () => {
    expect(OKTA_STATUSES.map((s) => statusOf(s) ?? 'gone')).toEqual(['disabled', 'disabled', 'active', 'active', 'active', 'active', 'disabled', 'gone']);
  });

  it('keeps a status it does not know (ACTIVATING, a newer one) as disabled: no access, nothing deleted', () => {
    expect(statusOf('ACTIVATING')).toBe('disabled');
  });

  it('maps the profile: login as userName, displayName or first + last name, every string attribute for templates', () => {
    const identity = toIdentity(oktaUser(7, { profile: { displayName: null, firstName: '芳', lastName: '王', costCenter: 'CC-9', mobilePhone: '+86 138 0000 0007' } }), { attribute: true, groupIds: ['00g1'] });
    expect(identity).toEqual<Identity>({
      source: 'okta', sourceId: oktaUser(7).id, userName: 'user7@corp.example', displayName: '芳 王', email: 'user7@corp.example',
      mobile: '+86 138 0000 0007', employeeId: 'E7', title: 'Engineer', departmentIds: ['dept:Engineering', '00g1'], status: 'active',
      attributes: expect.objectContaining({ login: 'user7@corp.example', costCenter: 'CC-9', department: 'Engineering' }) as Record<string, string>,
    });
  });
});

describe('OktaSource', () => {
  let okta: OktaApiFake;
  const eng = oktaGroupId(1);
  const ops = oktaGroupId(2);
  beforeEach(async () => {
    okta = await startOktaApi({
      users: [
        oktaUser(1), oktaUser(2, { status: 'SUSPENDED' }), oktaUser(3, { status: 'STAGED', profile: { department: 'Sales' } }),
        oktaUser(4, { status: 'DEPROVISIONED' }), oktaUser(5, { profile: { department: '  Research   and Development ' } }),
      ],
      groups: [
        { group: { id: eng, name: 'Engineering' }, members: [oktaUser(1).id, oktaUser(2).id, oktaUser(4).id] },
        { group: { id: ops, name: 'Ops' }, members: [oktaUser(1).id] },
        { group: { id: oktaGroupId(3), name: 'Everyone', type: 'BUILT_IN' }, members: [] },
      ],
    });
  });
  afterEach(() => okta.close());

  const source = (departments = 'groups'): OktaSource => createOktaSource(
    parseOktaSourceConfig({ OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken, OKTA_DEPARTMENTS: departments })!,
    { pageSize: 2, retry: { sleep: async () => undefined } },
  );

  it('lists everyone not deprovisioned, each once, with their groups as departments (one listing per group, not per person)', async () => {
    const people = await all(source().listUsers());
    expect(people.map((p) => [p.sourceId, p.status, p.departmentIds])).toEqual([
      [oktaUser(1).id, 'active', [eng, ops]], [oktaUser(2).id, 'disabled', [eng]], [oktaUser(3).id, 'disabled', []], [oktaUser(5).id, 'active', []],
    ]);
    expect(okta.calls['GET /api/v1/users/{id}/groups']).toBeUndefined();
    expect(okta.calls['GET /api/v1/groups/{id}/users']).toBe(4); // three groups, Engineering's 3 members in two pages of 2
  });

  it('reads one person with their groups; DEPROVISIONED and deleted people are absent', async () => {
    const s = source();
    expect((await s.getUser(oktaUser(1).id))?.departmentIds).toEqual([eng, ops]);
    expect(await s.getUser(oktaUser(4).id)).toBeUndefined();
    okta.deleteUser(oktaUser(4).id); // the second DELETE: gone for good, 404
    expect(await s.getUser(oktaUser(4).id)).toBeUndefined();
    expect(okta.calls['GET /api/v1/users/{id}/groups']).toBe(1);
  });

  it('reads departments from profile.department as dept:<name>, or from both', async () => {
    const s = source('attribute');
    expect((await s.getUser(oktaUser(5).id))?.departmentIds).toEqual(['dept:Research and Development']);
    expect((await all(s.listDepartments())).map((d) => d.sourceId)).toEqual(['dept:Engineering', 'dept:Sales', 'dept:Research and Development']);
    expect(await s.getDepartment('dept:Sales')).toEqual({ source: 'okta', sourceId: 'dept:Sales', name: 'Sales' });
    expect(await s.getDepartment('dept:Nobody')).toBeUndefined();
    expect(await s.getDepartment(eng)).toBeUndefined();
    expect((await source('both').getUser(oktaUser(1).id))?.departmentIds).toEqual(['dept:Engineering', eng, ops]);
  });

  it('lists a group\'s members (deprovisioned ones left out), and answers undefined for a group that is gone', async () => {
    const s = source();
    const members = await s.listDepartmentMembers(eng);
    expect((await all(members!)).map((p) => p.sourceId)).toEqual([oktaUser(1).id, oktaUser(2).id]);
    expect(await s.listDepartmentMembers(oktaGroupId(9))).toBeUndefined();
    expect(await s.getDepartment(ops)).toEqual({ source: 'okta', sourceId: ops, name: 'Ops' });
  });

  it('lists an attribute department\'s carriers by search', async () => {
    const s = source('attribute');
    const members = await s.listDepartmentMembers('dept:Engineering');
    expect((await all(members!)).map((p) => p.sourceId)).toEqual([oktaUser(1).id, oktaUser(2).id]);
    expect(await s.listDepartmentMembers('dept:Nobody')).toBeUndefined();
  });

  it('fails the listing when Okta fails, rather than answering a shorter list', async () => {
    okta.failNext(20, 500);
    await expect(all(source().listUsers())).rejects.toMatchObject({ retryable: true });
  });
});
