/**
 * The Okta Event Hook use case: check the authentication header, answer the one-time verification,
 * enqueue whom a delivery names, acknowledge. No Okta or RAM call happens here: Okta waits 3 s and
 * retries once, and only on a 5xx (reference/idp.md §2.5), so the answer must be fast; `push`
 * reads the current state later, and `okta-poll` catches what a lost delivery left out.
 *
 * Okta signs nothing: it sends the Event Hook's Authentication secret verbatim in the header the
 * hook names, on every request, the verification GET included ("Okta provides it in every
 * request", concepts/event-hooks). So the verification is answered only when that header verifies
 * too: otherwise anyone could make our URL look like theirs to their own Okta org.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ChangeQueue, Logger } from '../../core/ports';
import {
  HttpError, badRequest, methodNotAllowed, serviceUnavailable, unauthorized, type HttpRequest, type HttpResponse,
} from '../../core/http';
import { dedupeChanges } from '../../core/model';
import { RecentEvents } from '../recentEvents';
import { enqueueChanges } from '../webhookEnqueue';
import { type Delivery, readDelivery } from './events';
import type { OktaWebhookConfig } from './webhookConfig';

export const VERIFICATION_HEADER = 'x-okta-verification-challenge';

/** Okta's challenge is an opaque token; anything longer or with control characters is not Okta's. */
const CHALLENGE = /^[\x21-\x7e]{1,512}$/;

export interface OktaWebhookDeps {
  queue: ChangeQueue;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Event uuids already enqueued by this instance; default a fresh bounded set. */
  recent?: RecentEvents;
}

export type OktaWebhook = (req: Pick<HttpRequest, 'method' | 'headers' | 'rawBody'>) => Promise<HttpResponse>;

/**
 * @example
 * const receive = createOktaWebhook(config.webhook, { queue, logger });
 * export const handler = httpHandler('okta-webhook', (req) => receive(req));
 */
export function createOktaWebhook(config: OktaWebhookConfig, deps: OktaWebhookDeps): OktaWebhook {
  const authenticate = headerCheck(config);
  const recent = deps.recent ?? new RecentEvents();

  const refuse = (error: HttpError): never => {
    deps.logger.warn('okta request refused', { reason: error.code, status: error.status });
    throw error;
  };

  return async (req) => {
    if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed(['GET', 'POST']);
    const denied = authenticate(req.headers);
    if (denied) refuse(denied);

    if (req.method === 'GET') {
      const challenge = req.headers[VERIFICATION_HEADER];
      if (challenge === undefined || !CHALLENGE.test(challenge)) {
        refuse(badRequest(`a GET must carry the ${VERIFICATION_HEADER} header Okta sends to verify the hook`, 'malformed'));
      }
      deps.logger.info('okta event hook verified', {});
      return { status: 200, headers: { 'content-type': 'application/json' }, body: { verification: challenge } };
    }

    let delivery: Delivery;
    try {
      delivery = readDelivery(JSON.parse(req.rawBody.toString('utf8')), config.departments);
    } catch (error) {
      if (error instanceof HttpError) refuse(error);
      refuse(badRequest('the body is not JSON', 'malformed', error));
    }
    return enqueue(delivery!);
  };

  async function enqueue(delivery: Delivery): Promise<HttpResponse> {
    const { eventId } = delivery;
    // Okta delivers at least once; a uuid this instance already enqueued is dropped (idp.md §2.5).
    const fresh = delivery.events.filter((e) => e.uuid === undefined || !recent.has(`okta\n${e.uuid}`));
    const changes = dedupeChanges(fresh.flatMap((e) => e.changes));
    if (changes.length > 0) {
      try {
        // The delivery id holds across instances: the queue enqueues a retried delivery once.
        await enqueueChanges(changes, eventId === undefined ? undefined : `okta\n${eventId}`, { queue: deps.queue, log: deps.logger });
      } catch (error) {
        // Okta retries once, on a 5xx; okta-poll catches it if that fails too.
        throw serviceUnavailable(`enqueueing okta delivery ${eventId ?? '(no eventId)'} failed`, error);
      }
    }
    for (const e of fresh) if (e.uuid !== undefined) recent.add(`okta\n${e.uuid}`);
    // Counted by reason, not listed: a delivery may carry many events.
    const skipped: Record<string, number> = {};
    for (const e of fresh) if (e.skipped !== undefined) skipped[e.skipped] = (skipped[e.skipped] ?? 0) + 1;
    deps.logger.info(changes.length > 0 ? 'okta delivery enqueued' : 'okta delivery ignored', {
      ...(eventId && { eventId }),
      events: delivery.events.length,
      changes: changes.length,
      repeated: delivery.repeated + delivery.events.length - fresh.length,
      ...(Object.keys(skipped).length > 0 && { skipped }),
    });
    // Okta wants an empty 200 or 204 (concepts/event-hooks).
    return { status: 200 };
  }
}

/**
 * Compares the configured header in constant time: both sides are hashed first, so the comparison
 * takes as long whatever the length of what was sent.
 */
function headerCheck(config: OktaWebhookConfig): (headers: Record<string, string>) => HttpError | undefined {
  const expected = digest(config.secret);
  return (headers) => {
    const received = headers[config.headerName];
    if (received === undefined || received === '') {
      return unauthorized(`the request carries no ${config.headerName} header: set the Event Hook's Authentication field and secret`, 'missing_authorization');
    }
    if (!timingSafeEqual(digest(received), expected)) {
      return unauthorized(`the ${config.headerName} header does not match OKTA_EVENT_HOOK_SECRET`, 'invalid_authorization');
    }
    return undefined;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
