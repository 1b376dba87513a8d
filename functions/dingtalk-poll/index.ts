/**
 * `dingtalk-poll`: FC timer trigger (every 5 minutes). Reads DingTalk's list of pushes it could not
 * deliver to `dingtalk-webhook` (kept by DingTalk when our answer was missing or a 5xx) and queues
 * the people and departments they name for `push`. DingTalk deletes what it hands over; a page the
 * queue refused is logged with its change ids.
 */
import { loadConfig } from '../lib/fc/config';
import { eventHandler } from '../lib/fc/handlers';
import { logger } from '../lib/fc/logger';
import { DingtalkApi } from '../lib/sources/dingtalk/DingtalkApi';
import { enqueueFailedCallbacks } from '../lib/sources/dingtalk/failedCallbacks';
import { invocationQueue } from '../lib/wiring/queue';
import { dingtalkPollFromEnv } from '../lib/wiring/webhooks';

const config = loadConfig(dingtalkPollFromEnv);

const api = new DingtalkApi({ baseUrl: config.source.apiUrl, appKey: config.source.appKey, appSecret: config.source.appSecret });

const queue = invocationQueue(config.queue);

const log = logger.child({ source: 'dingtalk' });

export const handler = eventHandler('dingtalk-poll', async () => {
  const result = await enqueueFailedCallbacks({ api, queue, log });
  log.info('dingtalk failed callbacks read', { ...result });
  return result;
});
