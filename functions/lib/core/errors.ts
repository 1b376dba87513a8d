/**
 * The one error contract. Every adapter's failure is a `ClassifiedError`: it says whether a retry
 * can help (`retryable`: throttling, 5xx, timeouts), a stable `code`, why it failed in plain words
 * (`reason`: no token, secret, email or mobile) and what an operator should do (`recommendedAction`).
 * push, the queue consumer and the provisioning log decide retry or final by it and nothing else;
 * anything else thrown is our own bug.
 *
 * @example
 * class LarkApiError extends ClassifiedError { readonly retryable: boolean; … }
 * if (isClassified(error) && !error.retryable) listAsFailed(error.code, error.reason, error.recommendedAction);
 */
export interface ClassifiedInit {
  code: string;
  reason: string;
  recommendedAction?: string;
  /** The message; default the reason. */
  message?: string;
  cause?: unknown;
}

export abstract class ClassifiedError extends Error {
  abstract readonly retryable: boolean;
  readonly code: string;
  readonly reason: string;
  readonly recommendedAction?: string;

  constructor(init: ClassifiedInit) {
    super(init.message ?? init.reason, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.reason = init.reason;
    this.recommendedAction = init.recommendedAction;
  }
}

export function isClassified(error: unknown): error is ClassifiedError {
  return error instanceof ClassifiedError;
}

/** A final failure whose class says nothing more (a refused step, a bad request). */
export class FinalError extends ClassifiedError {
  readonly retryable = false;
}

/** A failure a retry may fix, whose class says nothing more. */
export class RetryableError extends ClassifiedError {
  readonly retryable = true;
}

/** One bad setting: the variable's name and what is wrong, never its value. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** A configuration value is missing or malformed. Thrown at cold start; the message names every variable. */
export class ConfigError extends ClassifiedError {
  readonly retryable = false;
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const unique = [...new Map(problems.map((p) => [`${p.variable}\u0000${p.problem}`, p])).values()];
    const reason = `invalid configuration: ${unique.map((p) => `${p.variable} ${p.problem}`).join('; ')}`;
    super({ code: 'ConfigError', reason, recommendedAction: 'correct the named variables and deploy again' });
    this.problems = unique;
  }
}

/**
 * Runs several parsers and reports every problem at once: one cold start names every bad variable.
 *
 * @example
 * const problems = new ConfigProblems();
 * const ram = problems.attempt(() => parseRamConfig(env));
 * const queue = problems.attempt(() => parseQueueConfig(env));
 * problems.throwIfAny();               // ConfigError with both parsers' problems
 */
export class ConfigProblems {
  private readonly found: ConfigProblem[] = [];

  /** The parser's result, or undefined when it threw a ConfigError (kept); other errors propagate. */
  attempt<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.found.push(...error.problems);
      return undefined;
    }
  }

  add(problem: ConfigProblem): void {
    this.found.push(problem);
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new ConfigError(this.found);
  }
}

/**
 * A source answered in a way that may only mean "you may not see this": a person or department
 * outside the app's contact scope (Lark 41050 / 40004), a vendor's "no permission". It is not proof
 * that they left, so it never deprovisions anyone by itself: only a signed deletion event for that
 * very person, a full listing or an operator's release does. Final: retrying cannot widen a scope.
 */
export class NotVisibleError extends ClassifiedError {
  readonly retryable = false;
  declare readonly recommendedAction: string;

  constructor(init: { kind: 'user' | 'department'; sourceId: string; code: string; reason: string; recommendedAction: string }) {
    super({
      code: init.code,
      reason: `${init.kind} ${init.sourceId} is not visible: ${init.reason}; not proof that they left, so nobody was deprovisioned`,
      recommendedAction: init.recommendedAction,
      message: `${init.kind} ${init.sourceId} is not visible to us: ${init.reason}`,
    });
  }
}

/** The operator's command that re-links a source's RAM users to its configured kind of id. */
export const migrateCommand = (source: string) => `npm run sync -- --migrate-ids ${source}`;

/**
 * A source is configured with another kind of person id than it was first synced with (Lark's
 * LARK_USER_ID_TYPE): every person would look new and every RAM user gone. Stops before planning.
 */
export class IdentifierTypeChangedError extends ClassifiedError {
  readonly retryable = false;
  declare readonly recommendedAction: string;

  constructor(
    readonly source: string, readonly recorded: { type: string; since: string; migratingTo?: string }, readonly configured: string,
    variable?: string,
  ) {
    const setting = variable ? `${variable}=${configured}` : `ids of type ${configured}`;
    const command = `\`${migrateCommand(source)}\``;
    const reason = recorded.migratingTo
      ? `${source}'s migration from ${recorded.type} to ${recorded.migratingTo} is half done (some RAM users are linked by each): ` +
        'nothing was planned'
      : `${source} is configured with ${setting}, but its people were first synced by ${recorded.type} ` +
        `(since ${recorded.since}): every person would look new and every RAM user gone, so nothing was planned`;
    const recommendedAction = recorded.migratingTo
      ? `finish it: with ${variable ?? 'the id type'}=${recorded.migratingTo} run ${command} again (or, with ${recorded.type}, ` +
        'the same command takes everyone back)'
      : `set ${variable ?? 'the id type'} back to ${recorded.type}; to move to ${configured}, run ${command}, ` +
        'which re-links every RAM user to the new id (README, "Changing the id type")';
    super({ code: 'IdentifierTypeChanged', reason, recommendedAction, message: `${reason}. ${recommendedAction}` });
  }
}
