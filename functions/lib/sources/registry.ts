/**
 * The sources this deployment reads, from the environment: a source whose variables are absent is
 * simply off. Each source adds itself here as it lands (DingTalk, Lark, WeCom, AD).
 */
import { ConfigError, type ConfigProblem } from '../core/errors';
import type { Source } from '../core/ports';
import { createFileSource, parseFileSourceConfig } from './file';

/** The variables that turn each source on, for the "no source configured" message. */
export const SOURCE_SWITCHES = { file: 'DIRECTORY_FILE' } as const;

export function enabledSources(env: NodeJS.ProcessEnv): Source[] {
  const problems: ConfigProblem[] = [];
  const sources: Source[] = [];
  try {
    const file = parseFileSourceConfig(env);
    if (file) sources.push(createFileSource(file.path));
  } catch (error) {
    problems.push({ variable: 'DIRECTORY_FILE', problem: (error as Error).message.replace(/^DIRECTORY_FILE=\S*\s*/, '') });
  }
  if (problems.length) throw new ConfigError(problems);
  return sources;
}

/** Like enabledSources, but a deployment with none at all is a configuration error. */
export function requireSources(env: NodeJS.ProcessEnv): Source[] {
  const sources = enabledSources(env);
  if (sources.length === 0) {
    throw new ConfigError([{ variable: Object.values(SOURCE_SWITCHES).join(' or '), problem: 'is required: no directory source is configured' }]);
  }
  return sources;
}
