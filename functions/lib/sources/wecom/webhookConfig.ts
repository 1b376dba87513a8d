/**
 * Everything the `wecom-webhook` function needs, from its environment at cold start: the callback
 * keys (WECOM_CORP_ID, WECOM_TOKEN, WECOM_AES_KEY) and the FC queue it publishes to. Every bad
 * variable is reported at once.
 */
import type { FcQueueConfig } from '../../queue/config';
import { parseWebhookEnv } from '../../queue/webhookEnv';
import { MsgCrypt } from '../msgcrypt';
import { type WecomWebhookConfig, parseWecomWebhookConfig } from './config';

export interface WecomWebhookEnv {
  webhook: WecomWebhookConfig;
  queue: FcQueueConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

/** @throws ConfigError naming every missing or malformed variable, never a value */
export function parseWecomWebhookEnv(env: Env): WecomWebhookEnv {
  const { source: webhook, queue } = parseWebhookEnv(env, parseWecomWebhookConfig);
  return { webhook, queue };
}

/** The crypto for a parsed config; the keys were validated already, so this does not throw. */
export function wecomMsgCrypt(config: WecomWebhookConfig): MsgCrypt {
  return new MsgCrypt({ token: config.token, aesKey: config.aesKey, receiveId: config.corpId });
}
