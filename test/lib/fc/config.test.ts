import { ConfigError } from '../../../functions/lib/core/errors';
import { loadConfig } from '../../../functions/lib/fc/config';
import { parseRamConfig } from '../../../functions/lib/ram/config';
import { captureLogger } from './logSink';

describe('loadConfig', () => {
  it('returns what the parser makes of the environment and logs nothing', () => {
    const { log, lines } = captureLogger();
    const config = loadConfig(parseRamConfig, { RAM_OAUTH_CLIENT_ID: 'app-1', RAM_OAUTH_CLIENT_SECRET: 'value-1' }, { logger: log });
    expect(config.clientId).toBe('app-1');
    expect(lines).toEqual([]);
  });

  it('logs a ConfigError naming every bad variable, never a value, and rethrows it', () => {
    const { log, lines, text } = captureLogger();
    const env = { RAM_OAUTH_CLIENT_SECRET: 'hunter2-secret-value', RAM_SCIM_URL: 'ftp://not-http.example', RAM_RATE_LIMIT: '-3' };
    let thrown: unknown;
    try {
      loadConfig(parseRamConfig, env, { logger: log });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const variables = (thrown as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['RAM_OAUTH_CLIENT_ID', 'RAM_RATE_LIMIT', 'RAM_SCIM_URL']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'invalid configuration' });
    expect(lines[0]!.problems.map((p: { variable: string }) => p.variable).sort()).toEqual(variables);
    for (const value of ['hunter2-secret-value', 'ftp://not-http.example', '-3']) {
      expect(text[0]).not.toContain(value);
      expect((thrown as Error).message).not.toContain(value);
    }
  });

  it('logs only the name of an error that is not a ConfigError, since its message may quote a value', () => {
    const { log, lines, text } = captureLogger();
    const parse = (env: NodeJS.ProcessEnv) => JSON.parse(env.RULES_JSON ?? '') as unknown;
    expect(() => loadConfig(parse, { RULES_JSON: '{secret-ish' }, { logger: log })).toThrow(SyntaxError);
    expect(lines[0]).toMatchObject({ msg: 'configuration could not be read', errorName: 'SyntaxError' });
    expect(text[0]).not.toContain('secret-ish');
  });
});
