/** One bad setting: the variable's name and what is wrong, never its value. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** A configuration value is missing or malformed. Thrown at cold start; the message names every variable. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const unique = [...new Map(problems.map((p) => [`${p.variable}\u0000${p.problem}`, p])).values()];
    super(`invalid configuration: ${unique.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
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
