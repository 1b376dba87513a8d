/**
 * `dingtalk-webhook`: DingTalk's HTTP push (event subscription URL). Verifies and decrypts the
 * callback, answers `check_url`, enqueues the people and departments a contact event names for
 * `push`, and acknowledges with the encrypted `success`. Never calls DingTalk or RAM. A failed
 * enqueue answers 503: DingTalk keeps the push on its failed list, which `dingtalk-poll` reads.
 */
import { loadConfig } from '../lib/fc/config';
import { httpHandler } from '../lib/fc/handlers';
import { logger } from '../lib/fc/logger';
import { receiveDingtalkCallback } from '../lib/sources/dingtalk/webhook';
import { RecentEvents } from '../lib/sources/recentEvents';
import { invocationQueue } from '../lib/wiring/queue';
import { dingtalkWebhookFromEnv } from '../lib/wiring/webhooks';

const config = loadConfig(dingtalkWebhookFromEnv);

const queue = invocationQueue(config.queue);

const deps = { ...config.webhook, queue, log: logger.child({ source: 'dingtalk' }), recent: new RecentEvents() };

// A contact event is a few hundred bytes; 256 KiB leaves room for bulk id lists and refuses floods early.
export const handler = httpHandler('dingtalk-webhook', (req) => receiveDingtalkCallback(req, deps), { maxBodyBytes: 256 * 1024 });
