/**
 * Apply: carries out a plan against RAM through the RamTarget port, one step at a time per user,
 * idempotently (every call tolerates "already done"), writing one provisioning-log line per step.
 * Order: groups first, then deprovisions (they free names), then updates and restores (renames),
 * then creates.
 */
import type { Plan, Step, UserStep } from '../core/plan';
import type { ProvisioningLog, ProvisioningLogLine, RamTarget, StateStore } from '../core/ports';
import { releaseCommand } from '../core/safeguard';
import { type StepFailure, describeFailure } from './failure';
import { forEachConcurrent } from '../core/pool';
import { deleteUser, restoreUser, suspendUser } from './deprovision';
import { SuspensionStore } from './suspension';
import { unknowablePassword } from './password';

export interface ApplyOptions {
  target: RamTarget;
  state: StateStore;
  log: ProvisioningLog;
  runId: string;
  /** Users worked on at once (the RAM client also caps requests). Default 4. */
  concurrency?: number;
  /** The change (queue message) id behind each externalId, for push. */
  changeIdFor?: (externalId: string) => string | undefined;
  onStep?: (outcome: StepOutcome) => void;
  newPassword?: () => string;
  /**
   * Looks at a step just before it runs (a resumed full sync re-checks it against RAM): answers the
   * step to carry out instead (only what is left of it) or its outcome without running it. The
   * outcome and the log line keep naming the planned step.
   */
  prepare?: (step: Step) => Promise<Step | StepOutcome>;
}

export type OutcomeStatus = 'succeeded' | 'failed' | 'skipped' | 'staged';

export interface StepOutcome {
  step: Step;
  status: OutcomeStatus;
  failure?: StepFailure;
  /** Why, when it is not the step's own reason (a resumed step found already done, or stale). */
  reason?: string;
}

export interface ApplySummary {
  created: number; updated: number; deleted: number; suspended: number; restored: number;
  unchanged: number; failed: number; staged: number; groupsCreated: number;
  /** Failures worth retrying (throttling, 5xx, timeouts): push fails its invocation on these. */
  retryable: number;
}

export interface ApplyResult {
  summary: ApplySummary;
  outcomes: StepOutcome[];
}

const PHASES: ((s: Step) => boolean)[] = [
  (s) => s.kind === 'group',
  (s) => s.kind === 'user' && (s.action === 'delete' || s.action === 'suspend'),
  (s) => s.kind === 'user' && (s.action === 'update' || s.action === 'restore'),
  (s) => s.kind === 'user' && (s.action === 'create' || s.action === 'noop'),
];

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const outcomes: StepOutcome[] = [];
  const ctx = {
    ...options,
    suspensions: new SuspensionStore(options.state),
    newPassword: options.newPassword ?? unknowablePassword,
  };
  for (const inPhase of PHASES) {
    const steps = plan.steps.filter(inPhase);
    await forEachConcurrent(steps, options.concurrency ?? 4, async (step) => {
      const outcome = await prepareAndRun(step, ctx);
      outcomes.push(outcome);
      options.log(logLine(step, outcome, options));
      options.onStep?.(outcome);
    });
  }
  return { summary: summarizeOutcomes(outcomes), outcomes };
}

type Ctx = ApplyOptions & { suspensions: SuspensionStore; newPassword: () => string };

async function prepareAndRun(step: Step, ctx: Ctx): Promise<StepOutcome> {
  if (!ctx.prepare) return runStep(step, ctx);
  let prepared: Step | StepOutcome;
  try {
    prepared = await ctx.prepare(step);
  } catch (error) {
    return { step, status: 'failed', failure: describeFailure(error) };
  }
  if ('status' in prepared) return { ...prepared, step };
  return { ...(await runStep(prepared, ctx)), step };
}

async function runStep(step: Step, ctx: Ctx): Promise<StepOutcome> {
  if (step.action === 'noop') return { step, status: 'skipped' };
  try {
    if (step.kind === 'group') await ctx.target.createGroup({ groupName: step.groupName, comments: step.comments });
    else if (step.staged) {
      // A held suspension waits; the disabled person's name and groups still follow the source.
      if (step.action === 'suspend') await updateUser(step, ctx);
      return { step, status: 'staged' };
    } else await runUserStep(step, ctx);
    return { step, status: 'succeeded' };
  } catch (error) {
    return { step, status: 'failed', failure: describeFailure(error) };
  }
}

async function updateUser(step: UserStep, ctx: Ctx): Promise<void> {
  if (step.diff.length > 0) {
    await ctx.target.replaceUser(step.ramId!, { userName: step.userName, displayName: step.displayName, externalId: step.externalId });
  }
  await reconcileGroups(step, ctx.target);
}

async function runUserStep(step: UserStep, ctx: Ctx): Promise<void> {
  const input = { userName: step.userName, displayName: step.displayName, externalId: step.externalId };
  switch (step.action) {
    case 'create':
      await ctx.target.createUser(input);
      await reconcileGroups(step, ctx.target);
      if (step.thenSuspend) await suspendUser(step, ctx);
      return;
    case 'update':
    case 'restore':
      await updateUser(step, ctx);
      if (step.action === 'restore') await restoreUser(step, ctx);
      return;
    case 'suspend':
      await updateUser(step, ctx);
      return suspendUser(step, ctx);
    case 'delete':
      return deleteUser(step, ctx);
    case 'noop':
      return;
  }
}

async function reconcileGroups(step: UserStep, target: RamTarget): Promise<void> {
  for (const group of step.groups.remove) await target.removeUserFromGroup(group, step.userName);
  for (const group of step.groups.add) await target.addUserToGroup(group, step.userName);
}

function logLine(step: Step, outcome: StepOutcome, options: ApplyOptions): ProvisioningLogLine {
  const failure = outcome.failure;
  const staged = outcome.status === 'staged' && step.kind === 'user';
  const common = {
    runId: options.runId, action: step.action, status: outcome.status,
    reason: failure ? failure.reason : outcome.reason ?? (staged ? stagedReason(step) : step.reason),
    recommendedAction: failure?.recommendedAction ?? (staged ? releaseCommand(step.externalId) : undefined),
    retryable: failure?.retryable,
  };
  if (step.kind === 'group') return { ...common, groupName: step.groupName, action: `group-${step.action}` };
  return {
    ...common, changeId: options.changeIdFor?.(step.externalId), source: step.source,
    externalId: step.externalId, userName: step.userName,
  };
}

/** The step's own reason, then why the safeguard staged it. */
export function stagedReason(step: UserStep): string {
  return `${step.reason}; staged by the deletion safeguard: ${step.stagedReason ?? 'held'}`;
}

export function summarizeOutcomes(outcomes: StepOutcome[]): ApplySummary {
  const s: ApplySummary = {
    created: 0, updated: 0, deleted: 0, suspended: 0, restored: 0, unchanged: 0, failed: 0, staged: 0,
    groupsCreated: 0, retryable: 0,
  };
  const done = { create: 'created', update: 'updated', delete: 'deleted', suspend: 'suspended', restore: 'restored' } as const;
  for (const { step, status, failure } of outcomes) {
    if (status === 'failed') {
      s.failed++;
      if (failure?.retryable) s.retryable++;
    } else if (status === 'staged') s.staged++;
    else if (status === 'skipped') { if (step.kind === 'user') s.unchanged++; }
    else if (step.kind === 'group') s.groupsCreated++;
    else if (step.action !== 'noop') s[done[step.action]]++;
  }
  return s;
}
