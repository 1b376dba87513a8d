/**
 * `lark-webhook`: Lark / Feishu contact events over HTTP. Verifies, decrypts, answers URL
 * verification, enqueues which people and departments changed for `push`, and acknowledges.
 * Never calls Lark or RAM (Lark wants an answer within 1-3 s); a failed enqueue answers 503 so
 * Lark delivers again.
 */
import { loadConfig } from '../lib/fc/config';
import { httpHandler } from '../lib/fc/handlers';
import { logger } from '../lib/fc/logger';
import { createLarkWebhook } from '../lib/sources/lark/webhook';
import { invocationQueue } from '../lib/wiring/queue';
import { larkWebhookFromEnv } from '../lib/wiring/webhooks';

const config = loadConfig(larkWebhookFromEnv);

const queue = invocationQueue(config.queue);

const receive = createLarkWebhook(config.webhook, { queue, logger });

export const handler = httpHandler('lark-webhook', (req) => receive(req));
