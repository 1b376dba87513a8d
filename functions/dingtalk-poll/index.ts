/**
 * `dingtalk-poll`: FC timer trigger (every 5 minutes). Reads DingTalk's list of pushes it could not
 * deliver to `dingtalk-webhook` (kept by DingTalk when our answer was missing or a 5xx) and queues
 * the people and departments they name for `push`. DingTalk deletes what it hands over; a page the
 * queue refused is logged with its change ids.
 */
import { loadConfig } from '../lib/fc/config';
import { eventHandler } from '../lib/fc/handlers';
import { currentInvocation, roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { createFcQueue } from '../lib/queue/factory';
import { DingtalkApi } from '../lib/sources/dingtalk/DingtalkApi';
import { enqueueFailedCallbacks, parseDingtalkPollEnv } from '../lib/sources/dingtalk/failedCallbacks';

const config = loadConfig(parseDingtalkPollEnv);

const api = new DingtalkApi({ baseUrl: config.source.apiUrl, appKey: config.source.appKey, appSecret: config.source.appSecret });

const queue = createFcQueue(config.queue, {
  accountId: () => currentInvocation()?.accountId,
  region: () => currentInvocation()?.region,
  credentials: () => roleCredentials(),
});

const log = logger.child({ source: 'dingtalk' });

export const handler = eventHandler('dingtalk-poll', async () => {
  const result = await enqueueFailedCallbacks({ api, queue, log });
  log.info('dingtalk failed callbacks read', { ...result });
  return result;
});
