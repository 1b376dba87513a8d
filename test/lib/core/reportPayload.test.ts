/** What a deployed full-sync sends for the plan report, and how the CLI turns it back into the renderer's input. */
import type { Step } from '../../../functions/lib/core/plan';
import { reportInputOf, reportPayload } from '../../../functions/lib/core/reportPayload';
import { reportConfig, samplePlan } from '../../support/reportPlans';

describe('reportPayload', () => {
  const plan = samplePlan(200);
  const base = { madeAt: '2026-12-06T03:00:00.000Z', config: reportConfig() };

  it('sends every step while they fit, and comes back as the same plan', () => {
    const payload = reportPayload(plan, base);
    expect(payload.stepsOmitted).toBe(0);
    const input = reportInputOf({ runId: 'r', dryRun: true, plan: plan.summary, report: JSON.parse(JSON.stringify(payload)) });
    expect(new Set(input.plan.steps.map((s) => JSON.stringify(s)))).toEqual(new Set(plan.steps.map((s) => JSON.stringify(s))));
    expect(input.plan).toMatchObject({ summary: plan.summary, conflicts: plan.conflicts, safeguard: plan.safeguard, managed: plan.managed });
  });

  it('above the budget, keeps the changing steps, counts the rest as omitted, and stays under it', () => {
    const changing = plan.steps.filter((s) => s.action !== 'noop');
    const budgetBytes = Buffer.byteLength(JSON.stringify(changing)) + 4_000;
    const payload = reportPayload(plan, { ...base, budgetBytes });
    expect(payload.steps.slice(0, changing.length)).toEqual(changing);
    expect(payload.stepsOmitted).toBe(plan.steps.length - payload.steps.length);
    expect(payload.stepsOmitted).toBeGreaterThan(0);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(budgetBytes + 1_000);
  });

  it('sends only outcomes that did not succeed, and rebuilds the rest as successes', () => {
    const failed = plan.steps.find((s) => s.action === 'create')!;
    const outcomes = plan.steps.map((step: Step) => (step === failed
      ? { step, status: 'failed' as const, failure: { code: 'X', reason: 'boom', recommendedAction: 'retry' } }
      : { step, status: 'succeeded' as const }));
    const payload = reportPayload(plan, { ...base, outcomes });
    expect(payload.outcomes).toHaveLength(1);
    const input = reportInputOf({ runId: 'r', dryRun: false, plan: plan.summary, report: payload });
    expect(input.outcomes!.filter((o) => o.status === 'failed').map((o) => o.step)).toEqual([failed]);
    expect(input.outcomes).toHaveLength(plan.steps.length);
  });
});
