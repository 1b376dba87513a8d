/**
 * `wecom-webhook`: the WeCom contact-change callback (通讯录回调). GET answers the URL check with
 * the decrypted `echostr`; POST verifies, decrypts and enqueues which people and departments
 * changed for `push`, then answers 200. Never calls WeCom or RAM (WeCom waits 1 s for the URL
 * check, 5 s for events). A failed enqueue is answered only after WeCom's 5 s, so WeCom counts a
 * timeout and retries (it does not retry a 5xx).
 */
import { loadConfig } from '../lib/fc/config';
import { httpHandler } from '../lib/fc/handlers';
import { logger } from '../lib/fc/logger';
import { MAX_CALLBACK_BODY_BYTES, receiveWecomCallback } from '../lib/sources/wecom/webhook';
import { RecentEvents } from '../lib/sources/recentEvents';
import { wecomMsgCrypt } from '../lib/sources/wecom/webhookConfig';
import { invocationQueue } from '../lib/wiring/queue';
import { wecomWebhookFromEnv } from '../lib/wiring/webhooks';

const config = loadConfig(wecomWebhookFromEnv);

const queue = invocationQueue(config.queue);

const deps = {
  crypt: wecomMsgCrypt(config.webhook), corpId: config.webhook.corpId, maxAgeSeconds: config.webhook.maxAgeSeconds,
  queue, log: logger.child({ source: 'wecom' }), recent: new RecentEvents(),
};

export const handler = httpHandler('wecom-webhook', (req) => receiveWecomCallback(req, deps), { maxBodyBytes: MAX_CALLBACK_BODY_BYTES });
