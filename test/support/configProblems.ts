import { ConfigError } from '../../functions/lib/core/errors';

/** The variables a parser refused, in order; fails the test when it refused nothing. */
export function refusedVariables(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigError');
}
