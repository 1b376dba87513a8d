/**
 * The Lark source's configuration (what `push` and `full-sync` need to read people), parsed once at
 * cold start. Problems name the variable, never its value. The webhook's is in webhookConfig.ts.
 *
 * | variable            | default                              | meaning                              |
 * |---------------------|--------------------------------------|--------------------------------------|
 * | `LARK_APP_ID`       | none (source off when both absent)   | the custom app's App ID              |
 * | `LARK_APP_SECRET`   | none                                 | its App Secret                       |
 * | `LARK_API_URL`      | `https://open.feishu.cn/open-apis`   | the API base (Lark international, a fake) |
 * | `LARK_USER_ID_TYPE` | `union_id` (or `open_id`, `user_id`) | the person id synced (webhook too)   |
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { DEFAULT_LARK_API_URL, DEFAULT_USER_ID_TYPE, LARK_USER_ID_TYPES, type LarkUserIdType } from './constants';

export interface LarkSourceConfig {
  appId: string;
  appSecret: string;
  /** Without a trailing slash, e.g. `https://open.larksuite.com/open-apis`. */
  apiUrl: string;
  userIdType: LarkUserIdType;
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
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  if (!read.text('LARK_APP_ID') && !read.text('LARK_APP_SECRET')) return undefined;
  const appId = read.required('LARK_APP_ID', 'is required when LARK_APP_SECRET is set');
  const appSecret = read.required('LARK_APP_SECRET', 'is required when LARK_APP_ID is set');
  const apiUrl = read.url('LARK_API_URL', DEFAULT_LARK_API_URL);
  const userIdType = read.oneOf('LARK_USER_ID_TYPE', LARK_USER_ID_TYPES, DEFAULT_USER_ID_TYPE);
  problems.throwIfAny();
  return { appId: appId!, appSecret: appSecret!, apiUrl, userIdType };
}
