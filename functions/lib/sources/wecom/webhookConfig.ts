/**
 * The `wecom-webhook` function's configuration, parsed once at cold start; every variable is
 * required (the function exists only for WeCom). Problems name the variable, never its value.
 *
 * | variable                  | default  | meaning                                             |
 * |---------------------------|----------|-----------------------------------------------------|
 * | `WECOM_CORP_ID`           | required | the CorpID callbacks are encrypted for (ReceiveId)  |
 * | `WECOM_TOKEN`             | required | the callback Token (letters and digits, ≤ 32)       |
 * | `WECOM_AES_KEY`           | required | the callback EncodingAESKey (43 characters)         |
 * | `WEBHOOK_MAX_AGE_SECONDS` | 300      | how far an event's signed timestamp may be from now |
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { MsgCrypt } from '../msgcrypt';
import { readMaxAgeSeconds } from '../replayWindow';
import { CORP_ID, CORP_ID_SHAPE } from './config';

/** What the callback (wecom-webhook) needs to verify and decrypt events. */
export interface WecomWebhookConfig {
  corpId: string;
  token: string;
  aesKey: string;
  maxAgeSeconds: number;
}

const TOKEN = /^[A-Za-z0-9]{1,32}$/;
const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

/**
 * @example
 * const config = loadConfig(parseWecomWebhookConfig);
 */
export function parseWecomWebhookConfig(env: Env): WecomWebhookConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const required = (name: string, pattern: RegExp, shape: string) =>
    read.required(name, 'is required to verify WeCom callbacks') && read.matching(name, pattern, shape);
  const corpId = required('WECOM_CORP_ID', CORP_ID, CORP_ID_SHAPE);
  const token = required('WECOM_TOKEN', TOKEN, 'must be 1 to 32 letters and digits, as in the callback settings');
  const aesKey = required('WECOM_AES_KEY', AES_KEY, 'must be the 43-character EncodingAESKey (letters, digits, + and /)');
  const maxAgeSeconds = readMaxAgeSeconds(read, 'WEBHOOK_MAX_AGE_SECONDS');
  problems.throwIfAny();
  return { corpId: corpId!, token: token!, aesKey: aesKey!, maxAgeSeconds };
}

/** The crypto for a parsed config; the keys were validated already, so this does not throw. */
export function wecomMsgCrypt(config: WecomWebhookConfig): MsgCrypt {
  return new MsgCrypt({ token: config.token, aesKey: config.aesKey, receiveId: config.corpId });
}
