/**
 * The DingTalk source's configuration (what `push` and `full-sync` need to read people).
 *
 * | variable              | default                     | meaning                                         |
 * |-----------------------|-----------------------------|-------------------------------------------------|
 * | `DINGTALK_APP_KEY`    | — (source off when unset)   | the internal app's AppKey (Client ID)           |
 * | `DINGTALK_APP_SECRET` | — (required with APP_KEY)   | its AppSecret (Client Secret)                   |
 * | `DINGTALK_API_URL`    | `https://oapi.dingtalk.com` | the API base (a fake or a proxy in tests)       |
 */
import { ConfigError, type ConfigProblem } from '../../core/errors';

export const DEFAULT_DINGTALK_API_URL = 'https://oapi.dingtalk.com';

export interface DingtalkSourceConfig {
  appKey: string;
  appSecret: string;
  apiUrl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Undefined when neither `DINGTALK_APP_KEY` nor `DINGTALK_APP_SECRET` is set (the source is off);
 * ConfigError naming the variables when only one is, or the URL is malformed.
 *
 * @example
 * const config = parseDingtalkSourceConfig(process.env);
 * const source = config && createDingtalkSource(config);
 */
export function parseDingtalkSourceConfig(env: Env): DingtalkSourceConfig | undefined {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const appKey = value('DINGTALK_APP_KEY');
  const appSecret = value('DINGTALK_APP_SECRET');
  if (!appKey && !appSecret) return undefined;
  const problems: ConfigProblem[] = [];
  if (!appKey) problems.push({ variable: 'DINGTALK_APP_KEY', problem: 'is required when DINGTALK_APP_SECRET is set' });
  if (!appSecret) problems.push({ variable: 'DINGTALK_APP_SECRET', problem: 'is required to read people from DingTalk (DINGTALK_APP_KEY is set)' });
  const apiUrl = value('DINGTALK_API_URL') ?? DEFAULT_DINGTALK_API_URL;
  if (!isHttpUrl(apiUrl)) problems.push({ variable: 'DINGTALK_API_URL', problem: 'must be an http(s) URL' });
  if (problems.length > 0 || !appKey || !appSecret) throw new ConfigError(problems);
  return { appKey, appSecret, apiUrl: apiUrl.replace(/\/+$/, '') };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}
