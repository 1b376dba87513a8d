/**
 * Configuration at cold start. Call `loadConfig` at module scope, so it runs once per instance:
 * a bad setting then fails FC's initialization with a message naming the variables, and the
 * same names (never the values) are logged as one structured line.
 */
import { ConfigError } from '../core/errors';
import { type Logger, logger as defaultLogger } from './logger';

export interface LoadConfigOptions {
  logger?: Logger;
}

/**
 * @example
 * const config = loadConfig(parseRamConfig); // module scope
 */
export function loadConfig<T>(
  parse: (env: NodeJS.ProcessEnv) => T,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): T {
  const log = options.logger ?? defaultLogger;
  try {
    return parse(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error('invalid configuration', {
        problems: error.problems.map((p) => ({ variable: p.variable, problem: p.problem })),
      });
    } else {
      // Not ours: a parser bug or a library error whose message might quote a value, so only its name.
      log.error('configuration could not be read', { errorName: error instanceof Error ? error.name : typeof error });
    }
    throw error;
  }
}
