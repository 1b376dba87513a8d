/**
 * `okta-webhook`: Okta Event Hooks over HTTP. Checks the Authentication header, answers the
 * one-time verification GET, enqueues which people and groups a delivery names for `push`, and
 * acknowledges with an empty 200. Never calls Okta or RAM (Okta waits 3 s); a failed enqueue
 * answers 503 so Okta delivers once more, and `okta-poll` catches whatever is still missed.
 */
import { loadConfig } from '../lib/fc/config';
import { httpHandler } from '../lib/fc/handlers';
import { logger } from '../lib/fc/logger';
import { createOktaWebhook } from '../lib/sources/okta/webhook';
import { invocationQueue } from '../lib/wiring/queue';
import { oktaWebhookFromEnv } from '../lib/wiring/webhooks';

const config = loadConfig(oktaWebhookFromEnv);

const queue = invocationQueue(config.queue);

const receive = createOktaWebhook(config.webhook, { queue, logger: logger.child({ source: 'okta' }) });

// Okta batches events into one delivery; 1 MiB holds hundreds and refuses floods before parsing.
export const handler = httpHandler('okta-webhook', (req) => receive(req), { maxBodyBytes: 1024 * 1024 });
