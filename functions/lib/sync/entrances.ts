/**
 * The use cases behind `full-sync`, free of FC (push's is push.ts): it runs the one-click push,
 * answers the held list and releases it, answers push's failed list and retries it, or migrates a
 * source's ids. Handlers only decode, call one of these, and encode.
 */
import { ClassifiedError } from '../core/errors';
import type { PlanSummary, SafeguardVerdict } from '../core/plan';
import type { SourceName } from '../core/model';
import type { ProvisioningLog } from '../core/ports';
import { type ReportPayload, reportConfigOf, reportPayload } from '../core/reportPayload';
import type { HeldEntry, SyncPath } from '../core/safeguard';
import type { ApplySummary } from './apply';
import type { EngineEnvironment } from './environment';
import { type FullSyncRun, discardUnfinished, runFullSync } from './fullSync';
import { describeFailure } from './failure';
import { type FullSyncPacing, fullSyncDeadline } from './fullSyncConfig';
import type { FullSyncProgress } from './progress';
import { HeldList } from './heldList';
import type { FullSyncInvocation, FullSyncRequest } from './messages';
import { type MigrationReport, migrateIdentifiers } from './migrateIds';
import { reconcileLine } from './reconcile';
import { type FailedChange, FailedChanges } from './failedChanges';
import { type ReleaseResult, releaseHeld } from './release';
import { type RetryFailedResult, retryFailed } from './retryFailed';
import { type FailureReport, closing, failuresOf } from './push';

export interface FullSyncResult {
  runId: string;
  dryRun: boolean;
  plan: PlanSummary;
  safeguard?: SafeguardVerdict;
  conflicts: number;
  result?: ApplySummary;
  /** The first failures, with what to do; the provisioning log has them all. */
  failures: FailureReport[];
  /** With `"report": true`: the steps and outcomes behind the summary, under FC's response limit. */
  report?: ReportPayload;
  /** An applying run: how far it got; `finished: false` when it stopped at its deadline. */
  progress?: FullSyncProgress & { finished: boolean };
  /** For an unfinished run: who carries on (a new invocation, or the next full sync). */
  continuation?: string;
}

/** How an invocation paces an applying run, and hands an unfinished one over. */
export type FullSyncPacingOptions = Pick<FullSyncRun, 'deadline' | 'now' | 'chunkSteps' | 'onProgress' | 'progressEvery' | 'leaseTtlMs'> & {
  /** Invokes full-sync again (asynchronously) to continue an unfinished run. */
  continueLater?: () => Promise<void>;
};

export async function fullSync(
  engine: EngineEnvironment, request: FullSyncRequest,
  run: { runId: string; log: ProvisioningLog; path?: SyncPath; pacing?: FullSyncPacingOptions },
): Promise<FullSyncResult> {
  const sources = request.sources ? engine.sources.filter((s) => request.sources!.includes(s.name)) : engine.sources;
  const missing = (request.sources ?? []).filter((name) => !sources.some((s) => s.name === name));
  if (missing.length > 0) throw new UnknownSourceError(missing, engine.sources.map((s) => s.name));
  const madeAt = new Date().toISOString();
  const { continueLater, ...pacing } = run.pacing ?? {};
  const report = await closing(engine, () => runFullSync({
    ...engine, sources, allSources: engine.sources, dryRun: request.dryRun, allowDeletes: request.allowDeletes,
    runId: run.runId, log: run.log, path: run.path, ...pacing,
  }));
  const unfinished = report.progress && !report.progress.finished;
  return {
    runId: report.runId,
    dryRun: request.dryRun,
    plan: report.plan.summary,
    safeguard: report.plan.safeguard,
    conflicts: report.plan.conflicts.length,
    result: report.result?.summary,
    failures: failuresOf(report.result?.outcomes ?? []).slice(0, 50),
    ...(request.report && {
      report: reportPayload(report.plan, {
        madeAt, config: reportConfigOf(engine.settings, sources.map((s) => s.name)), outcomes: report.result?.outcomes,
      }),
    }),
    ...(report.progress && { progress: report.progress }),
    ...(unfinished && { continuation: await handOver(continueLater, (report.result?.outcomes.length ?? 0) > 0) }),
  };
}

/**
 * How an invocation paces a full sync it runs (full-sync's, or a poller's resync in place): it stops
 * applying at FULL_SYNC_RUN_SECONDS, or the function's `timeoutSeconds` less a margin, with a checkpoint.
 */
export function invocationPacing(
  pacing: FullSyncPacing, startedAt: number, timeoutSeconds: number | undefined, onProgress: (progress: FullSyncProgress) => void,
): FullSyncPacingOptions {
  return {
    deadline: fullSyncDeadline(pacing, startedAt, timeoutSeconds),
    chunkSteps: pacing.chunkSteps,
    leaseTtlMs: pacing.leaseSeconds * 1000,
    progressEvery: { everySteps: pacing.progressSteps, everyMs: pacing.progressSeconds * 1000 },
    onProgress,
  };
}

/**
 * A full sync planned after this call began. A non-dry full sync continues an unfinished run first,
 * and that run was planned earlier, perhaps for other sources: once it is done (and time is left),
 * this plans and applies its own. Answers the last run's result: `progress.resumed` when it is still
 * the earlier run's (stopped at the deadline, or no time was left to plan).
 */
export async function freshFullSync(
  engine: EngineEnvironment, request: FullSyncRequest,
  run: { runId: string; log: ProvisioningLog; path?: SyncPath; pacing?: FullSyncPacingOptions },
): Promise<FullSyncResult> {
  // Bounded: another instance may plan a run between two of these (each continued in turn).
  for (let attempt = 1; ; attempt++) {
    const result = await fullSync(engine, request, run);
    if (!result.progress?.resumed || !result.progress.finished || attempt === 3) return result;
    const { deadline, now = Date.now } = run.pacing ?? {};
    if (deadline !== undefined && now() + 5_000 >= deadline) return result; // as applyRun: no chunk would fit
  }
}

/**
 * A poller's full resync in place (ad-, ldap-, entra-, okta-poll): the source's full sync, planned
 * after the poller read its new watermark, applied to the end. The poller stores that watermark only
 * when this returns, so anything else throws: a run that stopped at its deadline, or one that only
 * continued an earlier run, is a retryable `FullResyncUnfinishedError`, and the next tick continues it.
 */
export async function resyncInPlace(
  engine: EngineEnvironment, source: SourceName,
  run: { runId: string; log: ProvisioningLog; path: SyncPath; pacing?: FullSyncPacingOptions },
): Promise<FullSyncResult> {
  const { continueLater: _handedOver, ...pacing } = run.pacing ?? {}; // the next tick carries on, not another invocation
  const result = await freshFullSync(engine, { dryRun: false, sources: [source] }, { ...run, pacing });
  if (!result.progress?.finished || result.progress.resumed) throw new FullResyncUnfinishedError(source, run.path, result);
  return result;
}

/**
 * An unfinished run is continued by a new invocation when this one made progress (one that made none
 * would only hand over again), else by the next full sync: the reconcile timer, or an operator.
 */
async function handOver(continueLater: (() => Promise<void>) | undefined, progressed: boolean): Promise<string> {
  const later = 'the next full sync continues it (the reconcile timer, or invoke full-sync {"dryRun": false})';
  if (!continueLater) return later;
  if (!progressed) return `no step was applied in this invocation, so it does not invoke itself again: ${later}`;
  try {
    await continueLater();
    return 'full-sync invoked itself asynchronously to continue from the checkpoint';
  } catch (error) {
    const failure = describeFailure(error);
    return `could not invoke full-sync again (${failure.reason}${failure.recommendedAction ? `; ${failure.recommendedAction}` : ''}): ${later}`;
  }
}

export interface HeldListResult {
  held: HeldEntry[];
}

/** `{"discardUnfinished": true}`: the run dropped, or none when there was no unfinished full sync. */
export interface DiscardResult {
  discarded?: { runId: string; startedAt: string; sources: string[]; done: number; total: number };
}

export interface FailedListResult {
  entries: FailedChange[];
  dropped: number;
}

/**
 * What `full-sync` does with its event: `{"held": true}` answers the held list, `{"release": [...]}`
 * (or `"all"`) releases it, `{"failed": true}` answers push's failed list, `{"retryFailed": [...]}`
 * (or `"all"`) runs those changes again, `{"migrateIds": "lark"}` re-links a source's RAM users to its configured
 * kind of id, `{"discardUnfinished": true}` drops an unfinished full sync (refused while one applies), the reconcile timer's event applies a full sync under the safeguard and logs its summary,
 * anything else is a full sync request.
 */
export async function fullSyncInvocation(
  engine: EngineEnvironment, invocation: FullSyncInvocation, run: { runId: string; log: ProvisioningLog; pacing?: FullSyncPacingOptions },
): Promise<FullSyncResult | HeldListResult | ReleaseResult | MigrationReport | FailedListResult | RetryFailedResult | DiscardResult> {
  switch (invocation.kind) {
    case 'held':
      return { held: await new HeldList(engine.state).entries() };
    case 'release':
      return closing(engine, () => releaseHeld(engine, invocation.release, run));
    case 'failed':
      return new FailedChanges(engine.state).list();
    case 'retry-failed':
      return retryFailed(engine, invocation.keys, run);
    case 'migrate-ids':
      return closing(engine, () => migrateIdentifiers(engine, invocation.source, { ...run, dryRun: invocation.dryRun }));
    case 'discard-unfinished': {
      const dropped = await discardUnfinished(engine.state);
      return dropped ? {
        discarded: { runId: dropped.runId, startedAt: dropped.startedAt, sources: dropped.sources, done: dropped.next, total: dropped.total },
      } : {};
    }
    case 'sync':
      return fullSync(engine, invocation.request, run);
    case 'reconcile': {
      // The day's reconcile plans afresh once any unfinished run it found is done.
      const result = await freshFullSync(engine, invocation.request, run);
      run.log(reconcileLine(result, invocation.trigger));
      return result;
    }
  }
}

/**
 * A poller's resync did not apply a plan of its own to the end: its watermark stays where it was (so
 * nothing between the old plan and the new watermark is skipped), and the next tick continues the run.
 */
export class FullResyncUnfinishedError extends ClassifiedError {
  readonly retryable = true;
  constructor(readonly source: SourceName, path: SyncPath, readonly result: FullSyncResult) {
    const { done = 0, total = 0, finished = false } = result.progress ?? {};
    super({
      code: 'FullResyncUnfinished',
      reason: finished
        ? `the ${source} full resync continued an earlier unfinished full sync (run ${result.runId}) to its end, and did not get to plan its own in this tick`
        : `the ${source} full resync stopped at its deadline after ${done} of ${total} steps (run ${result.runId}); the poll's watermark was not moved`,
      recommendedAction: `none needed: the next ${path} tick continues from the checkpoint (the 'full-sync progress' lines show how far it is); `
        + 'a longer FULL_SYNC_RUN_SECONDS (under the function\'s timeout) lets one tick do more',
    });
  }
}

/** A full sync asked for a source this deployment does not have: a final, explained error. */
export class UnknownSourceError extends ClassifiedError {
  readonly retryable = false;
  constructor(readonly unknown: string[], readonly configured: string[]) {
    super({
      code: 'UnknownSource', reason: `source(s) ${unknown.join(', ')} not configured here (configured: ${configured.join(', ') || 'none'})`,
      recommendedAction: 'name only configured sources, or set the missing source\'s variables',
    });
  }
}
