/**
 * The Lark webhook use case: verify, decrypt, answer URL verification, enqueue the named changes,
 * acknowledge. No Lark or RAM call happens here (Lark wants an answer within 1-3 s); the `push`
 * function reads the current state later.
 */
import type { ChangeQueue, Logger } from '../../core/ports';
import { HttpError, methodNotAllowed, serviceUnavailable, type HttpRequest, type HttpResponse } from '../../core/http';

import type { LarkWebhookConfig } from './webhookConfig';
import { LarkWebhookError } from './errors';
import { type LarkMessage, readMessage } from './events';
import { RecentEvents } from '../recentEvents';
import { enqueueChanges } from '../webhookEnqueue';
import { createRequestOpener } from './verify';

export interface LarkWebhookDeps {
  queue: ChangeQueue;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Events already enqueued by this instance; default a fresh bounded set. */
  recent?: RecentEvents;
  /** Milliseconds since the epoch, for the signature's age; default `Date.now`. */
  now?: () => number;
}

export type LarkWebhook = (req: Pick<HttpRequest, 'method' | 'headers' | 'rawBody'>) => Promise<HttpResponse>;

/**
 * @example
 * const receive = createLarkWebhook(config, { queue, logger });
 * export const handler = httpHandler('lark-webhook', (req) => receive(req));
 */
export function createLarkWebhook(config: LarkWebhookConfig, deps: LarkWebhookDeps): LarkWebhook {
  const opener = createRequestOpener(config);
  const recent = deps.recent ?? new RecentEvents();
  const now = deps.now ?? Date.now;

  return async (req) => {
    if (req.method !== 'POST') throw methodNotAllowed(['POST']);
    let message: LarkMessage;
    try {
      message = readMessage(opener.open(req, now()).payload, config.userIdType);
    } catch (error) {
      if (error instanceof LarkWebhookError) {
        deps.logger.warn('lark request refused', { reason: error.reason, status: error.status });
        throw new HttpError(error.status, error.reason, error.message, { cause: error });
      }
      throw error;
    }
    if (message.kind === 'challenge') return { status: 200, body: { challenge: message.challenge } };

    const { eventId, eventType, changes, skipped } = message;
    // Lark's retries are new requests carrying the same event id: that id is the dedupe key.
    const dedupeKey = `lark\n${eventId}`;
    if (recent.has(dedupeKey)) {
      deps.logger.info('lark event repeated', { eventId, eventType });
      return { status: 200, body: { ok: true, duplicate: true } };
    }
    if (changes.length > 0) {
      try {
        await enqueueChanges(changes, dedupeKey, { queue: deps.queue, log: deps.logger });
      } catch (error) {
        // 5xx makes Lark deliver the event again (15 s, 5 min, 1 h, 6 h): nothing is lost.
        throw serviceUnavailable(`enqueueing lark event ${eventId} failed`, error);
      }
    }
    recent.add(dedupeKey);
    deps.logger.info(skipped ? 'lark event ignored' : 'lark event enqueued', {
      eventId, eventType, schema: message.schema, changes: changes.length, ...(skipped && { skipped }),
    });
    return { status: 200, body: { ok: true, changes: changes.length } };
  };
}
