/**
 * The `dingtalk-webhook` function's configuration, parsed once at cold start.
 *
 * | variable            | default | meaning                                                                  |
 * |---------------------|---------|--------------------------------------------------------------------------|
 * | `DINGTALK_TOKEN`    | —       | the callback token set in the developer console (signature key)         |
 * | `DINGTALK_AES_KEY`  | —       | the 43-character 数据加密密钥 (EncodingAESKey)                          |
 * | `DINGTALK_APP_KEY`  | —       | the app's AppKey: the owner of console-subscribed events                 |
 * | `DINGTALK_CORP_ID`  | —       | the CorpId: the owner of events registered with `register_call_back`     |
 * | `WEBHOOK_MAX_AGE_SECONDS` | 300 | how far an event's signed timestamp may be from now (replayWindow.ts)  |
 *
 * At least one of `DINGTALK_APP_KEY` and `DINGTALK_CORP_ID` is required; events owned by either are accepted.
 * The queue's variables (`QUEUE_KIND`, `PUSH_FUNCTION_NAME`, …) are read by `parseQueueConfig`.
 */
import { ConfigError, type ConfigProblem } from '../../core/errors';
import type { FcQueueConfig } from '../../queue/config';
import { parseWebhookEnv } from '../../queue/webhookEnv';
import { MsgCrypt, MsgCryptConfigError } from '../msgcrypt';
import { parseMaxAgeSeconds } from '../replayWindow';

export interface DingtalkWebhookConfig {
  crypt: MsgCrypt;
  /** Owner ids a callback may carry: AppKey and/or CorpId. */
  receiveIds: string[];
  maxAgeSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Throws ConfigError naming every missing or malformed variable, never a value. */
export function parseDingtalkWebhookConfig(env: Env): DingtalkWebhookConfig {
  const problems: ConfigProblem[] = [];
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const token = value('DINGTALK_TOKEN');
  const aesKey = value('DINGTALK_AES_KEY');
  const receiveIds = [value('DINGTALK_APP_KEY'), value('DINGTALK_CORP_ID')].filter((v): v is string => v !== undefined);
  if (!token) problems.push({ variable: 'DINGTALK_TOKEN', problem: 'is required: the callback token from the developer console' });
  if (!aesKey) problems.push({ variable: 'DINGTALK_AES_KEY', problem: 'is required: the 43-character aes_key from the developer console' });
  if (receiveIds.length === 0) {
    problems.push({ variable: 'DINGTALK_APP_KEY', problem: 'is required (or DINGTALK_CORP_ID): the owner id callbacks are encrypted for' });
  }
  const maxAgeSeconds = parseMaxAgeSeconds(env, 'WEBHOOK_MAX_AGE_SECONDS', problems);
  let crypt: MsgCrypt | undefined;
  if (token && aesKey) {
    try {
      // Built even without an owner id, so a malformed key is reported in the same start-up error.
      crypt = new MsgCrypt({ token, aesKey, receiveId: receiveIds[0] ?? '' });
    } catch (error) {
      if (!(error instanceof MsgCryptConfigError)) throw error;
      const variable = error.field === 'aesKey' ? 'DINGTALK_AES_KEY' : 'DINGTALK_TOKEN';
      problems.push({ variable, problem: error.field === 'aesKey' ? 'must be 43 base64 characters' : 'must not be empty' });
    }
  }
  if (problems.length > 0 || !crypt || receiveIds.length === 0) throw new ConfigError(problems);
  return { crypt, receiveIds, maxAgeSeconds };
}

/** The webhook's keys and its queue, every bad variable reported at once. */
export function parseDingtalkWebhookEnv(env: Env): { webhook: DingtalkWebhookConfig; queue: FcQueueConfig } {
  const { source: webhook, queue } = parseWebhookEnv(env, parseDingtalkWebhookConfig);
  return { webhook, queue };
}
