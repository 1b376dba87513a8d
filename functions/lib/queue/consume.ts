/**
 * The local consumer loop: lease → handle → ack, or fail on throw. Knows nothing of SQLite, so it
 * can be imported (and tested) without the native module.
 */
import { isClassified } from '../core/errors';
import type { ChangeBatch } from '../core/model';

export interface Lease {
  leaseId: string;
  batch: ChangeBatch;
  /** 1 on the first delivery. */
  attempt: number;
}

/** What `consume` needs from a queue. */
export interface LeasingQueue {
  lease(max?: number, leaseMs?: number): Lease[];
  ack(leaseId: string): boolean;
  fail(leaseId: string, reason: string, options?: { terminal?: boolean }): boolean;
}

export interface ConsumeOptions {
  /** Stops the loop; the batch in hand is finished first. */
  signal?: AbortSignal;
  /** Pause when the queue is empty. Default 500 ms. */
  pollMs?: number;
  /** Batches leased at once, handled one after another. Default 1. */
  batchSize?: number;
  leaseMs?: number;
  /** Told about each failure (for logs); the failure is recorded on the queue either way. */
  onError?: (error: unknown, lease: Lease) => void;
}

export type BatchHandler = (batch: ChangeBatch, lease: Lease) => Promise<void>;

/**
 * Runs until the signal aborts. A handler error classified final (core's ClassifiedError with
 * `retryable` false) goes straight to the dead letters (retrying cannot help); any other error is
 * retried with backoff.
 *
 * @example
 * const stop = new AbortController();
 * const done = consume(queue, (batch) => push(batch), { signal: stop.signal });
 * …; stop.abort(); await done;
 */
export async function consume(queue: LeasingQueue, handler: BatchHandler, options: ConsumeOptions = {}): Promise<void> {
  const { signal } = options;
  while (!signal?.aborted) {
    const leases = queue.lease(options.batchSize ?? 1, options.leaseMs);
    if (leases.length === 0) {
      await sleep(options.pollMs ?? 500, signal);
      continue;
    }
    for (const lease of leases) {
      try {
        await handler(lease.batch, lease);
        queue.ack(lease.leaseId);
      } catch (error) {
        options.onError?.(error, lease);
        const terminal = isClassified(error) && !error.retryable;
        queue.fail(lease.leaseId, failureReason(error), { terminal });
      }
    }
  }
}

/** A short, single-line reason for the queue's records. Our errors' messages are already redacted. */
export function failureReason(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 500);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
