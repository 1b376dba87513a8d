/**
 * What `push` does with one queue batch, free of FC. Each change succeeds or fails on its own:
 * - a final failure (RAM refused the person, a configuration problem) is logged with what to do and
 *   listed on the failed list (failedChanges.ts); it is not retried;
 * - a retryable one (throttling, 5xx, a person another instance is applying) fails the invocation,
 *   so FC retries the batch, and the retry works only on what is left: the changes already settled
 *   are remembered under `push/progress/<batch id>` until the batch is done.
 * The invocation succeeds when nothing retryable is left.
 */
import { ClassifiedError } from '../core/errors';
import { CHANGE_KIND, type Change, type ChangeBatch, changeKey, externalIdOf } from '../core/model';
import type { ProvisioningLog, StateStore } from '../core/ports';
import { type ApplySummary, type StepOutcome, summarizeOutcomes } from './apply';
import { type ChangeSyncReport, type UnreadChange, departmentKey, syncChanges } from './changeSync';
import type { EngineEnvironment } from './environment';
import { type FailedChange, FailedChanges } from './failedChanges';
import { type StepFailure, describeFailure } from './failure';

/** Some changes failed in a way a retry can fix: FC retries the batch, which resumes with those. */
export class RetryableBatchError extends ClassifiedError {
  readonly retryable = true;
  constructor(readonly batchId: string, readonly failures: FailureReport[]) {
    super({
      code: 'RetryableChanges', reason: `batch ${batchId}: ${failures.length} change(s) failed retryably; FC will retry them`,
      recommendedAction: 'none: FC retries the batch, which resumes with what failed',
    });
  }
}

export interface FailureReport extends StepFailure {
  action: string;
  externalId?: string;
  userName?: string;
  groupName?: string;
  departmentId?: string;
}

export interface PushResult {
  batchId: string;
  summary: ApplySummary;
  /** Final failures: logged with their reason and recommended action, listed, not retried. */
  failures: FailureReport[];
  ignored: number;
  /** Changes settled by an earlier attempt of this batch and not worked on again. */
  resumed: number;
  /** Person changes skipped: a read of them begun after this batch was emitted was already applied. */
  coalesced: number;
  /** Department changes and how many members each re-planned. */
  departments: { source: string; departmentId: string; members: number; deleted?: boolean; unsupported?: boolean }[];
}

export async function pushBatch(
  engine: EngineEnvironment, batch: ChangeBatch, run: { runId: string; log: ProvisioningLog },
): Promise<PushResult> {
  const progress = new BatchProgress(engine.state);
  const done = await progress.settled(batch.id);
  const changes = batch.changes.filter((c) => !done.has(changeKey(c)));
  const failedList = new FailedChanges(engine.state);
  const at = new Date().toISOString();

  let report: ChangeSyncReport;
  try {
    const emittedAt = Date.parse(batch.emittedAt);
    report = await closing(engine, () => syncChanges({
      ...engine, changes, runId: run.runId, changeId: batch.id, log: run.log, ...(Number.isFinite(emittedAt) && { emittedAt }),
    }));
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.retryable) throw error;
    // Final for the whole batch (e.g. a source's id type changed): every change is listed, none retried.
    const failures = changes.map((change) => ({ ...failure, action: 'push', ...subjectOf(change) }));
    await failedList.settle(changes.map((change) => entry(change, failure, 'push', batch.id, run.runId, at)), []);
    return { batchId: batch.id, summary: summarizeOutcomes([]), failures, ignored: 0, resumed: done.size, coalesced: 0, departments: [] };
  }

  const failures = [...failuresOf(report.result.outcomes), ...unreadFailures(report.unread)];
  const blame = failureKeys(report);
  const retryable = failures.filter((f) => f.retryable);
  // A group that could not be made affects everyone the batch would add to it: the batch stays open.
  const groupRetry = report.result.outcomes.some((o) => o.step.kind === 'group' && o.failure?.retryable);
  const membersOf = new Map(report.departments.map((d) => [changeKey(d.change), d.members]));
  const keysOf = (c: Change) => [keyOf(c), ...(membersOf.get(changeKey(c)) ?? [])];
  const open = changes.filter((c) => groupRetry || keysOf(c).some((k) => blame.retryable.has(k)));

  const finals = [
    ...report.unread.filter((u) => !u.failure.retryable).map((u) => entry(u.change, u.failure, u.subject === 'person' ? 'read' : 'resync-department', batch.id, run.runId, at, u.externalId)),
    ...finalStepEntries(report.result.outcomes, changes, batch.id, run.runId, at),
  ];
  const touched = [...new Set(changes.flatMap(keysOf))];
  await failedList.settle(finals, touched.filter((k) => !blame.any.has(k)));

  if (open.length > 0) {
    const settled = changes.filter((c) => !open.includes(c)).map(changeKey);
    await progress.record(batch.id, [...done, ...settled]);
    throw new RetryableBatchError(batch.id, retryable);
  }
  if (done.size > 0) await progress.forget(batch.id);
  return {
    batchId: batch.id,
    summary: report.result.summary,
    failures: failures.filter((f) => !f.retryable),
    ignored: report.ignored.length,
    resumed: done.size,
    coalesced: report.coalesced.length,
    departments: report.departments.map((d) => ({
      source: d.change.source, departmentId: d.change.sourceId, members: d.members.length,
      ...(d.deleted && { deleted: true }), ...(d.unsupported && { unsupported: true }),
    })),
  };
}

/** The changes of a batch an earlier attempt settled, so a retry does only the rest. */
class BatchProgress {
  constructor(private readonly state: StateStore) {}

  async settled(batchId: string): Promise<Set<string>> {
    return new Set((await this.state.get<{ settled: string[] }>(this.key(batchId)))?.settled ?? []);
  }

  record(batchId: string, settled: string[]): Promise<void> {
    return this.state.put(this.key(batchId), { settled, at: new Date().toISOString() });
  }

  forget(batchId: string): Promise<void> {
    return this.state.delete(this.key(batchId));
  }

  private key(batchId: string): string {
    return `push/progress/${batchId}`;
  }
}

/** The key a change is failed-listed and blamed under: a person's externalId or a department's key. */
function keyOf(change: Change): string {
  return change.kind === CHANGE_KIND.user ? externalIdOf(change.source, change.sourceId) : departmentKey(change);
}

function subjectOf(change: Change): Pick<FailureReport, 'externalId' | 'departmentId'> {
  return change.kind === CHANGE_KIND.user ? { externalId: keyOf(change) } : { departmentId: change.sourceId };
}

/** Keys (externalIds, department keys) with any failure, and with a retryable one. */
function failureKeys(report: ChangeSyncReport): { any: Set<string>; retryable: Set<string> } {
  const any = new Set<string>();
  const retryable = new Set<string>();
  const note = (key: string, failure: StepFailure) => {
    any.add(key);
    if (failure.retryable) retryable.add(key);
  };
  for (const u of report.unread) note(u.externalId, u.failure);
  for (const o of report.result.outcomes) {
    if (o.status === 'failed' && o.failure && o.step.kind === 'user') note(o.step.externalId, o.failure);
  }
  return { any, retryable };
}

function entry(
  change: Change | undefined, failure: StepFailure, action: string, batchId: string, runId: string, at: string, key?: string,
): Omit<FailedChange, 'times'> {
  const subject = change?.kind === CHANGE_KIND.department ? 'department' : 'person';
  return { ...failure, key: key ?? (change ? keyOf(change) : ''), subject, action, change, batchId, runId, at };
}

function finalStepEntries(outcomes: StepOutcome[], changes: Change[], batchId: string, runId: string, at: string): Omit<FailedChange, 'times'>[] {
  const changeOf = new Map(changes.filter((c) => c.kind === 'user').map((c) => [keyOf(c), c]));
  return outcomes.filter((o) => o.status === 'failed' && o.failure && !o.failure.retryable).map(({ step, failure }) => (
    step.kind === 'user'
      ? { ...entry(changeOf.get(step.externalId), failure!, step.action, batchId, runId, at, step.externalId), subject: 'person' as const }
      : { ...failure!, key: `group:${step.groupName}`, subject: 'group' as const, action: step.action, batchId, runId, at }
  ));
}

/** People (and departments) that could not be read, as failures of a `read` step. */
export function unreadFailures(unread: UnreadChange[]): FailureReport[] {
  return unread.map((u) => ({
    ...u.failure,
    ...(u.subject === 'person' ? { action: 'read', externalId: u.externalId } : { action: 'resync-department', departmentId: u.change.sourceId }),
  }));
}

export function failuresOf(outcomes: StepOutcome[]): FailureReport[] {
  return outcomes.filter((o) => o.status === 'failed' && o.failure).map(({ step, failure }) => ({
    ...failure!,
    action: step.action,
    ...(step.kind === 'user' ? { externalId: step.externalId, userName: step.userName } : { groupName: step.groupName }),
  }));
}

/** Sources hold connections (AD) that must not outlive the invocation: FC may freeze the instance. */
export async function closing<T>(engine: EngineEnvironment, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await Promise.all(engine.sources.map((source) => source.close?.()));
  }
}
