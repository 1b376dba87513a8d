import { DEFAULT_WECOM_API_URL, parseWecomSourceConfig } from '../../../../functions/lib/sources/wecom/config';
import { refusedVariables } from '../../../support/configProblems';


describe('parseWecomSourceConfig', () => {
  it('is off (undefined) when neither WECOM_CORP_ID nor WECOM_SECRET is set, blank counting as unset', () => {
    expect(parseWecomSourceConfig({})).toBeUndefined();
    expect(parseWecomSourceConfig({ WECOM_CORP_ID: ' ', WECOM_SECRET: '', WECOM_TOKEN: 't' })).toBeUndefined();
  });

  it('reads the CorpID and secret, with the real API base by default', () => {
    expect(parseWecomSourceConfig({ WECOM_CORP_ID: 'ww123', WECOM_SECRET: 's3cret' }))
      .toEqual({ corpId: 'ww123', secret: 's3cret', apiUrl: DEFAULT_WECOM_API_URL });
    expect(parseWecomSourceConfig({ WECOM_CORP_ID: 'ww123', WECOM_SECRET: 's', WECOM_API_URL: 'http://127.0.0.1:9/cgi-bin/' })?.apiUrl)
      .toBe('http://127.0.0.1:9/cgi-bin');
  });

  it('names each missing or malformed variable, never a value', () => {
    expect(refusedVariables(() => parseWecomSourceConfig({ WECOM_CORP_ID: 'ww123' }))).toEqual(['WECOM_SECRET']);
    expect(refusedVariables(() => parseWecomSourceConfig({ WECOM_SECRET: 'topsecret', WECOM_API_URL: 'ftp://x' }))).toEqual(['WECOM_CORP_ID', 'WECOM_API_URL']);
    expect(() => parseWecomSourceConfig({ WECOM_CORP_ID: 'not a corp', WECOM_SECRET: 'topsecret' })).toThrow(expect.objectContaining({
      message: expect.not.stringMatching(/topsecret|not a corp/),
    }));
  });
});
