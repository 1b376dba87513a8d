/**
 * The deletion safeguard: a plan that would take access from more people than the operator allows is
 * held, its deprovisions *staged*, until a run explicitly allows them. A broken export or a source
 * outage looks exactly like "everyone left"; this is what stands between that and mass deletion.
 */
import { type Plan, type Step, isDeprovision, summarize } from './plan';
import type { SafeguardRules } from './rules';

/** `allowDeletes`: a number releases a plan with at most that many deprovisions; `true` releases any. */
export interface SafeguardRun {
  allowDeletes?: number | boolean;
  /** Users we manage in RAM when the plan covers only a few (push); defaults to the plan's own count. */
  managedTotal?: number;
}

export function applySafeguard(plan: Plan, rules: SafeguardRules, run: SafeguardRun = {}): Plan {
  const deprovisions = plan.steps.filter(isDeprovision).length;
  const managed = Math.max(run.managedTotal ?? plan.managed, plan.managed);
  const percent = managed === 0 ? 0 : (deprovisions * 100) / managed;
  const overCount = deprovisions > rules.maxDeletes;
  // One person leaving is the everyday case, even in a team of five: the percentage guards mass events.
  const overPercent = deprovisions > 1 && percent > rules.maxDeletePercent;
  const allowed = run.allowDeletes === true ? 'all' : typeof run.allowDeletes === 'number' ? run.allowDeletes : undefined;
  const released = allowed === 'all' || (typeof allowed === 'number' && deprovisions <= allowed);
  const held = (overCount || overPercent) && !released;

  const limits = Number.isFinite(managed)
    ? `limits: ${rules.maxDeletes} people or ${rules.maxDeletePercent}% of ${managed} managed`
    : `limit: ${rules.maxDeletes} people (no full sync has counted the managed users yet)`;
  const reason = !(overCount || overPercent)
    ? `${deprovisions} deprovision(s) within ${limits}`
    : held
      ? `${deprovisions} deprovision(s) (${percent.toFixed(1)}%) exceed ${limits}: staged; re-run with --allow-deletes ${deprovisions} to apply them`
      : `${deprovisions} deprovision(s) exceed ${limits}, released by allowDeletes=${allowed}`;

  const steps: Step[] = plan.steps.map((step) => (isDeprovision(step) ? { ...step, staged: held } : step));
  return {
    ...plan,
    steps,
    summary: summarize(steps),
    safeguard: {
      held, deprovisions, managed, maxDeletes: rules.maxDeletes, maxDeletePercent: rules.maxDeletePercent,
      allowed, reason,
    },
  };
}
