/**
 * `lark-webhook`: Lark / Feishu contact events over HTTP. Verifies, decrypts, answers URL
 * verification, enqueues which people and departments changed for `push`, and acknowledges.
 * Never calls Lark or RAM (Lark wants an answer within 1-3 s); a failed enqueue answers 503 so
 * Lark delivers again.
 */
import { loadConfig } from '../lib/fc/config';
import { httpHandler } from '../lib/fc/handlers';
import { currentInvocation, roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { createFcQueue } from '../lib/queue/factory';
import { parseWebhookEnv } from '../lib/queue/webhookEnv';
import { parseLarkWebhookConfig } from '../lib/sources/lark/config';
import { createLarkWebhook } from '../lib/sources/lark/webhook';

const config = loadConfig((env) => parseWebhookEnv(env, parseLarkWebhookConfig));

const queue = createFcQueue(config.queue, {
  accountId: () => currentInvocation()?.accountId,
  region: () => currentInvocation()?.region,
  credentials: () => roleCredentials(),
});

const receive = createLarkWebhook(config.source, { queue, logger });

export const handler = httpHandler('lark-webhook', (req) => receive(req));
