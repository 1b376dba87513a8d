/**
 * What both FC adapters share: send every batch (bounded parallelism, a quick retry for failures
 * that may heal), wait for all of them, and reject with one `QueuePublishError` if any failed.
 */
import { forEachConcurrent } from '../core/pool';
import type { ChangeBatch } from '../core/model';
import { asyncTaskId, DUPLICATE_TASK_STATUS } from './asyncTask';
import { QueuePublishError, type PublishFailure } from './errors';

export interface PublishOptions {
  /** Batches in flight at once. Default 4. */
  concurrency?: number;
  /**
   * Tries per batch for retryable failures (a reused keep-alive socket reset, a 5xx). Default 2:
   * webhooks must answer within seconds, and the platform retries the whole event anyway.
   */
  attempts?: number;
  /** Pause before a retry. Default 100 ms. */
  retryDelayMs?: number;
}

/** A failure as the adapter understood it; `cause` is kept for the error chain. */
export type SendFailure = Omit<PublishFailure, 'batchId'> & { cause: unknown };

/**
 * Sends each batch with `send`, which throws on failure; `translate` turns what it threw into a
 * `SendFailure`. With a `dedupeKey`, each batch is sent with its async task id, and FC's 409 for a
 * task id it has seen counts as accepted: that batch was enqueued before (by a retry of ours whose
 * answer was lost, or by another instance given the same request). Resolves with the batches once
 * all were accepted.
 */
export async function publishBatches(
  target: string,
  batches: ChangeBatch[],
  send: (batch: ChangeBatch, taskId?: string) => Promise<void>,
  translate: (thrown: unknown) => SendFailure,
  options: PublishOptions = {},
  dedupeKey?: string,
): Promise<ChangeBatch[]> {
  const attempts = Math.max(1, options.attempts ?? 2);
  const failures: Array<SendFailure & { batchId: string }> = [];
  const accepted: string[] = [];

  const sendOne = async ({ batch, taskId }: { batch: ChangeBatch; taskId?: string }): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await send(batch, taskId);
        accepted.push(batch.id);
        return;
      } catch (thrown) {
        const failure = translate(thrown);
        if (taskId !== undefined && failure.status === DUPLICATE_TASK_STATUS) {
          accepted.push(batch.id);
          return;
        }
        if (!failure.retryable || attempt >= attempts) {
          failures.push({ ...failure, batchId: batch.id });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 100));
      }
    }
  };

  const tasks = batches.map((batch, index) => ({ batch, ...(dedupeKey !== undefined && { taskId: asyncTaskId(dedupeKey, index) }) }));
  // sendOne never throws: every batch is attempted, and failures are collected.
  await forEachConcurrent(tasks, options.concurrency ?? 4, sendOne);
  if (failures.length > 0) {
    const list: PublishFailure[] = failures.map(({ cause: _cause, ...f }) => f);
    throw new QueuePublishError(target, list, accepted, { cause: failures[0]?.cause });
  }
  return batches;
}

/** Whether an HTTP status can heal on retry: throttling and server-side failures. */
export const retryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** Node's socket and DNS failure codes, reported as `NetworkError`. */
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED',
]);

/** Classifies a thrown transport error (no HTTP answer): network failure, timeout, or unknown. */
export function transportFailure(thrown: unknown, message: string): SendFailure | undefined {
  const e = thrown as { code?: unknown; name?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const name = typeof e?.name === 'string' ? e.name : '';
  if (/timeout/i.test(name) || /timeout/i.test(code) || code === 'ETIMEDOUT') {
    return { code: 'Timeout', retryable: true, message, cause: thrown };
  }
  if (NETWORK_CODES.has(code) || /socket hang up|ECONNRESET/i.test(message)) {
    return { code: 'NetworkError', retryable: true, message, cause: thrown };
  }
  return undefined;
}
