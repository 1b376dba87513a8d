/**
 * Plans for the plan report's tests and bench, made by the real planner and safeguard (not written by
 * hand), so the report is checked against what a sync would really show.
 */
import type { DesiredUser, RamUser } from '../../functions/lib/core/model';
import { type Plan, buildPlan } from '../../functions/lib/core/plan';
import type { ReportConfig } from '../../functions/lib/core/reportData';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_SAFEGUARD, type GroupRule } from '../../functions/lib/core/rules';
import { settlePlan } from '../../functions/lib/core/safeguard';

export const HOSTILE = '<img src=x onerror=alert(1)>';
export const GROUP_RULES: GroupRule[] = [{ department: 'Sales', group: 'sales' }, { department: 'Engineering', group: 'eng' }];

export const reportConfig = (): ReportConfig => ({
  sources: ['file', 'dingtalk'], groupRules: GROUP_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD,
  scope: { includeDepartments: [], excludeDepartments: ['Contractors'], statuses: ['active', 'disabled'] },
});

/**
 * `n` people: every 10th new (created, alternately into sales and eng), every 10th renamed, every 10th
 * gone (deleted; the safeguard holds them past its limit), the rest unchanged; a held one and an updated one have hostile names, one display name holds an email and a mobile.
 */
export function samplePlan(n = 40): Plan {
  const desired: DesiredUser[] = [];
  const actual: RamUser[] = [];
  for (let i = 0; i < n; i++) {
    const source = i % 3 === 0 ? 'dingtalk' as const : 'file' as const;
    const id = `e${i}`;
    const externalId = `${source}:${id}`;
    const name = i === 3 ? HOSTILE : i === 2 ? '</script><script>alert(2)</script>' : `user${i}`;
    const display = i === 4 ? 'Reach me at li.lei@corp.example.com or 13812345678' : `User ${i}`;
    const role = i % 10;
    if (role !== 3) {
      desired.push({ externalId, source, sourceId: id, userName: name, displayName: display, status: 'active',
        groups: role === 1 ? [i % 20 === 1 ? 'sales' : 'eng'] : [] });
    }
    if (role !== 1) {
      actual.push({ id: `ram-${i}`, externalId, userName: name, displayName: role === 2 ? `Old ${i}` : display });
    }
  }
  const plan = buildPlan({
    desired, actual, coverage: { kind: 'sources', sources: ['file', 'dingtalk'] }, policy: DEFAULT_DEPROVISION_POLICY,
    groupRules: GROUP_RULES, actualGroups: [{ groupName: 'sales' }],
    conflicts: [{ userName: 'wang.wei', holder: 'file:e10', reason: 'lowest externalId', renamed: [{ externalId: 'file:e20', userName: 'wang.wei2' }] }],
  });
  return settlePlan(undefined, plan, { rules: { ...DEFAULT_SAFEGUARD, maxDeletes: 2 }, now: new Date('2026-12-06T03:00:00Z'), managed: actual.length, mode: 'all',
    covered: () => true, origin: { path: 'full-sync', runId: 'run-1' },
  }).plan;
}
