/**
 * The file source's one error type. Messages name the file, the entry (`line 7`, `people[3]`, with
 * its id masked) and the field, never the value: a directory export is full of emails and mobile numbers.
 */
import { ClassifiedError } from '../../core/errors';

/** How many problems the message lists; the rest are counted (all stay in `problems`). */
const LISTED_PROBLEMS = 20;

export interface FileSourceErrorInit {
  /** The directory file (or the variable naming it) the problem is about. */
  file?: string;
  /** One line per problem, each already free of values: `line 7 (id #4309bc56): field email is not an email address`. */
  problems?: readonly string[];
  /** Whether reading again may succeed (a transient I/O failure), as opposed to a file to fix. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * A directory file that cannot be read or does not hold a valid directory.
 *
 * @example
 * // directory.csv: line 7 (id #4309bc56): field email is not an email address
 */
export class FileSourceError extends ClassifiedError {
  readonly file?: string;
  readonly problems: readonly string[];
  readonly retryable: boolean;

  constructor(summary: string, init: FileSourceErrorInit = {}) {
    const reason = composeMessage(summary, init);
    const recommendedAction = init.retryable ? undefined : `correct ${init.file ?? 'DIRECTORY_FILE'} as listed and sync again`;
    super({ code: 'InvalidDirectoryFile', reason, recommendedAction, cause: init.cause });
    this.file = init.file;
    this.problems = init.problems ?? [];
    this.retryable = init.retryable ?? false;
  }
}

function composeMessage(summary: string, { file, problems = [] }: FileSourceErrorInit): string {
  const head = file ? `${file}: ${summary}` : summary;
  if (problems.length === 0) return head;
  const listed = problems.slice(0, LISTED_PROBLEMS).map((p) => `\n  ${p}`).join('');
  const more = problems.length > LISTED_PROBLEMS ? `\n  … and ${problems.length - LISTED_PROBLEMS} more` : '';
  return `${head}${listed}${more}`;
}

/**
 * Collects every problem in a file before failing, so one run shows the operator all bad rows
 * rather than one per attempt.
 */
export class ProblemList {
  private readonly items: string[] = [];

  add(at: string, problem: string): void {
    this.items.push(`${at}: ${problem}`);
  }

  get size(): number {
    return this.items.length;
  }

  /** Throws a FileSourceError listing everything collected, if anything was. */
  throwIfAny(file: string): void {
    if (this.items.length === 0) return;
    const count = this.items.length === 1 ? '1 problem' : `${this.items.length} problems`;
    throw new FileSourceError(`is not a valid directory (${count}):`, { file, problems: this.items });
  }
}
