import type { DesiredUser, RamUser } from '../../../functions/lib/core/model';
import { type PlanInput, type UserStep, buildPlan } from '../../../functions/lib/core/plan';
import { DEFAULT_DEPROVISION_POLICY } from '../../../functions/lib/core/rules';

const want = (id: string, extra: Partial<DesiredUser> = {}): DesiredUser => ({
  externalId: `file:${id}`, source: 'file', sourceId: id, userName: id, displayName: `Person ${id}`,
  status: 'active', groups: [], ...extra,
});
const have = (id: string, extra: Partial<RamUser> = {}): RamUser => ({
  id: `ram-${id}`, userName: id, displayName: `Person ${id}`, externalId: `file:${id}`, ...extra,
});
const plan = (input: Partial<PlanInput>) => buildPlan({
  desired: [], actual: [], coverage: { kind: 'sources', sources: ['file'] }, policy: DEFAULT_DEPROVISION_POLICY,
  ...input,
});
const userSteps = (p: ReturnType<typeof plan>) => p.steps.filter((s): s is UserStep => s.kind === 'user');
const byId = (p: ReturnType<typeof plan>, id: string) => userSteps(p).find((s) => s.sourceId === id)!;

describe('buildPlan', () => {
  it('creates people who have no RAM user, with their mapped groups', () => {
    const p = plan({ desired: [want('alice', { groups: ['eng'] })], groupRules: [{ department: 'd1', group: 'eng' }] });
    expect(byId(p, 'alice')).toMatchObject({ action: 'create', userName: 'alice', groups: { add: ['eng'], remove: [] } });
    expect(p.summary).toMatchObject({ create: 1, groupCreate: 1 });
  });

  it('leaves users in step alone', () => {
    const p = plan({ desired: [want('alice')], actual: [have('alice')] });
    expect(byId(p, 'alice')).toMatchObject({ action: 'noop', diff: [] });
    expect(p.summary.noop).toBe(1);
  });

  it('updates with the attribute diff, and treats a case-only name difference as equal', () => {
    const p = plan({
      desired: [want('alice', { displayName: 'Alice L.' }), want('bob', { userName: 'bobby' }), want('carol')],
      actual: [have('alice'), have('bob'), have('carol', { userName: 'Carol' })],
    });
    expect(byId(p, 'alice').diff).toEqual([{ field: 'displayName', from: 'Person alice', to: 'Alice L.' }]);
    expect(byId(p, 'bob')).toMatchObject({ action: 'update', ramId: 'ram-bob', diff: [{ field: 'userName', from: 'bob', to: 'bobby' }] });
    expect(byId(p, 'carol').action).toBe('noop');
  });

  it('deletes people absent at the source, removing only the memberships we manage', () => {
    const p = plan({
      actual: [have('gone')],
      groupRules: [{ department: 'd', group: 'eng' }],
      actualGroups: [{ groupName: 'eng' }, { groupName: 'admins' }],
      actualMembers: new Map([['eng', new Set(['gone'])]]),
    });
    expect(byId(p, 'gone')).toMatchObject({ action: 'delete', ramId: 'ram-gone', groups: { add: [], remove: ['eng'] } });
    expect(byId(p, 'gone').reason).toMatch(/absent at the source/);
  });

  it('never plans users without our externalId, or of sources the run does not cover', () => {
    const p = plan({
      actual: [
        { id: 'c1', userName: 'console-admin', displayName: 'Admin' },
        { id: 'c2', userName: 'someone', displayName: 'x', externalId: 'okta:00u1' },
        have('ad-person', { externalId: 'ad:5f1c' }),
      ],
    });
    expect(p.steps).toEqual([]);
    expect(p.managed).toBe(0);
  });

  it('covers only the named externalIds in an incremental plan', () => {
    const p = buildPlan({
      desired: [], actual: [have('a'), have('b')], coverage: { kind: 'externalIds', externalIds: ['file:a'] },
      policy: DEFAULT_DEPROVISION_POLICY,
    });
    expect(userSteps(p).map((s) => [s.sourceId, s.action])).toEqual([['a', 'delete']]);
  });

  it('follows the disabled policy: suspend once, then nothing until enabled again, then restore', () => {
    const disabled = want('dan', { status: 'disabled' });
    expect(byId(plan({ desired: [disabled], actual: [have('dan')] }), 'dan').action).toBe('suspend');
    const suspended = new Set(['file:dan']);
    expect(byId(plan({ desired: [disabled], actual: [have('dan')], suspended }), 'dan').action).toBe('noop');
    const back = byId(plan({ desired: [want('dan')], actual: [have('dan')], suspended }), 'dan');
    expect(back).toMatchObject({ action: 'restore', reason: expect.stringMatching(/enabled again/) });
  });

  it('creates a disabled person only to suspend them, and not at all under a delete policy', () => {
    expect(byId(plan({ desired: [want('eve', { status: 'disabled' })] }), 'eve')).toMatchObject({ action: 'create', thenSuspend: true });
    expect(byId(plan({ desired: [want('eve', { status: 'disabled' })], policy: { deleted: 'delete', disabled: 'delete' } }), 'eve').action).toBe('noop');
    const p = plan({
      desired: [want('eve', { status: 'disabled' })], actual: [have('eve')],
      policy: { deleted: 'delete', disabled: 'delete' },
    });
    expect(byId(p, 'eve').action).toBe('delete');
  });

  it('keeps absent people under policy none, saying why', () => {
    const p = plan({ actual: [have('x')], policy: { deleted: 'none', disabled: 'none' } });
    expect(byId(p, 'x')).toMatchObject({ action: 'noop', reason: expect.stringMatching(/policy is none/) });
  });

  it('reconciles membership of mapped groups only', () => {
    const p = plan({
      desired: [want('fay', { groups: ['eng'] })], actual: [have('fay')],
      groupRules: [{ department: 'd1', group: 'eng' }, { department: 'd2', group: 'ops' }],
      actualGroups: [{ groupName: 'eng' }, { groupName: 'ops' }, { groupName: 'unmanaged' }],
      actualMembers: new Map([['eng', new Set<string>()], ['ops', new Set(['fay'])]]),
    });
    expect(byId(p, 'fay')).toMatchObject({ action: 'update', groups: { add: ['eng'], remove: ['ops'] } });
    expect(p.steps.filter((s) => s.kind === 'group').map((s) => s.action)).toEqual(['noop', 'noop']);
  });

  it('is the same plan whatever the input order', () => {
    const desired = [want('a'), want('b', { displayName: 'B' }), want('c')];
    const actual = [have('b'), have('d'), have('a')];
    const sorted = (p: ReturnType<typeof plan>) => [...p.steps].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(sorted(plan({ desired, actual }))).toEqual(sorted(plan({ desired: [...desired].reverse(), actual: [...actual].reverse() })));
  });
});
