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
