/**
 * How the CLIs end on an error: a usage error (a bad flag) prints the usage; a classified error
 * (core/errors.ts) prints its reason and what to do about it; anything else its message. Usage text
 * after an OAuth failure only buries the one line that says what is wrong.
 */
import { isClassified } from '../../functions/lib/core/errors';

/** The command line itself is wrong: the one error the usage text helps with. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Prints `error` to stderr for `command` and returns the exit code: 2 for a usage error, else 1.
 *
 * @example
 * main().catch((error) => process.exit(reportCliError('sync', error, USAGE)));
 * // sync: RAM's OAuth token endpoint refused the client credentials
 * // fix: check RAM_OAUTH_CLIENT_ID and RAM_OAUTH_CLIENT_SECRET
 */
export function reportCliError(command: string, error: unknown, usage?: string): number {
  const lines = describeCliError(command, error, usage);
  process.stderr.write(`${lines.join('\n')}\n`);
  return error instanceof UsageError ? 2 : 1;
}

export function describeCliError(command: string, error: unknown, usage?: string): string[] {
  if (error instanceof UsageError) return [`${command}: ${error.message}`, ...(usage ? [usage] : [])];
  if (classified(error)) {
    // ConfigError's own fix speaks to a deployment; here the variables are this shell's.
    const fix = error.code === 'ConfigError' ? 'set or correct the named variables, then run this again' : error.recommendedAction;
    return [`${command}: ${error.reason}`, ...(fix ? [`fix: ${fix}`] : [])];
  }
  return [`${command}: ${error instanceof Error ? error.message : String(error)}`];
}

/** By shape as well: an error from a function bundle is its own copy of ClassifiedError, not ours. */
function classified(error: unknown): error is { code: string; reason: string; recommendedAction?: string } {
  if (isClassified(error)) return true;
  const e = error as { code?: unknown; reason?: unknown } | null;
  return error instanceof Error && typeof e?.code === 'string' && typeof e.reason === 'string';
}
