/**
 * The DingTalk source's configuration (what `push` and `full-sync` need to read people).
 *
 * | variable              | default                     | meaning                                         |
 * |-----------------------|-----------------------------|-------------------------------------------------|
 * | `DINGTALK_APP_KEY`    | — (source off when unset)   | the internal app's AppKey (Client ID)           |
 * | `DINGTALK_APP_SECRET` | — (required with APP_KEY)   | its AppSecret (Client Secret)                   |
 * | `DINGTALK_API_URL`    | `https://oapi.dingtalk.com` | the API base (a fake or a proxy in tests)       |
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';

export const DEFAULT_DINGTALK_API_URL = 'https://oapi.dingtalk.com';

export interface DingtalkSourceConfig {
  appKey: string;
  appSecret: string;
  apiUrl: string;
}

/**
 * Undefined when neither `DINGTALK_APP_KEY` nor `DINGTALK_APP_SECRET` is set (the source is off);
 * ConfigError naming the variables when only one is, or the URL is malformed.
 *
 * @example
 * const config = parseDingtalkSourceConfig(process.env);
 * const source = config && createDingtalkSource(config);
 */
export function parseDingtalkSourceConfig(env: Env): DingtalkSourceConfig | undefined {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  if (!read.text('DINGTALK_APP_KEY') && !read.text('DINGTALK_APP_SECRET')) return undefined;
  const appKey = read.required('DINGTALK_APP_KEY', 'is required when DINGTALK_APP_SECRET is set');
  const appSecret = read.required('DINGTALK_APP_SECRET', 'is required to read people from DingTalk (DINGTALK_APP_KEY is set)');
  const apiUrl = read.url('DINGTALK_API_URL', DEFAULT_DINGTALK_API_URL);
  problems.throwIfAny();
  return { appKey: appKey!, appSecret: appSecret!, apiUrl };
}
