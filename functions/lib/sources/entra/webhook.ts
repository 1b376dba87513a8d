/**
 * The Entra webhook use case: answer Graph's validation handshake, read a change-notification
 * collection, enqueue the users (and group departments) it names, acknowledge with 202. No Graph
 * or RAM call happens here (Graph wants a 2xx within 3 s, and throttles slow endpoints); `push`
 * reads each user's current state later, exactly as after a delta round.
 *
 * Answers:
 * - `POST ?validationToken=…` with no body: 200 text/plain, the token as decoded (Graph refuses an
 *   encoded echo). Used for `notificationUrl` and `lifecycleNotificationUrl` alike.
 * - a collection: 202 with no body, whether its items were authentic or not. A mismatching
 *   clientState or tenant is discarded, never enqueued, but not refused with a 4xx: Graph retries
 *   any non-2xx for 4 hours (a subscription still carrying a rotated clientState would be retried
 *   all that time), and one answer for every collection tells a guesser nothing.
 * - a JSON body that is no collection: 202, nothing enqueued (the "anything else").
 * - a body that is not JSON, or an empty one without validationToken: 400; over 1 MiB or over
 *   MAX_NOTIFICATIONS items: 413; another method: 405.
 * - the queue refusing: 503, so Graph delivers the collection again.
 */
import type { ChangeQueue, Logger } from '../../core/ports';
import { HttpError, badRequest, methodNotAllowed, payloadTooLarge, serviceUnavailable, type HttpRequest, type HttpResponse } from '../../core/http';
import { enqueueChanges } from '../webhookEnqueue';
import { MAX_NOTIFICATIONS, clientStateDigest, readNotifications } from './events';
import type { EntraWebhookConfig } from './webhookConfig';

/** Graph's notification bodies are small; the FC handler caps at the same size. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Graph's tokens are about 150 characters; FC caps path plus query at 4 KB anyway. */
export const MAX_VALIDATION_TOKEN = 1024;

export interface EntraWebhookDeps {
  queue: ChangeQueue;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export type EntraWebhook = (req: Pick<HttpRequest, 'method' | 'query' | 'rawBody'>) => Promise<HttpResponse>;

/** The one answer to every collection, authentic or not. */
const ACCEPTED: HttpResponse = { status: 202 };

/**
 * @example
 * const receive = createEntraWebhook(config.webhook, { queue, logger });
 * export const handler = httpHandler('entra-webhook', (req) => receive(req));
 */
export function createEntraWebhook(config: EntraWebhookConfig, deps: EntraWebhookDeps): EntraWebhook {
  const rules = { tenantId: config.tenantId, clientStateDigest: clientStateDigest(config.clientState), groupDepartments: config.groupDepartments };

  return async (req) => {
    if (req.method !== 'POST') throw methodNotAllowed(['POST']);
    if (req.rawBody.length > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
    const token = req.query.validationToken;
    if (token !== undefined && req.rawBody.length === 0) return validation(token, deps.logger);
    if (req.rawBody.length === 0) throw badRequest('neither a validationToken nor a notification collection', 'malformed');

    let payload: unknown;
    try {
      payload = JSON.parse(req.rawBody.toString('utf8'));
    } catch (error) {
      throw badRequest('the body is not JSON', 'malformed', error);
    }
    const read = readNotifications(payload, rules);
    if (read.kind === 'too-many') {
      throw new HttpError(413, 'too_many_notifications', `a collection holds at most ${MAX_NOTIFICATIONS} notifications`);
    }
    if (read.kind === 'unknown') {
      deps.logger.warn('entra request ignored', { why: read.why });
      return ACCEPTED;
    }
    const { changes, lifecycle, refused, skipped, items } = read;
    if (refused > 0) {
      deps.logger.warn('entra notifications discarded', {
        refused, items, why: 'clientState or tenantId does not match ENTRA_CLIENT_STATE / ENTRA_TENANT_ID',
        recommendedAction: 'if this persists, a subscription carries another clientState: it is recreated by entra-poll, or delete it in Graph',
      });
    }
    for (const { event, subscriptionId } of lifecycle) {
      // No Graph call here (no credentials, 3 s): entra-poll renews, which reauthorizes, on its next tick.
      deps.logger.warn('entra subscription lifecycle event', {
        event, subscriptionId, recommendedAction: 'entra-poll renews the subscription on its next tick; if notifications stop, check its log',
      });
    }
    if (changes.length > 0) {
      try {
        // No dedupe key: basic notifications carry no id, and two changes to one user in a day send
        // identical bodies; a repeat costs push one re-read.
        await enqueueChanges(changes, undefined, { queue: deps.queue, log: deps.logger });
      } catch (error) {
        // Graph redelivers a collection not answered 2xx for up to 4 hours.
        throw serviceUnavailable('enqueueing entra notifications failed', error);
      }
    }
    if (changes.length > 0 || skipped > 0) deps.logger.info('entra notifications enqueued', { items, changes: changes.length, skipped });
    return ACCEPTED;
  };
}

function validation(token: string, logger: Pick<Logger, 'info'>): HttpResponse {
  if (token === '' || token.length > MAX_VALIDATION_TOKEN) {
    throw badRequest(`validationToken must be 1 to ${MAX_VALIDATION_TOKEN} characters`, 'malformed');
  }
  logger.info('entra validation answered', { length: token.length });
  // The query arrives decoded (FC and the local stack decode it): echoed as is. nosniff: a token is never a page.
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: token };
}
