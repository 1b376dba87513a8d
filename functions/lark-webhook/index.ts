/**
 * `lark-webhook`: Lark / Feishu contact events over HTTP. Verifies, decrypts, answers URL
 * verification, enqueues which people and departments changed for `push`, and acknowledges.
 * Never calls Lark or RAM (Lark wants an answer within 1-3 s); a failed enqueue answers 503 so
 * Lark delivers again.
 */
import { ConfigError, type ConfigProblem } from '../lib/core/errors';
import { loadConfig } from '../lib/fc/config';
import { httpHandler } from '../lib/fc/handlers';
import { currentInvocation, roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { parseQueueConfig } from '../lib/queue/config';
import { createFcQueue } from '../lib/queue/factory';
import { parseLarkWebhookConfig } from '../lib/sources/lark/config';
import { createLarkWebhook } from '../lib/sources/lark/webhook';

const config = loadConfig((env) => {
  // Both parsed before failing, so one cold start names every bad variable.
  const problems: ConfigProblem[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const lark = attempt(() => parseLarkWebhookConfig(env));
  const queue = attempt(() => parseQueueConfig(env));
  if (queue?.kind === 'sqlite') {
    problems.push({ variable: 'QUEUE_KIND', problem: 'must be fc3 or fc2 for a webhook (sqlite is the local stack\'s own queue)' });
  }
  if (problems.length > 0 || !lark || !queue || queue.kind === 'sqlite') throw new ConfigError(problems);
  return { lark, queue };
});

const queue = createFcQueue(config.queue, {
  accountId: () => currentInvocation()?.accountId,
  region: () => currentInvocation()?.region,
  credentials: () => roleCredentials(),
});

const receive = createLarkWebhook(config.lark, { queue, logger });

export const handler = httpHandler('lark-webhook', (req) => receive(req));
