/**
 * What each webhook function (and `dingtalk-poll`, which feeds the same queue) is configured with:
 * its vendor's keys and the FC queue, every bad variable of both reported at once. The handler
 * then builds the queue with `invocationQueue(config.queue)`.
 *
 * @example
 * const config = loadConfig(wecomWebhookFromEnv);  // module scope: { webhook, queue }
 */
import type { Env } from '../core/config';
import { ConfigError } from '../core/errors';
import type { FcQueueConfig } from '../queue/config';
import { type DingtalkSourceConfig, parseDingtalkSourceConfig } from '../sources/dingtalk/config';
import { type DingtalkWebhookConfig, parseDingtalkWebhookConfig } from '../sources/dingtalk/webhookConfig';
import { type EntraWebhookConfig, parseEntraWebhookConfig } from '../sources/entra/webhookConfig';
import { type LarkWebhookConfig, parseLarkWebhookConfig } from '../sources/lark/webhookConfig';
import { type OktaWebhookConfig, parseOktaWebhookConfig } from '../sources/okta/webhookConfig';
import { type WecomWebhookConfig, parseWecomWebhookConfig } from '../sources/wecom/webhookConfig';
import { withFcQueue } from './queue';

export interface WebhookEnvironment<T> {
  webhook: T;
  queue: FcQueueConfig;
}

function webhookFromEnv<T>(env: Env, parse: (env: Env) => T): WebhookEnvironment<T> {
  const { source: webhook, queue } = withFcQueue(env, parse, 'a webhook');
  return { webhook, queue };
}

export const dingtalkWebhookFromEnv = (env: Env): WebhookEnvironment<DingtalkWebhookConfig> => webhookFromEnv(env, parseDingtalkWebhookConfig);
export const entraWebhookFromEnv = (env: Env): WebhookEnvironment<EntraWebhookConfig> => webhookFromEnv(env, parseEntraWebhookConfig);
export const larkWebhookFromEnv = (env: Env): WebhookEnvironment<LarkWebhookConfig> => webhookFromEnv(env, parseLarkWebhookConfig);
export const oktaWebhookFromEnv = (env: Env): WebhookEnvironment<OktaWebhookConfig> => webhookFromEnv(env, parseOktaWebhookConfig);
export const wecomWebhookFromEnv = (env: Env): WebhookEnvironment<WecomWebhookConfig> => webhookFromEnv(env, parseWecomWebhookConfig);

/** `dingtalk-poll`: the app's credentials (as `push` reads DingTalk) and the FC queue. */
export function dingtalkPollFromEnv(env: Env): { source: DingtalkSourceConfig; queue: FcQueueConfig } {
  return withFcQueue(env, (e) => {
    const source = parseDingtalkSourceConfig(e);
    if (!source) {
      throw new ConfigError([{ variable: 'DINGTALK_APP_KEY', problem: 'is required (with DINGTALK_APP_SECRET): dingtalk-poll reads the failed-callback list as the app' }]);
    }
    return source;
  }, 'a webhook');
}
