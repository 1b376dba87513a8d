/**
 * The one-click push: read everyone from the sources, read RAM, plan, settle the plan with the
 * deletion safeguard (the same budget and held list as push), and (unless a dry run) apply.
 * The same plan → apply engine serves push.
 *
 * Applying outlives one invocation (fullSyncRun.ts): the settled plan is persisted and applied in
 * chunks, each checkpointed before the next; a run stopped by its deadline, a timeout or a crash is
 * continued by the next full sync (which does not plan again), re-checking each step against RAM
 * first (recheck.ts). One full sync at a time holds the `full-sync` lease.
 */
import { mapIdentities } from '../core/mapping';
import { type Department, type Identity, parseExternalId } from '../core/model';
import { type Plan, buildPlan } from '../core/plan';
import type { ProvisioningLog, RamTarget, Source, StateStore } from '../core/ports';
import type { DeprovisionPolicy, MappingRules, SafeguardRules } from '../core/rules';
import { type SyncPath } from '../core/safeguard';
import { ClassifiedError } from '../core/errors';
import { type Lease, Leases } from '../state/lease';
import { type ApplyResult, type StepOutcome, applyPlan, stagedReason } from './apply';
import { FULL_SYNC_LEASE, FullSyncRuns, type RunRecord } from './fullSyncRun';
import { type FullSyncProgress, type ProgressOptions, ProgressMeter } from './progress';
import { type RecheckContext, RamView, recheckStep } from './recheck';
import { HeldList } from './heldList';
import { checkIdentifierTypes } from './identifiers';
import { ManagedCount } from './managedCount';
import { readRamState } from './ramState';
import { SuspensionStore } from './suspension';

export interface SyncSettings {
  rules: MappingRules;
  policy: DeprovisionPolicy;
  safeguard: SafeguardRules;
}

export interface FullSyncInput {
  sources: Source[];
  target: RamTarget;
  state: StateStore;
  settings: SyncSettings;
  /** Releases a held plan: a number allows at most that many deprovisions, `true` any. */
  allowDeletes?: number | boolean;
  /** A dry run reads the held list and the window but records nothing. */
  dryRun: boolean;
  runId: string;
  /** The path this runs for, named on the held list. Default full-sync. */
  path?: SyncPath;
}

export interface FullSyncRun extends FullSyncInput {
  log: ProvisioningLog;
  concurrency?: number;
  onPlan?: (plan: Plan) => void;
  onStep?: (outcome: StepOutcome) => void;
  /** Steps applied between checkpoints. Default 100. */
  chunkSteps?: number;
  /** Stop (checkpointed) before this time, ms since the epoch: FC's timeout, less a margin. */
  deadline?: number;
  /** The clock the deadline is read with. Default `Date.now`. */
  now?: () => number;
  /** Every `progressEvery` steps or ms, and when the run stops. */
  onProgress?: (progress: FullSyncProgress) => void;
  progressEvery?: ProgressOptions;
  /**
   * How long the `full-sync` lease outlives a holder that died (it is renewed every third of this
   * while the holder lives). Default 30 s.
   */
  leaseTtlMs?: number;
  /**
   * Every configured source: a resumed run re-reads people of the sources it was planned with, which a
   * later request (`"sources": [...]`) may not name. Default `sources`.
   */
  allSources?: Source[];
  /** How long to wait for another full sync's lease before refusing. Default 10 s. */
  leaseWaitMs?: number;
}

export interface FullSyncReport {
  /** The run's id: a resumed run keeps the id of the invocation that planned it. */
  runId: string;
  dryRun: boolean;
  plan: Plan;
  /** The whole run's counts so far; the outcomes of this invocation's steps. */
  result?: ApplyResult;
  /** Where an applying run stands; `finished: false` when it stopped at its deadline. */
  progress?: FullSyncProgress & { finished: boolean };
}

/** Another full sync holds the lease: FC's retry (or the operator, later) tries again. */
export class FullSyncBusyError extends ClassifiedError {
  readonly retryable = true;
  constructor(readonly unfinished?: { runId: string; next: number; total: number }) {
    super({
      code: 'FullSyncBusy',
      reason: `another full sync is applying${unfinished ? ` (run ${unfinished.runId}, ${unfinished.next}/${unfinished.total} steps)` : ''}`,
      recommendedAction: 'wait for it (its progress lines say how long it has left); one that was killed holds the lease until it lapses '
        + '(FULL_SYNC_LEASE_SECONDS, default 30 s), after which the next full sync continues the unfinished run',
    });
  }
}

/**
 * Plans, and settles the plan with the safeguard (recorded unless a dry run). A source that cannot be
 * listed aborts the plan: it never looks like "everyone left".
 */
export async function planFullSync(input: FullSyncInput, held = new HeldList(input.state)): Promise<Plan> {
  await checkIdentifierTypes(input.sources, input.state, { record: !input.dryRun });
  const identities: Identity[] = [];
  const departments: Department[] = [];
  for (const source of input.sources) {
    for await (const department of source.listDepartments()) departments.push(department);
    for await (const identity of source.listUsers()) identities.push(identity);
  }
  const { rules, policy, safeguard } = input.settings;
  const [ram, suspended] = await Promise.all([
    readRamState(input.target, rules.groups),
    new SuspensionStore(input.state).completed(),
  ]);
  const mapped = mapIdentities({ identities, departments, rules, actual: ram.users });
  const plan = buildPlan({
    desired: mapped.desired,
    actual: ram.users,
    coverage: { kind: 'sources', sources: input.sources.map((s) => s.name) },
    policy,
    suspended,
    groupRules: rules.groups,
    actualGroups: ram.groups,
    actualMembers: ram.members,
    conflicts: mapped.conflicts,
  });
  const sources = new Set<string>(input.sources.map((s) => s.name));
  return held.settle(plan, {
    rules: safeguard, mode: 'all', managed: plan.managed, allowDeletes: input.allowDeletes,
    covered: (externalId) => sources.has(parseExternalId(externalId)?.source ?? ''),
    origin: { path: input.path ?? 'full-sync', runId: input.runId },
  }, input.dryRun);
}

export async function runFullSync(run: FullSyncRun): Promise<FullSyncReport> {
  if (run.dryRun) {
    const plan = await planFullSync(run);
    run.onPlan?.(plan);
    for (const step of plan.steps) {
      if (step.action === 'noop') continue;
      run.log({
        runId: run.runId, action: step.kind === 'group' ? `group-${step.action}` : step.action, status: 'planned',
        reason: step.kind === 'user' && step.staged ? stagedReason(step) : step.reason,
        ...(step.kind === 'user'
          ? { source: step.source, externalId: step.externalId, userName: step.userName }
          : { groupName: step.groupName }),
      });
    }
    return { runId: run.runId, dryRun: true, plan };
  }
  // A refusal that needs no plan (the id type changed) comes before the lease: it changes nothing.
  await checkIdentifierTypes(run.sources, run.state, { record: false });
  return applyUnderLease(run, async (runs, leaseLost) => {
    const plan = await planFullSync(run);
    run.onPlan?.(plan);
    const started = await runs.begin(run.runId, plan, run.sources.map((s) => s.name));
    return applyRun(run, runs, started.record, started.plan, plan, false, leaseLost);
  });
}

/**
 * Applies the unfinished run if there is one (a non-dry full sync continues it rather than planning
 * again), else `fresh`; under the `full-sync` lease, released when this invocation stops.
 */
async function applyUnderLease(
  run: FullSyncRun, fresh: (runs: FullSyncRuns, leaseLost: () => boolean) => Promise<FullSyncReport>,
): Promise<FullSyncReport> {
  const ttlMs = run.leaseTtlMs ?? 30_000;
  const lease = await new Leases(run.state, { ttlMs }).acquire(FULL_SYNC_LEASE, { timeoutMs: run.leaseWaitMs ?? 10_000 });
  const runs = new FullSyncRuns(run.state);
  if (!lease) throw new FullSyncBusyError(await runs.current());
  const keeper = keepRenewed(lease, ttlMs);
  try {
    const unfinished = await runs.current();
    if (!unfinished) return await fresh(runs, keeper.lost);
    const plan = await runs.plan(unfinished);
    run.onPlan?.(plan);
    return await applyRun(run, runs, await runs.resumed(unfinished), plan, plan, true, keeper.lost);
  } finally {
    keeper.stop();
    await lease.release();
  }
}

/** Chunk by chunk from the checkpoint until done, the deadline, or a lost lease. */
async function applyRun(
  run: FullSyncRun, runs: FullSyncRuns, start: RunRecord, ordered: Plan, shown: Plan, resumed: boolean,
  leaseLost: () => boolean,
): Promise<FullSyncReport> {
  let record = start;
  const meter = new ProgressMeter(record.runId, record.total, record.next, resumed, run.progressEvery);
  run.onProgress?.(meter.current()); // where it starts: 0, or the checkpoint it continues from
  const suspensions = new SuspensionStore(run.state);
  let ram: Promise<RamView> | undefined;
  const recheck: RecheckContext | undefined = resumed ? {
    sources: run.allSources ?? run.sources, suspensions,
    ram: () => (ram ??= readRamState(run.target, run.settings.rules.groups).then((snapshot) => new RamView(snapshot))),
  } : undefined;
  const outcomes: StepOutcome[] = [];
  const size = Math.max(1, run.chunkSteps ?? 100);
  let slowest = 0;
  while (record.next < record.total) {
    // Stop while a chunk still fits: twice the slowest so far, and at least 5 s.
    if (run.deadline !== undefined && (run.now ?? Date.now)() + Math.max(2 * slowest, 5_000) > run.deadline) break;
    if (leaseLost()) break; // another instance may have taken over: it continues from the checkpoint
    const to = Math.min(record.total, record.next + size);
    const began = Date.now();
    const chunk = await applyPlan({ ...ordered, steps: ordered.steps.slice(record.next, to) }, {
      target: run.target, state: run.state, log: run.log, runId: record.runId, concurrency: run.concurrency,
      ...(recheck && { prepare: (step) => recheckStep(step, recheck) }),
      onStep: (outcome) => {
        run.onStep?.(outcome);
        const line = meter.advance();
        if (line) run.onProgress?.(line);
      },
    });
    slowest = Math.max(slowest, Date.now() - began);
    outcomes.push(...chunk.outcomes);
    record = await runs.checkpoint(record, to, chunk.outcomes);
  }
  const finished = record.next >= record.total;
  if (finished) {
    const { created, deleted } = record.summary;
    await new ManagedCount(run.state).put(record.managed + created - deleted);
    await runs.forget(record.runId);
  }
  const progress = { ...meter.current(), finished };
  run.onProgress?.(progress);
  return { runId: record.runId, dryRun: false, plan: shown, result: { summary: record.summary, outcomes }, progress };
}

/**
 * Renews the lease every third of its ttl while planning and applying (a chunk may take longer than
 * the ttl when RAM is slow); `lost` turns true once a renewal fails, and the run stops at the next
 * chunk boundary.
 */
function keepRenewed(lease: Lease, ttlMs: number): { lost: () => boolean; stop: () => void } {
  let lost = false;
  const timer = setInterval(() => {
    lease.renew().then((held) => { if (!held) lost = true; }, () => undefined); // a failed write: try again next time
  }, Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref?.();
  return { lost: () => lost || Date.now() >= lease.expiresAt, stop: () => clearInterval(timer) };
}

/**
 * Drops the unfinished run (the operator's choice, e.g. after changing the mapping rules): the next
 * full sync plans afresh. Refused while a full sync is applying it. Answers the run dropped, if any.
 */
export async function discardUnfinished(state: StateStore): Promise<RunRecord | undefined> {
  const lease = await new Leases(state, { ttlMs: 60_000 }).tryAcquire(FULL_SYNC_LEASE);
  const runs = new FullSyncRuns(state);
  if (!lease) throw new FullSyncBusyError(await runs.current());
  try {
    const run = await runs.current();
    if (run) await runs.forget(run.runId);
    return run;
  } finally {
    await lease.release();
  }
}
