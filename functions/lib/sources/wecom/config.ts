/**
 * WeCom settings from environment variables, parsed once at cold start. Problems name the
 * variable, never its value.
 *
 * | variable        | default                              | used by        | meaning                                           |
 * |-----------------|--------------------------------------|----------------|---------------------------------------------------|
 * | `WECOM_CORP_ID` | required                             | webhook, source| the company's CorpID (我的企业 → 企业ID)          |
 * | `WECOM_SECRET`  | required for the source              | source         | the 通讯录同步 (contact sync) secret             |
 * | `WECOM_TOKEN`   | required for the webhook             | webhook        | the callback Token (letters and digits, ≤ 32)     |
 * | `WECOM_AES_KEY` | required for the webhook             | webhook        | the callback EncodingAESKey (43 characters)       |
 * | `WECOM_API_URL` | `https://qyapi.weixin.qq.com/cgi-bin`| source         | the API base (a local fake in tests)              |
 * | `WEBHOOK_MAX_AGE_SECONDS` | 300                        | webhook        | how far an event's signed timestamp may be from now |
 */
import { ConfigError, type ConfigProblem } from '../../core/errors';
import { parseMaxAgeSeconds } from '../replayWindow';

export const DEFAULT_WECOM_API_URL = 'https://qyapi.weixin.qq.com/cgi-bin';

/** What the source (push, full-sync) needs to read the directory. */
export interface WecomSourceConfig {
  corpId: string;
  secret: string;
  /** Without a trailing slash, e.g. `https://qyapi.weixin.qq.com/cgi-bin`. */
  apiUrl: string;
}

/** What the callback (wecom-webhook) needs to verify and decrypt events. */
export interface WecomWebhookConfig {
  corpId: string;
  token: string;
  aesKey: string;
  maxAgeSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

// CorpIDs look like `ww…`/`wx…` plus hex; be lenient on shape but refuse spaces and punctuation.
const CORP_ID = /^[A-Za-z0-9]{1,64}$/;
const TOKEN = /^[A-Za-z0-9]{1,32}$/;
const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

function reader(env: Env, problems: ConfigProblem[]) {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const required = (name: string, pattern: RegExp, shape: string, why: string): string => {
    const v = value(name);
    if (v === undefined) problems.push({ variable: name, problem: `is required ${why}` });
    else if (!pattern.test(v)) problems.push({ variable: name, problem: `must be ${shape}` });
    return v ?? '';
  };
  return { value, required };
}

/**
 * The source's settings, or undefined when neither `WECOM_CORP_ID` nor `WECOM_SECRET` is set
 * (the source is off). One without the other is a ConfigError.
 *
 * @example
 * const config = parseWecomSourceConfig(process.env);
 * const source = config && createWecomSource(config);
 */
export function parseWecomSourceConfig(env: Env): WecomSourceConfig | undefined {
  const problems: ConfigProblem[] = [];
  const { value, required } = reader(env, problems);
  if (value('WECOM_CORP_ID') === undefined && value('WECOM_SECRET') === undefined) return undefined;
  const why = 'to read people from WeCom';
  const corpId = required('WECOM_CORP_ID', CORP_ID, 'a CorpID (letters and digits)', why);
  // The secret's shape is WeCom's business; only its presence is ours to check.
  const secret = required('WECOM_SECRET', /\S/, 'non-empty', `${why} (the contact sync secret)`);
  const apiUrl = parseApiUrl(value('WECOM_API_URL'), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { corpId, secret, apiUrl };
}

/**
 * The webhook's settings; every variable is required (the function exists only for WeCom).
 *
 * @example
 * const config = loadConfig(parseWecomWebhookConfig);
 */
export function parseWecomWebhookConfig(env: Env): WecomWebhookConfig {
  const problems: ConfigProblem[] = [];
  const { required } = reader(env, problems);
  const why = 'to verify WeCom callbacks';
  const corpId = required('WECOM_CORP_ID', CORP_ID, 'a CorpID (letters and digits)', why);
  const token = required('WECOM_TOKEN', TOKEN, '1 to 32 letters and digits, as in the callback settings', why);
  const aesKey = required('WECOM_AES_KEY', AES_KEY, 'the 43-character EncodingAESKey (letters, digits, + and /)', why);
  const maxAgeSeconds = parseMaxAgeSeconds(env, 'WEBHOOK_MAX_AGE_SECONDS', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { corpId, token, aesKey, maxAgeSeconds };
}

function parseApiUrl(raw: string | undefined, problems: ConfigProblem[]): string {
  if (raw === undefined) return DEFAULT_WECOM_API_URL;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  problems.push({ variable: 'WECOM_API_URL', problem: 'must be an http:// or https:// URL' });
  return DEFAULT_WECOM_API_URL;
}
