/**
 * The reconcile timer's summary: one provisioning-log line per scheduled full sync, beside the
 * step lines, so an operator finds every nightly run with one query (`action: reconcile`) and
 * sees from that line alone whether it changed anything, held anyone or failed.
 */
import type { ProvisioningLogLine } from '../core/ports';
import type { ApplySummary } from './apply';
import type { FullSyncResult } from './entrances';

export interface ReconcileLogLine extends ProvisioningLogLine {
  action: 'reconcile';
  trigger: string;
  triggerTime: string;
  /** Steps by outcome (created, updated, deleted, suspended, restored, unchanged, staged, failed, …). */
  counts?: ApplySummary;
  /** Everyone on the held list after this run (staged now or earlier), waiting for a release. */
  held: number;
  failures: number;
}

/**
 * @example
 * run.log(reconcileLine(result, { name: 'reconcile', time: '2026-12-06T19:00:00Z' }));
 * // { action: 'reconcile', status: 'staged', held: 3, failures: 0, counts: { created: 0, … }, reason: '… 3 held …' }
 */
export function reconcileLine(result: FullSyncResult, trigger: { name: string; time: string }): ReconcileLogLine {
  const held = result.safeguard?.heldTotal ?? 0;
  const failures = result.result?.failed ?? 0;
  const status = failures > 0 ? 'failed' : result.safeguard?.held ? 'staged' : 'succeeded';
  const waiting = held > 0 ? `${held} held until released (npm run sync -- --held)` : 'nobody held';
  return {
    runId: result.runId, action: 'reconcile', status, trigger: trigger.name, triggerTime: trigger.time,
    counts: result.result, held, failures,
    reason: `scheduled full sync: ${waiting}, ${failures} failed${failures > 0 ? ' (their lines above say why)' : ''}`,
  };
}
