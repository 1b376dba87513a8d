import fc from 'fast-check';
import type { Department, Identity, IdentityStatus } from '../../../functions/lib/core/model';
import type { ScopeRules } from '../../../functions/lib/core/rules';
import { compileGroupRules, compileScope, indexDepartments } from '../../../functions/lib/core/scope';

// root ─┬─ eng (Engineering) ─┬─ eng-fe (Frontend)
//       │                     └─ eng-ct (Contractors) ── eng-ct-x (Agency X)
//       └─ sales (Sales) ── sales-fe (Frontend)
const departments: Department[] = [
  { source: 'dingtalk', sourceId: '1', name: 'Company' },
  { source: 'dingtalk', sourceId: 'eng', name: 'Engineering', parentId: '1' },
  { source: 'dingtalk', sourceId: 'eng-fe', name: 'Frontend', parentId: 'eng' },
  { source: 'dingtalk', sourceId: 'eng-ct', name: 'Contractors', parentId: 'eng' },
  { source: 'dingtalk', sourceId: 'eng-ct-x', name: 'Agency X', parentId: 'eng-ct' },
  { source: 'dingtalk', sourceId: 'sales', name: 'Sales', parentId: '1' },
  { source: 'dingtalk', sourceId: 'sales-fe', name: 'Frontend', parentId: 'sales' },
];
const index = indexDepartments(departments);

function person(departmentIds: string[], status: IdentityStatus = 'active', source: Identity['source'] = 'dingtalk'): Identity {
  return { source, sourceId: `p-${departmentIds.join('+')}`, departmentIds, status };
}

function scope(partial: Partial<ScopeRules>): ScopeRules {
  return { includeDepartments: [], excludeDepartments: [], statuses: ['active', 'disabled'], ...partial };
}

describe('compileScope', () => {
  it('takes everyone when no department is included', () => {
    const inScope = compileScope(scope({}), index);
    expect(inScope(person(['sales']))).toBe(true);
    expect(inScope(person([]))).toBe(true);
  });

  it('includes a department with its sub-departments, by id', () => {
    const inScope = compileScope(scope({ includeDepartments: ['eng'] }), index);
    expect(inScope(person(['eng']))).toBe(true);
    expect(inScope(person(['eng-ct-x']))).toBe(true);
    expect(inScope(person(['sales-fe']))).toBe(false);
    expect(inScope(person([]))).toBe(false);
  });

  it('includes by exact name, every department of that name', () => {
    const inScope = compileScope(scope({ includeDepartments: ['Frontend'] }), index);
    expect(inScope(person(['eng-fe']))).toBe(true);
    expect(inScope(person(['sales-fe']))).toBe(true);
    expect(inScope(person(['eng']))).toBe(false);
    expect(compileScope(scope({ includeDepartments: ['frontend'] }), index)(person(['eng-fe']))).toBe(false);
  });

  it('lets exclusion win over inclusion, sub-departments included', () => {
    const inScope = compileScope(scope({ includeDepartments: ['Engineering'], excludeDepartments: ['eng-ct'] }), index);
    expect(inScope(person(['eng-fe']))).toBe(true);
    expect(inScope(person(['eng-ct-x']))).toBe(false);
    expect(inScope(person(['eng-fe', 'eng-ct']))).toBe(false);
  });

  it('keeps only the listed statuses', () => {
    const activeOnly = compileScope(scope({ statuses: ['active'] }), index);
    expect(activeOnly(person(['eng'], 'active'))).toBe(true);
    expect(activeOnly(person(['eng'], 'disabled'))).toBe(false);
    expect(compileScope(scope({ statuses: [] }), index)(person(['eng']))).toBe(false);
  });

  it('matches a department it was never told about by its id only', () => {
    const inScope = compileScope(scope({ includeDepartments: ['new-team'] }), indexDepartments([]));
    expect(inScope(person(['new-team']))).toBe(true);
    expect(inScope(person(['other']))).toBe(false);
  });

  it('does not mix up departments of different sources that share an id', () => {
    const mixed = indexDepartments([
      ...departments,
      { source: 'lark', sourceId: 'eng-sub', name: 'Lark sub', parentId: 'eng' },
      { source: 'lark', sourceId: 'other', name: 'Other' },
    ]);
    const inScope = compileScope(scope({ includeDepartments: ['eng-ct'] }), mixed);
    expect(inScope(person(['eng-ct'], 'active', 'dingtalk'))).toBe(true);
    expect(inScope(person(['eng-sub'], 'active', 'lark'))).toBe(false); // its parent is lark:eng, unknown
    expect(inScope(person(['other'], 'active', 'lark'))).toBe(false);
  });

  it('survives a cycle in the department tree', () => {
    const cyclic = indexDepartments([
      { source: 'ad', sourceId: 'a', name: 'A', parentId: 'b' },
      { source: 'ad', sourceId: 'b', name: 'B', parentId: 'a' },
    ]);
    const inScope = compileScope(scope({ includeDepartments: ['A'] }), cyclic);
    expect(inScope(person(['a'], 'active', 'ad'))).toBe(true);
    expect(inScope(person(['b'], 'active', 'ad'))).toBe(true);
    const askedTheOtherWayRound = compileScope(scope({ includeDepartments: ['A'] }), cyclic);
    expect(askedTheOtherWayRound(person(['b'], 'active', 'ad'))).toBe(true);
    expect(askedTheOtherWayRound(person(['a'], 'active', 'ad'))).toBe(true);
    expect(compileScope(scope({ includeDepartments: ['zzz'] }), cyclic)(person(['b'], 'active', 'ad'))).toBe(false);
  });

  it('agrees with a walk up the tree for every department, include and exclude', () => {
    const ids = departments.map((d) => d.sourceId);
    const parent = new Map(departments.map((d) => [d.sourceId, d.parentId]));
    const ancestors = (id: string): string[] => {
      const out: string[] = [];
      for (let c: string | undefined = id; c !== undefined; c = parent.get(c)) out.push(c);
      return out;
    };
    const tokens = fc.subarray(ids);
    fc.assert(fc.property(tokens, tokens, fc.subarray(ids), (include, exclude, mine) => {
      const inScope = compileScope(scope({ includeDepartments: include, excludeDepartments: exclude }), index);
      const hits = (set: string[]) => mine.some((id) => ancestors(id).some((a) => set.includes(a)));
      const expected = !hits(exclude) && (include.length === 0 || hits(include));
      expect(inScope(person(mine))).toBe(expected);
    }), { numRuns: 1000 });
  });
});

describe('compileGroupRules', () => {
  it('maps a department and its sub-departments to a group, by id and by name', () => {
    const groupsOf = compileGroupRules([
      { department: 'eng', group: 'developers' },
      { department: 'Frontend', group: 'frontend' },
      { department: 'Sales', group: 'sales' },
    ], index);
    expect(groupsOf(person(['eng-fe']))).toEqual(['developers', 'frontend']);
    expect(groupsOf(person(['eng-ct-x']))).toEqual(['developers']);
    expect(groupsOf(person(['sales-fe']))).toEqual(['frontend', 'sales']);
    expect(groupsOf(person(['1']))).toEqual([]);
  });

  it('prefers an id over a name when a token is both', () => {
    const tricky = indexDepartments([
      { source: 'ad', sourceId: 'ops', name: 'Platform' },
      { source: 'ad', sourceId: 'x1', name: 'ops' },
    ]);
    const groupsOf = compileGroupRules([{ department: 'ops', group: 'ops-team' }], tricky);
    expect(groupsOf(person(['ops'], 'active', 'ad'))).toEqual(['ops-team']);
    expect(groupsOf(person(['x1'], 'active', 'ad'))).toEqual([]);
  });

  it('deduplicates and sorts groups', () => {
    const groupsOf = compileGroupRules([
      { department: 'eng-fe', group: 'zeta' },
      { department: 'eng', group: 'alpha' },
      { department: 'sales-fe', group: 'zeta' },
    ], index);
    expect(groupsOf(person(['sales-fe', 'eng-fe', 'eng']))).toEqual(['alpha', 'zeta']);
  });

  it('gives the same groups whatever the order of the person\'s departments', () => {
    const groupsOf = compileGroupRules(departments.map((d) => ({ department: d.sourceId, group: `g-${d.name}` })), index);
    const ids = departments.map((d) => d.sourceId);
    fc.assert(fc.property(fc.subarray(ids).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s, { minLength: s.length }))),
      ([mine, shuffled]) => {
        const groups = groupsOf(person(mine));
        expect(groupsOf(person(shuffled))).toEqual(groups);
        expect(groups).toEqual([...new Set(groups)].sort());
      }), { numRuns: 1000 });
  });
});
