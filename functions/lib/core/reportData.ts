/**
 * What the plan report shows, as plain data: the counts, the configuration, and one compact row per
 * step. Every text that came from a directory goes through `maskText` here, once, so the HTML layer
 * only has to escape. Steps carry no department, so "department" is the one the group rules map
 * the step's groups from: the only department a plan knows.
 */
import type { Plan, Step, UserStep } from './plan';
import { maskText } from './redact';
import type { DeprovisionPolicy, GroupRule, ScopeRules, SafeguardRules } from './rules';

/** The configuration that shaped a plan: names and rules, never a credential. */
export interface ReportConfig {
  sources: string[];
  scope?: ScopeRules;
  groupRules?: GroupRule[];
  policy?: DeprovisionPolicy;
  safeguard?: SafeguardRules;
}

/** How one step of a finished run ended (the shape of sync/apply's StepOutcome). */
export interface ReportOutcome {
  step: Step;
  status: 'succeeded' | 'failed' | 'skipped' | 'staged';
  failure?: { code: string; reason: string; recommendedAction?: string };
}

export interface ReportInput {
  plan: Plan;
  runId: string;
  /** When the plan was made (ISO). */
  madeAt: string;
  dryRun: boolean;
  config?: ReportConfig;
  /** A finished run's outcomes; absent for a dry run. */
  outcomes?: ReportOutcome[];
  /** Steps the sender left out (a remote answer kept under FC's response limit). */
  stepsOmitted?: number;
}

/**
 * One step as the page's script reads it; arrays, not objects, because 100,000 of them are embedded.
 * [kind, action, staged, source, userName, displayName, externalId, department, reason, changes, status, failure]
 */
export type ReportRow = [
  'user' | 'group', string, 0 | 1, string, string, string, string, string, string, string[], string, string,
];

export interface Count { label: string; count: number }

export interface ReportData {
  rows: ReportRow[];
  byAction: Count[];
  bySource: Count[];
  byDepartment: Count[];
  /** Outcomes counted by status, for a finished run. */
  byStatus: Count[];
}

const NO_DEPARTMENT = '(no mapped department)';

/** The key that matches a step to its outcome, whichever order the run applied them in. */
export function stepKey(step: Step): string {
  return step.kind === 'user' ? `user:${step.externalId}` : `group:${step.groupName}`;
}

export function reportData(input: ReportInput): ReportData {
  const departmentOf = departmentsByGroup(input.config?.groupRules ?? []);
  const outcomes = new Map((input.outcomes ?? []).map((o) => [stepKey(o.step), o]));
  const rows = input.plan.steps.map((step) => rowOf(step, departmentOf, outcomes.get(stepKey(step))));
  const s = input.plan.summary;
  const byAction = Object.entries({
    create: s.create, update: s.update, delete: s.delete, suspend: s.suspend, restore: s.restore,
    staged: s.staged, unchanged: s.noop, 'group create': s.groupCreate,
  }).map(([label, count]) => ({ label, count }));
  // Sources and departments count what changes: the unchanged majority would flatten every bar.
  const changing = rows.filter((r) => r[1] !== 'noop');
  return {
    rows,
    byAction,
    bySource: tally(changing.filter((r) => r[0] === 'user').map((r) => [r[3]])),
    byDepartment: tally(changing.map((r) => r[7].split(', '))),
    byStatus: input.outcomes ? tally(rows.map((r) => [r[10]])) : [],
  };
}

function rowOf(step: Step, departmentOf: (group: string) => string | undefined, outcome?: ReportOutcome): ReportRow {
  const status = outcome?.status ?? '';
  const failure = outcome?.failure
    ? maskText(`${outcome.failure.reason}${outcome.failure.recommendedAction ? ` → ${outcome.failure.recommendedAction}` : ''}`)
    : '';
  if (step.kind === 'group') {
    return ['group', step.action, 0, '', maskText(step.groupName), '', '', departmentOf(step.groupName) ?? NO_DEPARTMENT,
      maskText(step.reason), [], status, failure];
  }
  const groups = [...step.groups.add, ...step.groups.remove];
  const departments = [...new Set(groups.map(departmentOf).filter((d): d is string => d !== undefined))].sort();
  const reason = step.staged ? `${step.reason}; staged: ${step.stagedReason ?? 'held'}` : step.reason;
  return ['user', step.action, step.staged ? 1 : 0, step.source, maskText(step.userName), maskText(step.displayName),
    maskText(step.externalId), departments.join(', ') || NO_DEPARTMENT, maskText(reason), changesOf(step), status, failure];
}

function changesOf(step: UserStep): string[] {
  const out = step.diff.map((d) => maskText(`${d.field}: ${d.from} → ${d.to}`));
  if (step.action === 'create') out.push(maskText(`displayName: → ${step.displayName}`));
  for (const g of step.groups.add) out.push(`group +${maskText(g)}`);
  for (const g of step.groups.remove) out.push(`group −${maskText(g)}`);
  if (step.thenSuspend) out.push('then suspended');
  return out;
}

function departmentsByGroup(rules: GroupRule[]): (group: string) => string | undefined {
  const map = new Map<string, string>();
  for (const rule of rules) if (!map.has(rule.group.toLowerCase())) map.set(rule.group.toLowerCase(), maskText(rule.department));
  return (group) => map.get(group.toLowerCase());
}

/** Counts labels, largest first; a row may count under several (a person in two departments). */
function tally(labelsPerRow: string[][]): Count[] {
  const counts = new Map<string, number>();
  for (const labels of labelsPerRow) for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}
