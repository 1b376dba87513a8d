/**
 * The use cases behind `full-sync`, free of FC (push's is push.ts): it runs the one-click push,
 * answers the held list and releases it, answers push's failed list and retries it, or migrates a
 * source's ids. Handlers only decode, call one of these, and encode.
 */
import { ClassifiedError } from '../core/errors';
import type { PlanSummary, SafeguardVerdict } from '../core/plan';
import type { ProvisioningLog } from '../core/ports';
import { type ReportPayload, reportConfigOf, reportPayload } from '../core/reportPayload';
import type { HeldEntry, SyncPath } from '../core/safeguard';
import type { ApplySummary } from './apply';
import type { EngineEnvironment } from './environment';
import { type FullSyncRun, runFullSync } from './fullSync';
import { describeFailure } from './failure';
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

export interface FailedListResult {
  entries: FailedChange[];
  dropped: number;
}

/**
 * What `full-sync` does with its event: `{"held": true}` answers the held list, `{"release": [...]}`
 * (or `"all"`) releases it, `{"failed": true}` answers push's failed list, `{"retryFailed": [...]}`
 * (or `"all"`) runs those changes again, `{"migrateIds": "lark"}` re-links a source's RAM users to its configured
 * kind of id, the reconcile timer's event applies a full sync under the safeguard and logs its summary,
 * anything else is a full sync request.
 */
export async function fullSyncInvocation(
  engine: EngineEnvironment, invocation: FullSyncInvocation, run: { runId: string; log: ProvisioningLog; pacing?: FullSyncPacingOptions },
): Promise<FullSyncResult | HeldListResult | ReleaseResult | MigrationReport | FailedListResult | RetryFailedResult> {
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
    case 'sync':
      return fullSync(engine, invocation.request, run);
    case 'reconcile': {
      const result = await fullSync(engine, invocation.request, run);
      run.log(reconcileLine(result, invocation.trigger));
      return result;
    }
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
