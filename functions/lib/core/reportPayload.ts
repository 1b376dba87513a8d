/**
 * The plan report's material as a deployed full-sync answers it (`{"report": true}`): the plan's
 * steps, conflicts and outcomes, kept under FC's 32 MB synchronous response. Steps that change
 * something go first; once the budget is spent the rest (unchanged people first to go) are counted
 * in `stepsOmitted` instead of sent, and the summary still counts everyone.
 */
import type { NameConflict } from './mapping';
import type { Plan, SafeguardVerdict, Step } from './plan';
import { type ReportConfig, type ReportInput, type ReportOutcome, stepKey } from './reportData';
import type { DeprovisionPolicy, MappingRules, SafeguardRules } from './rules';

/** FC answers at most 32 MB to a synchronous invocation; the rest of the answer needs room too. */
export const REPORT_BUDGET_BYTES = 30 * 1024 * 1024;

const utf8 = new TextEncoder();

export interface ReportPayload {
  madeAt: string;
  managed: number;
  steps: Step[];
  stepsOmitted: number;
  conflicts: NameConflict[];
  safeguard?: SafeguardVerdict;
  config: ReportConfig;
  /** A finished run's outcomes that are not plain successes, by step key (a success is the default). */
  outcomes?: { key: string; status: ReportOutcome['status']; failure?: ReportOutcome['failure'] }[];
}

/** The configuration a report names, from the engine's settings: rules and names, no credentials. */
export function reportConfigOf(
  settings: { rules: Pick<MappingRules, 'scope' | 'groups'>; policy: DeprovisionPolicy; safeguard: SafeguardRules }, sources: string[],
): ReportConfig {
  return { sources, scope: settings.rules.scope, groupRules: settings.rules.groups, policy: settings.policy, safeguard: settings.safeguard };
}

export function reportPayload(
  plan: Plan, o: { madeAt: string; config: ReportConfig; outcomes?: ReportOutcome[]; budgetBytes?: number },
): ReportPayload {
  const outcomes = o.outcomes?.filter((x) => x.status !== 'succeeded')
    .map((x) => ({ key: stepKey(x.step), status: x.status, ...(x.failure && { failure: x.failure }) }));
  const bytes = (value: unknown) => utf8.encode(JSON.stringify(value)).length;
  let budget = (o.budgetBytes ?? REPORT_BUDGET_BYTES) - bytes({ conflicts: plan.conflicts, outcomes, config: o.config });
  const ordered = [...plan.steps.filter((s) => s.action !== 'noop'), ...plan.steps.filter((s) => s.action === 'noop')];
  const steps: Step[] = [];
  for (const step of ordered) {
    budget -= bytes(step) + 1;
    if (budget < 0) break;
    steps.push(step);
  }
  return {
    madeAt: o.madeAt, managed: plan.managed, steps, stepsOmitted: plan.steps.length - steps.length, conflicts: plan.conflicts,
    ...(plan.safeguard && { safeguard: plan.safeguard }), config: o.config, ...(outcomes && { outcomes }),
  };
}

/** The renderer's input from a full-sync answer: the summary it sent, and the steps of its report. */
export function reportInputOf(
  answer: { runId: string; dryRun: boolean; plan: Plan['summary']; report: ReportPayload },
): ReportInput {
  const r = answer.report;
  const byKey = new Map((r.outcomes ?? []).map((x) => [x.key, x]));
  return {
    plan: { steps: r.steps, conflicts: r.conflicts, summary: answer.plan, managed: r.managed, ...(r.safeguard && { safeguard: r.safeguard }) },
    runId: answer.runId, madeAt: r.madeAt, dryRun: answer.dryRun, config: r.config, stepsOmitted: r.stepsOmitted,
    ...(r.outcomes && {
      outcomes: r.steps.map((step) => {
        const x = byKey.get(stepKey(step));
        return { step, status: x?.status ?? 'succeeded', ...(x?.failure && { failure: x.failure }) };
      }),
    }),
  };
}
