/**
 * FC's async task ids (reference/fc.md §3.1): an async invocation carrying `x-fc-async-task-id`
 * (FC 2.0: `X-Fc-Stateful-Async-Invocation-Id`) is refused with 409 when that id was submitted
 * before (task state is kept 7 days), whichever instance sent it. That is how a signed request
 * published twice is enqueued once; the local SQLite queue keeps the same ids for the same time.
 * Needs the target function in async task mode (`asyncInvokeConfig.asyncTask: true`).
 */
import { createHash } from 'node:crypto';

/** How long FC answers 409 for a task id it has seen; the local queue remembers ids as long. */
export const ASYNC_TASK_RETENTION_MS = 7 * 24 * 3600_000;

/** FC answers a resubmitted task id with this status. */
export const DUPLICATE_TASK_STATUS = 409;

/**
 * The task id of batch `index` of the changes published under `dedupeKey`. A hash, so any key fits
 * FC's rule (a letter or `_` first, then `[A-Za-z0-9_-]`, at most 128 characters); batching is
 * deterministic, so the same changes give the same ids.
 *
 * @example
 * asyncTaskId('wecom\nsig\n1700000000\nnonce', 0) // 't_9c1f…e2_0' (69 characters)
 */
export function asyncTaskId(dedupeKey: string, index: number): string {
  return `t_${createHash('sha256').update(dedupeKey, 'utf8').digest('hex')}_${index}`;
}
