/**
 * The sources this deployment reads, from the environment: a source whose variables are absent is
 * simply off. Every entrance that reads people (push, full-sync, ad-poll's resync, the local
 * stack and the CLI) builds them here.
 */
import { ConfigError, type ConfigProblem } from '../core/errors';
import type { Source } from '../core/ports';
import type { Env } from '../core/config';
import { createDingtalkSource, parseDingtalkSourceConfig } from '../sources/dingtalk';
import { FileSourceError, createFileSource, parseFileSourceConfig } from '../sources/file';
import { createLarkSource, parseLarkSourceConfig } from '../sources/lark';
import { createWecomSource, parseWecomSourceConfig } from '../sources/wecom';

/** The variables that turn each source on, for the "no source configured" message. */
export const SOURCE_SWITCHES = { file: 'DIRECTORY_FILE', dingtalk: 'DINGTALK_APP_KEY', lark: 'LARK_APP_ID', wecom: 'WECOM_CORP_ID', ad: 'AD_URL' } as const;

export function enabledSources(env: Env): Source[] {
  const problems: ConfigProblem[] = [];
  const sources: Source[] = [];
  const add = (build: () => Source | undefined) => {
    try {
      const source = build();
      if (source) sources.push(source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  };
  add(() => {
    try {
      const file = parseFileSourceConfig(env);
      return file && createFileSource(file.path);
    } catch (error) {
      if (!(error instanceof FileSourceError)) throw error;
      throw new ConfigError([{ variable: 'DIRECTORY_FILE', problem: error.message.replace(/^DIRECTORY_FILE=\S*\s*/, '') }]);
    }
  });
  add(() => {
    const dingtalk = parseDingtalkSourceConfig(env);
    return dingtalk && createDingtalkSource(dingtalk);
  });
  add(() => {
    const lark = parseLarkSourceConfig(env);
    return lark && createLarkSource(lark);
  });
  add(() => {
    const wecom = parseWecomSourceConfig(env);
    return wecom && createWecomSource(wecom);
  });
  add(() => {
    if (!env.AD_URL?.trim()) return undefined;
    // Loaded only when AD is on: ldapts would otherwise add to every push and full-sync cold start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createAdSource, parseAdSourceConfig } = require('../sources/ad') as typeof import('../sources/ad');
    const ad = parseAdSourceConfig(env);
    return ad && createAdSource(ad);
  });
  if (problems.length) throw new ConfigError(problems);
  return sources;
}

/** Like enabledSources, but a deployment with none at all is a configuration error. */
export function requireSources(env: Env): Source[] {
  const sources = enabledSources(env);
  if (sources.length === 0) {
    throw new ConfigError([{ variable: Object.values(SOURCE_SWITCHES).join(' or '), problem: 'is required: no directory source is configured' }]);
  }
  return sources;
}
