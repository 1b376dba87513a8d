/**
 * DingTalk's failed-callback list → the queue (reference/webhooks.md §1.3). A push we did not
 * acknowledge (our 503 when the queue refused, a timeout, an outage) is kept by DingTalk and read
 * here, page by page (≤ 200 entries, `has_more`), by the `dingtalk-poll` timer.
 *
 * DingTalk deletes a page once it has answered it, so each page is enqueued before the next is
 * asked for; when the queue refuses, its changes are logged (ids only) and polling stops, leaving
 * the rest on DingTalk's list for the next tick. Entries without ids (reported in the wild) or with
 * malformed ones are logged by tag and skipped: the daily reconcile full sync repairs them.
 */
import type { Change } from '../../core/model';
import type { ChangeQueue, Logger } from '../../core/ports';

import { enqueueChanges } from '../webhookEnqueue';
import type { DingtalkApi } from './DingtalkApi';
import { DingtalkEventError } from './errors';
import { readDingtalkPayload } from './events';

export interface FailedCallbackDeps {
  api: Pick<DingtalkApi, 'getFailedCallbacks'>;
  queue: ChangeQueue;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Pages read per tick at most (200 entries each); the rest waits for the next tick. Default 50. */
  maxPages?: number;
}

export interface FailedCallbackResult {
  pages: number;
  /** Entries DingTalk handed over (and deleted). */
  entries: number;
  /** Changes enqueued. */
  changes: number;
  /** Entries without usable ids, logged and skipped. */
  skipped: number;
  /** Entries that are not contact events (or the URL check). */
  ignored: number;
  /** DingTalk still has more: `maxPages` was reached. */
  more: boolean;
}

type Entry = NonNullable<Awaited<ReturnType<DingtalkApi['getFailedCallbacks']>>['failed_list']>[number];

/**
 * @throws what the API client or the queue threw (the queue's after logging the page's change ids)
 * @example
 * const result = await enqueueFailedCallbacks({ api, queue, log }); // { pages: 1, entries: 3, changes: 4, … }
 */
export async function enqueueFailedCallbacks(deps: FailedCallbackDeps): Promise<FailedCallbackResult> {
  const result: FailedCallbackResult = { pages: 0, entries: 0, changes: 0, skipped: 0, ignored: 0, more: false };
  const maxPages = deps.maxPages ?? 50;
  for (;;) {
    const page = await deps.api.getFailedCallbacks();
    result.pages++;
    const changes: Change[] = [];
    for (const entry of page.failed_list ?? []) {
      result.entries++;
      const read = readEntry(entry);
      if (read.kind === 'changes') changes.push(...read.changes);
      else if (read.kind === 'ignored') result.ignored++;
      else {
        result.skipped++;
        deps.log.warn('dingtalk failed callback skipped', { tag: read.tag, eventTime: entry.event_time, problem: read.problem });
      }
    }
    // No dedupe key: DingTalk hands each entry over once.
    if (changes.length > 0) await enqueueChanges(changes, undefined, deps);
    result.changes += changes.length;
    if (page.has_more !== true) return result;
    if (result.pages >= maxPages) return { ...result, more: true };
  }
}

type ReadEntry =
  | { kind: 'changes'; changes: Change[] }
  | { kind: 'ignored' }
  | { kind: 'skipped'; tag?: string; problem: string };

function readEntry(entry: Entry): ReadEntry {
  const tag = typeof entry.call_back_tag === 'string' && /^[a-z_]{1,64}$/.test(entry.call_back_tag) ? entry.call_back_tag : undefined;
  if (!tag) return { kind: 'skipped', problem: 'no call_back_tag' };
  const data = entry[tag];
  try {
    const event = readDingtalkPayload({ ...(typeof data === 'object' && data !== null ? data : {}), EventType: tag });
    if (event.type !== 'contact') return { kind: 'ignored' };
    if (event.changes.length === 0) return { kind: 'skipped', tag, problem: 'the entry names no ids' };
    return { kind: 'changes', changes: event.changes };
  } catch (error) {
    if (error instanceof DingtalkEventError) return { kind: 'skipped', tag, problem: error.message };
    throw error;
  }
}
