import { buildPlan } from '../../../functions/lib/core/plan';
import { displayWidth, renderPlanJson, renderPlanTable } from '../../../functions/lib/core/render';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { settlePlan } from '../../../functions/lib/core/safeguard';

const planned = buildPlan({
  desired: [
    { externalId: 'file:e1', source: 'file', sourceId: 'e1', userName: 'alice', displayName: 'Alice', status: 'active', groups: ['eng'] },
    { externalId: 'file:e2', source: 'file', sourceId: 'e2', userName: 'zhangwei', displayName: '张伟', status: 'active', groups: [] },
    { externalId: 'file:e3', source: 'file', sourceId: 'e3', userName: 'carol', displayName: 'Carol', status: 'active', groups: [] },
  ],
  actual: [
    { id: '1', userName: 'zhangwei', displayName: 'Zhang Wei', externalId: 'file:e2' },
    { id: '2', userName: 'carol', displayName: 'Carol', externalId: 'file:e3' },
    { id: '3', userName: 'gone', displayName: 'Gone', externalId: 'file:e9' },
  ],
  coverage: { kind: 'sources', sources: ['file'] },
  policy: DEFAULT_DEPROVISION_POLICY,
  groupRules: [{ department: 'd1', group: 'eng' }],
  conflicts: [{ userName: 'li.na', holder: 'file:e5', renamed: [{ externalId: 'file:e6', userName: 'li.na-0e7395' }], reason: 'lowest externalId' }],
});
const { plan } = settlePlan(undefined, planned, {
  rules: DEFAULT_SAFEGUARD, now: new Date(), managed: planned.managed, mode: 'all', covered: () => true,
  origin: { path: 'full-sync', runId: 'r' },
});

describe('renderPlanTable', () => {
  const table = renderPlanTable(plan);
  const lines = table.split('\n');

  it('lists each change with its action, user, externalId, changes and reason', () => {
    expect(lines[0]).toMatch(/^ACTION\s+USER\s+EXTERNAL ID\s+CHANGES\s+REASON$/);
    expect(table).toMatch(/create\s+alice\s+file:e1\s+displayName: Alice, \+eng\s+new at the source/);
    expect(table).toMatch(/update\s+zhangwei\s+file:e2\s+displayName: Zhang Wei → 张伟/);
    expect(table).toMatch(/group create\s+eng/);
  });

  it('counts unchanged users instead of listing them, unless asked', () => {
    expect(table).not.toMatch(/carol/);
    expect(table).toMatch(/1 unchanged/);
    expect(renderPlanTable(plan, { includeNoop: true })).toMatch(/noop\s+carol/);
  });

  it('reports name conflicts and the safeguard verdict', () => {
    expect(table).toMatch(/name conflict: "li\.na" kept by file:e5 \(lowest externalId\); file:e6 → li\.na-0e7395/);
    expect(table).toMatch(/safeguard: 1 deprovision\(s\) within the limits/);
  });

  it('aligns columns by terminal width, wide characters included', () => {
    const rows = lines.filter((l) => /file:e[12]/.test(l));
    const reasonColumn = rows.map((l) => displayWidth(l.slice(0, l.search(/(new at|displayName changed)/))));
    expect(new Set(reasonColumn).size).toBe(1);
  });

  it('says so when there is nothing to do', () => {
    const empty = buildPlan({ desired: [], actual: [], coverage: { kind: 'sources', sources: ['file'] }, policy: DEFAULT_DEPROVISION_POLICY });
    expect(renderPlanTable(empty)).toMatch(/\(no changes\)/);
  });
});

describe('renderPlanJson', () => {
  it('round-trips the plan as data', () => {
    expect(JSON.parse(renderPlanJson(plan))).toEqual(JSON.parse(JSON.stringify(plan)));
  });
});
