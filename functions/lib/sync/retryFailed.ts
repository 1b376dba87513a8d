/**
 * Retrying the failed list (failedChanges.ts) once an operator fixed the cause: the listed changes
 * run again exactly as push runs them, and the list settles as push settles it (entries that apply
 * go, those that fail again stay with a new count). Entries without a change to run (a message that
 * could not be decoded, a group step) are only taken off the list: a group step is tried again by
 * any run that needs the group.
 */
import type { ChangeBatch } from '../core/model';
import type { ProvisioningLog } from '../core/ports';
import type { ApplySummary } from './apply';
import type { EngineEnvironment } from './environment';
import { FailedChanges } from './failedChanges';
import { type FailureReport, pushBatch } from './push';

export interface RetryFailedResult {
  runId: string;
  /** Changes run again. */
  retried: string[];
  /** Entries taken off without a run (nothing to run again). */
  forgotten: string[];
  /** Keys that are not on the failed list. */
  unknown: string[];
  summary: ApplySummary;
  /** Final failures again: still listed. */
  failures: FailureReport[];
}

export async function retryFailed(
  engine: EngineEnvironment, keys: string[] | 'all', run: { runId: string; log: ProvisioningLog },
): Promise<RetryFailedResult> {
  const list = new FailedChanges(engine.state);
  const { entries } = await list.list();
  const chosen = keys === 'all' ? entries : entries.filter((e) => keys.includes(e.key));
  const unknown = keys === 'all' ? [] : keys.filter((k) => !entries.some((e) => e.key === k));
  const runnable = chosen.filter((e) => e.change);
  const forgotten = chosen.filter((e) => !e.change).map((e) => e.key);
  if (forgotten.length > 0) await list.forget(forgotten);
  const batch: ChangeBatch = { v: 1, id: `retry-failed-${run.runId}`, emittedAt: new Date().toISOString(), changes: runnable.map((e) => e.change!) };
  const result = await pushBatch(engine, batch, run);
  return { runId: run.runId, retried: runnable.map((e) => e.key), forgotten, unknown, summary: result.summary, failures: result.failures };
}
