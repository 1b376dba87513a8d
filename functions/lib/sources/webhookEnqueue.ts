/**
 * How webhooks (and the DingTalk failed-callback poll) hand changes to the queue without losing
 * any silently. A publish that fails writes one `changes not enqueued` line naming each change
 * (source, kind, sourceId, reason: ids only, never names, emails or mobiles) so they can be
 * replayed, then rethrows: how to answer is the vendor's business, as their retry rules differ.
 */
import type { Change } from '../core/model';
import type { ChangeQueue, Logger } from '../core/ports';

/** The message of the line to search for: `"msg":"changes not enqueued"`. */
export const UNQUEUED_MESSAGE = 'changes not enqueued';

/**
 * @param dedupeKey names the signed request; the queue enqueues it once, whichever instance publishes it again
 * @throws what the queue threw, after logging the changes' ids
 * @example
 * await enqueueChanges(changes, `wecom\n${signature}\n${timestamp}\n${nonce}`, { queue, log });
 */
export async function enqueueChanges(
  changes: Change[], dedupeKey: string | undefined, deps: { queue: ChangeQueue; log: Pick<Logger, 'error'> },
): Promise<void> {
  try {
    await deps.queue.publish(changes, dedupeKey === undefined ? undefined : { dedupeKey });
  } catch (error) {
    logUnqueued(deps.log, changes, error);
    throw error;
  }
}

/** The one line an operator searches for to replay what a failed publish left out. */
export function logUnqueued(log: Pick<Logger, 'error'>, changes: readonly Change[], error: unknown): void {
  log.error(UNQUEUED_MESSAGE, {
    count: changes.length,
    changes: changes.map(({ source, kind, sourceId, reason }) => ({ source, kind, sourceId, reason })),
    recommendedAction: 'publish these changes again once the queue accepts them, or run full-sync',
    error,
  });
}
