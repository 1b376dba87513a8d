/**
 * Which sources an environment turns on, as the deploy plan asks it: the same parsers that build
 * them at cold start decide, and a half-configured source is on with its problems.
 */
import { configuredSources, enabledSources } from '../../../functions/lib/wiring/sources';

describe('configuredSources', () => {
  it('lists none for an empty environment', () => {
    expect(configuredSources({})).toEqual([]);
  });

  it('lists each source whose variables are set, in a fixed order, without building it', () => {
    const env = {
      WECOM_CORP_ID: 'ww0123', WECOM_SECRET: 's', DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's',
      AD_URL: 'ldaps://dc.corp.example', AD_BIND_DN: 'CN=sync', AD_BIND_PASSWORD: 'p', AD_BASE_DN: 'DC=corp',
    };
    expect(configuredSources(env)).toEqual([
      { name: 'dingtalk', problems: [] }, { name: 'wecom', problems: [] }, { name: 'ad', problems: [] },
    ]);
    expect(enabledSources(env).map((s) => s.name)).toEqual(['dingtalk', 'wecom', 'ad']);
  });

  it('counts a half-configured source as on, with what would stop it at cold start', () => {
    expect(configuredSources({ LARK_APP_ID: 'cli_1', AD_URL: 'ldaps://dc' })).toEqual([
      { name: 'lark', problems: [expect.objectContaining({ variable: 'LARK_APP_SECRET' })] },
      { name: 'ad', problems: expect.arrayContaining([expect.objectContaining({ variable: 'AD_BIND_DN' })]) },
    ]);
  });

  it('treats blank values as absent, as the parsers do', () => {
    expect(configuredSources({ DINGTALK_APP_KEY: '', AD_URL: '  ' })).toEqual([]);
  });
});
