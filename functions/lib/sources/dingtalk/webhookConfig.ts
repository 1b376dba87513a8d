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
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { MsgCrypt, MsgCryptConfigError } from '../msgcrypt';
import { readMaxAgeSeconds } from '../replayWindow';

export interface DingtalkWebhookConfig {
  crypt: MsgCrypt;
  /** Owner ids a callback may carry: AppKey and/or CorpId. */
  receiveIds: string[];
  maxAgeSeconds: number;
}

/** Throws ConfigError naming every missing or malformed variable, never a value. */
export function parseDingtalkWebhookConfig(env: Env): DingtalkWebhookConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const token = read.required('DINGTALK_TOKEN', 'is required: the callback token from the developer console');
  const aesKey = read.required('DINGTALK_AES_KEY', 'is required: the 43-character aes_key from the developer console');
  const receiveIds = [read.text('DINGTALK_APP_KEY'), read.text('DINGTALK_CORP_ID')].filter((v): v is string => v !== undefined);
  if (receiveIds.length === 0) {
    problems.add({ variable: 'DINGTALK_APP_KEY', problem: 'is required (or DINGTALK_CORP_ID): the owner id callbacks are encrypted for' });
  }
  const maxAgeSeconds = readMaxAgeSeconds(read, 'WEBHOOK_MAX_AGE_SECONDS');
  let crypt: MsgCrypt | undefined;
  if (token && aesKey) {
    try {
      // Built even without an owner id, so a malformed key is reported in the same start-up error.
      crypt = new MsgCrypt({ token, aesKey, receiveId: receiveIds[0] ?? '' });
    } catch (error) {
      if (!(error instanceof MsgCryptConfigError)) throw error;
      const variable = error.field === 'aesKey' ? 'DINGTALK_AES_KEY' : 'DINGTALK_TOKEN';
      problems.add({ variable, problem: error.field === 'aesKey' ? 'must be 43 base64 characters' : 'must not be empty' });
    }
  }
  problems.throwIfAny();
  return { crypt: crypt!, receiveIds, maxAgeSeconds };
}
