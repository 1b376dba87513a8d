/**
 * Everything the `wecom-webhook` function needs, from its environment at cold start: the callback
 * keys (WECOM_CORP_ID, WECOM_TOKEN, WECOM_AES_KEY) and the FC queue it publishes to. Every bad
 * variable is reported at once.
 */
import { ConfigError, type ConfigProblem } from '../../core/errors';
import { type FcQueueConfig, parseQueueConfig } from '../../queue/config';
import { MsgCrypt } from '../msgcrypt';
import { type WecomWebhookConfig, parseWecomWebhookConfig } from './config';

export interface WecomWebhookEnv {
  webhook: WecomWebhookConfig;
  queue: FcQueueConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

/** @throws ConfigError naming every missing or malformed variable, never a value */
export function parseWecomWebhookEnv(env: Env): WecomWebhookEnv {
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
  const webhook = attempt(() => parseWecomWebhookConfig(env));
  const queue = attempt(() => parseQueueConfig(env));
  if (queue?.kind === 'sqlite') {
    problems.push({ variable: 'QUEUE_KIND', problem: "must be fc3 or fc2 for a webhook (the local stack serves FC's invoke API)" });
  }
  if (problems.length > 0 || !webhook || !queue || queue.kind === 'sqlite') throw new ConfigError(problems);
  return { webhook, queue };
}

/** The crypto for a parsed config; the keys were validated already, so this does not throw. */
export function wecomMsgCrypt(config: WecomWebhookConfig): MsgCrypt {
  return new MsgCrypt({ token: config.token, aesKey: config.aesKey, receiveId: config.corpId });
}
