/**
 * `entra-webhook`: Microsoft Graph change notifications for users over HTTP. Answers the
 * validationToken handshake, checks each notification's clientState and tenant, enqueues the
 * users it names for `push`, and answers 202. Never calls Graph or RAM (Graph wants a 2xx within
 * 3 s); a failed enqueue answers 503 so Graph delivers again. The subscription itself is created
 * and renewed by `entra-poll`.
 */
import { loadConfig } from '../lib/fc/config';
import { httpHandler } from '../lib/fc/handlers';
import { logger } from '../lib/fc/logger';
import { MAX_BODY_BYTES, createEntraWebhook } from '../lib/sources/entra/webhook';
import { invocationQueue } from '../lib/wiring/queue';
import { entraWebhookFromEnv } from '../lib/wiring/webhooks';

const config = loadConfig(entraWebhookFromEnv);

const queue = invocationQueue(config.queue);

const receive = createEntraWebhook(config.webhook, { queue, logger });

export const handler = httpHandler('entra-webhook', (req) => receive(req), { maxBodyBytes: MAX_BODY_BYTES });
