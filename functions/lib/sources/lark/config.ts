/**
 * Lark configuration from environment variables, parsed once at cold start. Problems name the
 * variable, never its value.
 *
 * | variable                  | default                             | used by            |
 * |---------------------------|-------------------------------------|--------------------|
 * | `LARK_APP_ID`             | none (source off when both absent)  | source             |
 * | `LARK_APP_SECRET`         | none                                | source             |
 * | `LARK_API_URL`            | `https://open.feishu.cn/open-apis`  | source             |
 * | `LARK_USER_ID_TYPE`       | `union_id` (or `open_id`, `user_id`) | source and webhook |
 * | `LARK_VERIFICATION_TOKEN` | required                            | webhook            |
 * | `LARK_ENCRYPT_KEY`        | none (plaintext events)             | webhook            |
 * | `LARK_MAX_AGE_SECONDS`    | `300`                               | webhook            |
 */
import { ConfigError, type ConfigProblem } from '../../core/errors';
import { parseMaxAgeSeconds } from '../replayWindow';
import { DEFAULT_LARK_API_URL, DEFAULT_USER_ID_TYPE, LARK_USER_ID_TYPES, type LarkUserIdType } from './constants';

type Env = Readonly<Record<string, string | undefined>>;

export interface LarkWebhookConfig {
  verificationToken: string;
  /** Absent: Lark sends plaintext bodies and only the token authenticates them. */
  encryptKey?: string;
  maxAgeSeconds: number;
  userIdType: LarkUserIdType;
}

export interface LarkSourceConfig {
  appId: string;
  appSecret: string;
  /** Without a trailing slash, e.g. `https://open.larksuite.com/open-apis`. */
  apiUrl: string;
  userIdType: LarkUserIdType;
}

/** Blank counts as unset: deploy templates render unset values as ''. */
function read(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function userIdType(env: Env, problems: ConfigProblem[]): LarkUserIdType {
  const v = read(env, 'LARK_USER_ID_TYPE') ?? DEFAULT_USER_ID_TYPE;
  if ((LARK_USER_ID_TYPES as readonly string[]).includes(v)) return v as LarkUserIdType;
  problems.push({ variable: 'LARK_USER_ID_TYPE', problem: `must be one of ${LARK_USER_ID_TYPES.join(', ')}` });
  return DEFAULT_USER_ID_TYPE;
}

/**
 * The webhook's settings; `LARK_VERIFICATION_TOKEN` is required.
 *
 * @example
 * const config = loadConfig(parseLarkWebhookConfig); // module scope
 */
export function parseLarkWebhookConfig(env: Env): LarkWebhookConfig {
  const problems: ConfigProblem[] = [];
  const verificationToken = read(env, 'LARK_VERIFICATION_TOKEN');
  if (!verificationToken) problems.push({ variable: 'LARK_VERIFICATION_TOKEN', problem: 'is required by the Lark webhook' });
  const encryptKey = read(env, 'LARK_ENCRYPT_KEY');
  const maxAgeSeconds = parseMaxAgeSeconds(env, 'LARK_MAX_AGE_SECONDS', problems);
  const idType = userIdType(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { verificationToken: verificationToken!, ...(encryptKey && { encryptKey }), maxAgeSeconds, userIdType: idType };
}

/**
 * The source's settings, or undefined when neither `LARK_APP_ID` nor `LARK_APP_SECRET` is set
 * (the source is off). One without the other, or a malformed URL or id type, is a ConfigError.
 *
 * @example
 * const config = parseLarkSourceConfig(process.env);
 * const source = config && createLarkSource(config);
 */
export function parseLarkSourceConfig(env: Env): LarkSourceConfig | undefined {
  const appId = read(env, 'LARK_APP_ID');
  const appSecret = read(env, 'LARK_APP_SECRET');
  if (!appId && !appSecret) return undefined;
  const problems: ConfigProblem[] = [];
  if (!appId) problems.push({ variable: 'LARK_APP_ID', problem: 'is required when LARK_APP_SECRET is set' });
  if (!appSecret) problems.push({ variable: 'LARK_APP_SECRET', problem: 'is required when LARK_APP_ID is set' });
  const apiUrl = (read(env, 'LARK_API_URL') ?? DEFAULT_LARK_API_URL).replace(/\/+$/, '');
  if (!isHttpUrl(apiUrl)) problems.push({ variable: 'LARK_API_URL', problem: 'must be an http(s) URL, e.g. https://open.larksuite.com/open-apis' });
  const idType = userIdType(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { appId: appId!, appSecret: appSecret!, apiUrl, userIdType: idType };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash && !url.username;
  } catch {
    return false;
  }
}
