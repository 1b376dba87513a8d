/**
 * A full sync that outlives one invocation: its settled plan and a checkpoint, in the state store
 * (the NAS in FC), so a re-invocation after a timeout or a crash continues where it stopped.
 * - `full-sync/plan/<runId>`: the plan, its steps in apply order (groups, deprovisions, updates,
 *   creates), written once when the run starts. Chunks are ranges of it.
 * - `full-sync/run`: the one unfinished run: which plan, how many steps are settled (`next`), the
 *   counts so far, and the released people of the safeguard's verdict. Rewritten after each chunk,
 *   before the next one starts: a step below `next` has its outcome recorded and is never run again;
 *   one at or above it may have been interrupted mid-write and is re-checked against RAM (recheck.ts).
 * - `lease/full-sync`: one full sync at a time across instances (lease.ts).
 * A finished run removes both records; what it did is in the provisioning log.
 */
import type { Plan, Step } from '../core/plan';
import type { StateStore } from '../core/ports';
import type { SafeguardLedger } from '../core/safeguard';
import { type ApplySummary, type StepOutcome, summarizeOutcomes } from './apply';
import { LEDGER_KEY, leaveHeldList } from './heldList';

export const RUN_KEY = 'full-sync/run';
export const PLAN_PREFIX = 'full-sync/plan/';
export const FULL_SYNC_LEASE = 'full-sync';

export interface RunRecord {
  v: 1;
  runId: string;
  startedAt: string;
  /** What the run was asked for (a resume applies the same plan whatever a later request says). */
  sources: string[];
  total: number;
  /** Steps [0, next) have their outcomes counted below. */
  next: number;
  summary: ApplySummary;
  /** People the safeguard released for this plan: they leave the held list once their step succeeds. */
  releasing: string[];
  /** The plan's managed count: the safeguard's base is updated from it when the run finishes. */
  managed: number;
  invocations: number;
  checkpointAt: string;
}

const PHASE_ORDER: ((s: Step) => boolean)[] = [
  (s) => s.kind === 'group',
  (s) => s.kind === 'user' && (s.action === 'delete' || s.action === 'suspend'),
  (s) => s.kind === 'user' && (s.action === 'update' || s.action === 'restore'),
  (s) => s.kind === 'user' && (s.action === 'create' || s.action === 'noop'),
];

/** The plan with its steps in apply order, so any range of them can be applied on its own. */
export function inApplyOrder(plan: Plan): Plan {
  return { ...plan, steps: PHASE_ORDER.flatMap((inPhase) => plan.steps.filter(inPhase)) };
}

export class FullSyncRuns {
  constructor(private readonly state: StateStore) {}

  current(): Promise<RunRecord | undefined> {
    return this.state.get<RunRecord>(RUN_KEY);
  }

  async plan(run: RunRecord): Promise<Plan> {
    const plan = await this.state.get<Plan>(`${PLAN_PREFIX}${run.runId}`);
    if (!plan) throw new Error(`full sync ${run.runId}: its plan is missing from the state store; discard the run (npm run sync -- --discard-unfinished) and start again`);
    return plan;
  }

  /** Records a settled plan as the unfinished run; the plan first, so a run record always has its plan. */
  async begin(runId: string, plan: Plan, sources: string[]): Promise<{ record: RunRecord; plan: Plan }> {
    const ordered = inApplyOrder(plan);
    // A plan without a run record: left by a crash between the two writes below, or by a discard.
    for (const key of await this.state.list(PLAN_PREFIX)) await this.state.delete(key);
    await this.state.put(`${PLAN_PREFIX}${runId}`, ordered);
    const run: RunRecord = {
      v: 1, runId, startedAt: new Date().toISOString(), sources, total: ordered.steps.length, next: 0,
      summary: summarizeOutcomes([]), releasing: await this.releasing(ordered), managed: plan.managed, invocations: 1,
      checkpointAt: new Date().toISOString(),
    };
    await this.state.put(RUN_KEY, run);
    return { record: run, plan: ordered };
  }

  /** Counts a chunk's outcomes and moves `next` past it; answers the new record. */
  async checkpoint(run: RunRecord, next: number, outcomes: StepOutcome[]): Promise<RunRecord> {
    const add = summarizeOutcomes(outcomes);
    const summary = { ...run.summary };
    for (const key of Object.keys(summary) as (keyof ApplySummary)[]) summary[key] += add[key];
    const updated: RunRecord = { ...run, next, summary, checkpointAt: new Date().toISOString() };
    // The held list first: taking someone off twice is harmless, a checkpoint without it is not.
    await this.leaveHeldList(run.releasing, outcomes);
    await this.state.put(RUN_KEY, updated);
    return updated;
  }

  async resumed(run: RunRecord): Promise<RunRecord> {
    const updated = { ...run, invocations: run.invocations + 1 };
    await this.state.put(RUN_KEY, updated);
    return updated;
  }

  /** Forgets the run (finished, or discarded by the operator); its plan last, so no record lacks one. */
  async forget(runId: string): Promise<void> {
    const run = await this.current();
    if (run?.runId === runId) await this.state.delete(RUN_KEY);
    await this.state.delete(`${PLAN_PREFIX}${runId}`);
  }

  /**
   * Held people whose deprovision (or mirror create) this plan applies: those the safeguard's settle
   * released. Read from the ledger right after settling: released people are the ones still on the
   * held list with a step that is not staged.
   */
  private async releasing(plan: Plan): Promise<string[]> {
    const held = (await this.state.get<SafeguardLedger>(LEDGER_KEY))?.held ?? {};
    return plan.steps.flatMap((s) => (s.kind === 'user' && !s.staged && s.externalId in held
      && ['delete', 'suspend', 'create'].includes(s.action) ? [s.externalId] : []));
  }

  /** What HeldList.afterApply does, for a run whose settle happened in an earlier invocation. */
  private async leaveHeldList(releasing: string[], outcomes: StepOutcome[]): Promise<void> {
    if (releasing.length > 0) await leaveHeldList(this.state, new Set(releasing), outcomes);
  }
}
