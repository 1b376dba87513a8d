/**
 * The WeCom source's configuration (what `push` and `full-sync` need to read people), parsed once
 * at cold start. Problems name the variable, never its value. The webhook's is in webhookConfig.ts.
 *
 * | variable        | default                               | meaning                                        |
 * |-----------------|---------------------------------------|------------------------------------------------|
 * | `WECOM_CORP_ID` | none (source off when both absent)    | the company's CorpID (我的企业 → 企业ID)        |
 * | `WECOM_SECRET`  | required with WECOM_CORP_ID           | the 通讯录同步 (contact sync) secret            |
 * | `WECOM_API_URL` | `https://qyapi.weixin.qq.com/cgi-bin` | the API base (a local fake in tests)           |
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';

export const DEFAULT_WECOM_API_URL = 'https://qyapi.weixin.qq.com/cgi-bin';

/** What the source (push, full-sync) needs to read the directory. */
export interface WecomSourceConfig {
  corpId: string;
  secret: string;
  /** Without a trailing slash, e.g. `https://qyapi.weixin.qq.com/cgi-bin`. */
  apiUrl: string;
}

// CorpIDs look like `ww…`/`wx…` plus hex; be lenient on shape but refuse spaces and punctuation.
export const CORP_ID = /^[A-Za-z0-9]{1,64}$/;
export const CORP_ID_SHAPE = 'must be a CorpID (letters and digits)';

/**
 * The source's settings, or undefined when neither `WECOM_CORP_ID` nor `WECOM_SECRET` is set
 * (the source is off). One without the other is a ConfigError.
 *
 * @example
 * const config = parseWecomSourceConfig(process.env);
 * const source = config && createWecomSource(config);
 */
export function parseWecomSourceConfig(env: Env): WecomSourceConfig | undefined {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  if (!read.text('WECOM_CORP_ID') && !read.text('WECOM_SECRET')) return undefined;
  const why = 'to read people from WeCom';
  const corpId = read.required('WECOM_CORP_ID', `is required ${why}`) && read.matching('WECOM_CORP_ID', CORP_ID, CORP_ID_SHAPE);
  // The secret's shape is WeCom's business; only its presence is ours to check.
  const secret = read.required('WECOM_SECRET', `is required ${why} (the contact sync secret)`);
  const apiUrl = read.url('WECOM_API_URL', DEFAULT_WECOM_API_URL);
  problems.throwIfAny();
  return { corpId: corpId!, secret: secret!, apiUrl };
}
