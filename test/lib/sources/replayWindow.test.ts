import { envReader } from '../../../functions/lib/core/config';
import { ConfigError, ConfigProblems } from '../../../functions/lib/core/errors';
import { DEFAULT_MAX_AGE_SECONDS, readMaxAgeSeconds, withinReplayWindow } from '../../../functions/lib/sources/replayWindow';

describe('the replay window', () => {
  const now = Date.parse('2026-11-28T08:00:00Z');
  const seconds = (offset: number) => String(now / 1000 + offset);
  const millis = (offset: number) => String(now + offset * 1000);

  it('accepts seconds (WeCom, Lark) and milliseconds (DingTalk) within the window, either way', () => {
    for (const stamp of [seconds(0), seconds(-300), seconds(300), millis(-299), millis(300)]) {
      expect(withinReplayWindow(stamp, 300, now)).toBe(true);
    }
  });

  it('refuses older, newer and malformed timestamps', () => {
    for (const stamp of [seconds(-301), seconds(301), millis(-301), millis(3600), '0', '', '-1', '1.7e9', ' 1764316800', '17643168000000']) {
      expect(withinReplayWindow(stamp, 300, now)).toBe(false);
    }
  });

  it('reads the window from its variable: 1 to 86400 whole seconds, the default when unset or blank', () => {
    const parse = (value: string | undefined) => {
      const problems = new ConfigProblems();
      const seconds = readMaxAgeSeconds(envReader({ WEBHOOK_MAX_AGE_SECONDS: value }, problems), 'WEBHOOK_MAX_AGE_SECONDS');
      try {
        problems.throwIfAny();
        return { seconds, problems: [] };
      } catch (error) {
        return { seconds, problems: (error as ConfigError).problems };
      }
    };
    expect(parse(undefined)).toEqual({ seconds: DEFAULT_MAX_AGE_SECONDS, problems: [] });
    expect(parse(' ')).toEqual({ seconds: 300, problems: [] });
    expect(parse('60')).toEqual({ seconds: 60, problems: [] });
    for (const bad of ['0', '86401', '5m', '-1', '1e3', '300.5']) {
      expect(parse(bad).problems).toEqual([{ variable: 'WEBHOOK_MAX_AGE_SECONDS', problem: 'must be a whole number of seconds from 1 to 86400' }]);
    }
  });
});
