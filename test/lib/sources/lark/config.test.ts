import { parseLarkSourceConfig } from '../../../../functions/lib/sources/lark/config';
import { RecentEvents } from '../../../../functions/lib/sources/recentEvents';
import { refusedVariables } from '../../../support/configProblems';


describe('parseLarkSourceConfig', () => {
  it('is off (undefined) when neither the app id nor the secret is set, blank counting as unset', () => {
    expect(parseLarkSourceConfig({})).toBeUndefined();
    expect(parseLarkSourceConfig({ LARK_APP_ID: ' ', LARK_APP_SECRET: '' })).toBeUndefined();
  });

  it('defaults to Feishu and union_id, and accepts Lark international without a trailing slash', () => {
    expect(parseLarkSourceConfig({ LARK_APP_ID: 'cli_1', LARK_APP_SECRET: 's' }))
      .toEqual({ appId: 'cli_1', appSecret: 's', apiUrl: 'https://open.feishu.cn/open-apis', userIdType: 'union_id' });
    expect(parseLarkSourceConfig({ LARK_APP_ID: 'cli_1', LARK_APP_SECRET: 's', LARK_API_URL: 'https://open.larksuite.com/open-apis/' })?.apiUrl)
      .toBe('https://open.larksuite.com/open-apis');
  });

  it('wants both halves of the app credentials, a usable URL and a known id type', () => {
    expect(refusedVariables(() => parseLarkSourceConfig({ LARK_APP_ID: 'cli_1' }))).toEqual(['LARK_APP_SECRET']);
    expect(refusedVariables(() => parseLarkSourceConfig({ LARK_APP_SECRET: 's', LARK_API_URL: 'ftp://x', LARK_USER_ID_TYPE: 'mobile' })))
      .toEqual(['LARK_APP_ID', 'LARK_API_URL', 'LARK_USER_ID_TYPE']);
  });
});

describe('RecentEvents', () => {
  it('remembers ids up to its capacity, forgetting the first added first', () => {
    const recent = new RecentEvents(3);
    for (const id of ['a', 'b', 'c', 'a', 'd']) recent.add(id);
    expect(['a', 'b', 'c', 'd'].map((id) => recent.has(id))).toEqual([false, true, true, true]);
    expect(recent.size).toBe(3);
  });
});
