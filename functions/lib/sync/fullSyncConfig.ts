/**
 * How `full-sync` paces a run that may outlive its invocation (fullSyncRun.ts), from the environment:
 * - FULL_SYNC_RUN_SECONDS (default 3000): how long one invocation applies before it checkpoints and
 *   hands over to the next; kept at least 5 minutes under the function's timeout (3,600 s in s.yaml).
 * - FULL_SYNC_CHUNK_STEPS (default 100): steps between checkpoints.
 * - FULL_SYNC_PROGRESS_SECONDS (default 30) / FULL_SYNC_PROGRESS_STEPS (default 1000): how often the
 *   `full-sync progress` line is logged, whichever comes first.
 * - FULL_SYNC_LEASE_SECONDS (default 30): how long the `full-sync` lease outlives a killed holder
 *   (a live one renews it every third of that), i.e. how soon a crashed run can be continued.
 */
import { envReader } from '../core/config';
import { ConfigProblems } from '../core/errors';

export interface FullSyncPacing {
  runSeconds: number;
  chunkSteps: number;
  progressSeconds: number;
  progressSteps: number;
  leaseSeconds: number;
}

/** Margin left under FC's timeout for the last chunk, the checkpoint and the answer. */
export const TIMEOUT_MARGIN_SECONDS = 300;

export function parseFullSyncPacing(env: NodeJS.ProcessEnv): FullSyncPacing {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const pacing = {
    runSeconds: read.integer('FULL_SYNC_RUN_SECONDS', { fallback: 3000, min: 10, max: 86_400, unit: 'seconds' }),
    chunkSteps: read.integer('FULL_SYNC_CHUNK_STEPS', { fallback: 100, min: 1, max: 100_000, unit: 'steps' }),
    progressSeconds: read.integer('FULL_SYNC_PROGRESS_SECONDS', { fallback: 30, min: 1, unit: 'seconds' }),
    progressSteps: read.integer('FULL_SYNC_PROGRESS_STEPS', { fallback: 1000, min: 1, unit: 'steps' }),
    leaseSeconds: read.integer('FULL_SYNC_LEASE_SECONDS', { fallback: 30, min: 1, max: 3600, unit: 'seconds' }),
  };
  problems.throwIfAny();
  return pacing;
}

/**
 * When this invocation stops applying: FULL_SYNC_RUN_SECONDS from its start, and never later than
 * the function's timeout less the margin. Ms since the epoch.
 */
export function fullSyncDeadline(pacing: FullSyncPacing, startedAt: number, timeoutSeconds?: number): number {
  const limit = timeoutSeconds ? Math.max(timeoutSeconds - TIMEOUT_MARGIN_SECONDS, timeoutSeconds / 2) : Infinity;
  return startedAt + Math.min(pacing.runSeconds, limit) * 1000;
}
