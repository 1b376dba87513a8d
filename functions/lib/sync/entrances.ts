/**
 * The use cases behind the functions, free of FC: `push` applies a queue batch, `full-sync` runs the
 * one-click push, answers the held list, releases it, or migrates a source's ids. Handlers only
 * decode, call one of these, and encode.
 */
import type { ChangeBatch } from '../core/model';
import type { PlanSummary, SafeguardVerdict } from '../core/plan';
import type { ProvisioningLog } from '../core/ports';
import type { HeldEntry, SyncPath } from '../core/safeguard';
import type { ApplySummary, StepOutcome } from './apply';
import { type UnreadChange, syncChanges } from './changeSync';
import type { EngineEnvironment } from './environment';
import type { StepFailure } from './failure';
import { runFullSync } from './fullSync';
import { HeldList } from './heldList';
import type { FullSyncInvocation, FullSyncRequest } from './messages';
import { type MigrationReport, migrateIdentifiers } from './migrateIds';
import { reconcileLine } from './reconcile';
import { type ReleaseResult, releaseHeld } from './release';

/** Some changes failed in a way a retry can fix: FC retries the whole batch (safe: it is level-based). */
export class RetryableBatchError extends Error {
  readonly retryable = true;
  constructor(readonly batchId: string, readonly failures: FailureReport[]) {
    super(`batch ${batchId}: ${failures.length} change(s) failed retryably; FC will retry the batch`);
    this.name = 'RetryableBatchError';
  }
}

export interface FailureReport extends StepFailure {
  action: string;
  externalId?: string;
  userName?: string;
  groupName?: string;
}

export interface PushResult {
  batchId: string;
  summary: ApplySummary;
  /** Final failures: logged with their reason and recommended action, not retried. */
  failures: FailureReport[];
  ignored: number;
}

export async function pushBatch(
  engine: EngineEnvironment, batch: ChangeBatch, run: { runId: string; log: ProvisioningLog },
): Promise<PushResult> {
  const report = await closingSources(engine, () => syncChanges({
    ...engine, changes: batch.changes, runId: run.runId, changeId: batch.id, log: run.log,
  }));
  const failures = [...failuresOf(report.result.outcomes), ...unreadFailures(report.unread)];
  const retryable = failures.filter((f) => f.retryable);
  if (retryable.length > 0) throw new RetryableBatchError(batch.id, retryable);
  return { batchId: batch.id, summary: report.result.summary, failures, ignored: report.ignored.length };
}

export interface FullSyncResult {
  runId: string;
  dryRun: boolean;
  plan: PlanSummary;
  safeguard?: SafeguardVerdict;
  conflicts: number;
  result?: ApplySummary;
  /** The first failures, with what to do; the provisioning log has them all. */
  failures: FailureReport[];
}

export async function fullSync(
  engine: EngineEnvironment, request: FullSyncRequest, run: { runId: string; log: ProvisioningLog; path?: SyncPath },
): Promise<FullSyncResult> {
  const sources = request.sources ? engine.sources.filter((s) => request.sources!.includes(s.name)) : engine.sources;
  const missing = (request.sources ?? []).filter((name) => !sources.some((s) => s.name === name));
  if (missing.length > 0) throw new UnknownSourceError(missing, engine.sources.map((s) => s.name));
  const report = await closingSources(engine, () => runFullSync({
    ...engine, sources, dryRun: request.dryRun, allowDeletes: request.allowDeletes, runId: run.runId, log: run.log, path: run.path,
  }));
  return {
    runId: run.runId,
    dryRun: request.dryRun,
    plan: report.plan.summary,
    safeguard: report.plan.safeguard,
    conflicts: report.plan.conflicts.length,
    result: report.result?.summary,
    failures: failuresOf(report.result?.outcomes ?? []).slice(0, 50),
  };
}

export interface HeldListResult {
  held: HeldEntry[];
}

/**
 * What `full-sync` does with its event: `{"held": true}` answers the held list, `{"release": [...]}`
 * (or `"all"`) releases it, `{"migrateIds": "lark"}` re-links a source's RAM users to its configured
 * kind of id, the reconcile timer's event applies a full sync under the safeguard and logs its summary,
 * anything else is a full sync request.
 */
export async function fullSyncInvocation(
  engine: EngineEnvironment, invocation: FullSyncInvocation, run: { runId: string; log: ProvisioningLog },
): Promise<FullSyncResult | HeldListResult | ReleaseResult | MigrationReport> {
  switch (invocation.kind) {
    case 'held':
      return { held: await new HeldList(engine.state).entries() };
    case 'release':
      return closingSources(engine, () => releaseHeld(engine, invocation.release, run));
    case 'migrate-ids':
      return closingSources(engine, () => migrateIdentifiers(engine, invocation.source, { ...run, dryRun: invocation.dryRun }));
    case 'sync':
      return fullSync(engine, invocation.request, run);
    case 'reconcile': {
      const result = await fullSync(engine, invocation.request, run);
      run.log(reconcileLine(result, invocation.trigger));
      return result;
    }
  }
}

/** Sources hold connections (AD) that must not outlive the invocation: FC may freeze the instance. */
async function closingSources<T>(engine: EngineEnvironment, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await Promise.all(engine.sources.map((source) => source.close?.()));
  }
}

/** A full sync asked for a source this deployment does not have: a final, explained error. */
export class UnknownSourceError extends Error {
  readonly retryable = false;
  constructor(readonly unknown: string[], readonly configured: string[]) {
    super(`source(s) ${unknown.join(', ')} not configured here (configured: ${configured.join(', ') || 'none'})`);
    this.name = 'UnknownSourceError';
  }
}

/** People who could not be read, as failures of a `read` step. */
function unreadFailures(unread: UnreadChange[]): FailureReport[] {
  return unread.map((u) => ({ ...u.failure, action: 'read', externalId: u.externalId }));
}

function failuresOf(outcomes: StepOutcome[]): FailureReport[] {
  return outcomes.filter((o) => o.status === 'failed' && o.failure).map(({ step, failure }) => ({
    ...failure!,
    action: step.action,
    ...(step.kind === 'user' ? { externalId: step.externalId, userName: step.userName } : { groupName: step.groupName }),
  }));
}
