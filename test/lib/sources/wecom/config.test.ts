import { ConfigError } from '../../../../functions/lib/core/errors';
import { DEFAULT_WECOM_API_URL, parseWecomSourceConfig, parseWecomWebhookConfig } from '../../../../functions/lib/sources/wecom/config';
import { parseWecomWebhookEnv } from '../../../../functions/lib/sources/wecom/webhookConfig';
import { KEYS, webhookEnv } from './oracle';

const problemsOf = (parse: () => unknown): string[] => {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
};

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
    expect(problemsOf(() => parseWecomSourceConfig({ WECOM_CORP_ID: 'ww123' }))).toEqual(['WECOM_SECRET']);
    expect(problemsOf(() => parseWecomSourceConfig({ WECOM_SECRET: 'topsecret', WECOM_API_URL: 'ftp://x' }))).toEqual(['WECOM_CORP_ID', 'WECOM_API_URL']);
    expect(() => parseWecomSourceConfig({ WECOM_CORP_ID: 'not a corp', WECOM_SECRET: 'topsecret' })).toThrow(expect.objectContaining({
      message: expect.not.stringMatching(/topsecret|not a corp/),
    }));
  });
});

describe('parseWecomWebhookConfig and parseWecomWebhookEnv', () => {
  it('reads the callback keys, and the replay window (300 s unless WEBHOOK_MAX_AGE_SECONDS says otherwise)', () => {
    expect(parseWecomWebhookConfig(webhookEnv())).toEqual({ ...KEYS, maxAgeSeconds: 300 });
    expect(parseWecomWebhookConfig({ ...webhookEnv(), WEBHOOK_MAX_AGE_SECONDS: '120' }).maxAgeSeconds).toBe(120);
    expect(problemsOf(() => parseWecomWebhookConfig({ ...webhookEnv(), WEBHOOK_MAX_AGE_SECONDS: '-5' }))).toEqual(['WEBHOOK_MAX_AGE_SECONDS']);
  });

  it('requires a 43-character EncodingAESKey and a token of letters and digits', () => {
    expect(problemsOf(() => parseWecomWebhookConfig({}))).toEqual(['WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_AES_KEY']);
    expect(problemsOf(() => parseWecomWebhookConfig({ ...webhookEnv(), WECOM_AES_KEY: `${KEYS.aesKey}=` }))).toEqual(['WECOM_AES_KEY']);
    expect(problemsOf(() => parseWecomWebhookConfig({ ...webhookEnv(), WECOM_TOKEN: 'a'.repeat(33) }))).toEqual(['WECOM_TOKEN']);
  });

  it('takes the FC queue with it, and refuses the local SQLite queue', () => {
    expect(parseWecomWebhookEnv({ ...webhookEnv(), PUSH_FUNCTION_NAME: 'push-2' }).queue).toEqual({ kind: 'fc3', functionName: 'push-2' });
    expect(problemsOf(() => parseWecomWebhookEnv({ QUEUE_KIND: 'sqlite' }))).toEqual(['WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_AES_KEY', 'QUEUE_KIND']);
  });
});
