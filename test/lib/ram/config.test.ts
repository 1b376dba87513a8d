import { ConfigError, parseRamConfig } from '../../../functions/lib/ram/config';

const minimal = { RAM_OAUTH_CLIENT_ID: 'app-id', RAM_OAUTH_CLIENT_SECRET: 'app-secret-value' };

describe('parseRamConfig', () => {
  it('fills RAM defaults around the two required settings', () => {
    expect(parseRamConfig(minimal)).toEqual({
      scimUrl: 'https://scim.aliyun.com',
      tokenUrl: 'https://oauth.aliyun.com/v1/token',
      clientId: 'app-id',
      clientSecret: 'app-secret-value',
      grant: 'client_credentials',
      openApiEndpoint: 'ram.aliyuncs.com',
      rateLimit: 20, concurrency: 8, timeoutMs: 10_000, maxAttempts: 5,
    });
  });

  it('accepts http endpoints, numbers and credentials from the standard variables', () => {
    const config = parseRamConfig({
      ...minimal,
      RAM_SCIM_URL: 'http://127.0.0.1:9100', RAM_OAUTH_TOKEN_URL: 'http://127.0.0.1:9100/v1/token',
      RAM_OPENAPI_ENDPOINT: 'http://127.0.0.1:9100', RAM_OAUTH_GRANT: 'refresh_token',
      RAM_RATE_LIMIT: '5', RAM_CONCURRENCY: '2', RAM_TIMEOUT_MS: '300', RAM_MAX_ATTEMPTS: '9',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk', ALIBABA_CLOUD_SECURITY_TOKEN: 'sts',
    });
    expect(config).toMatchObject({
      scimUrl: 'http://127.0.0.1:9100', openApiEndpoint: 'http://127.0.0.1:9100', grant: 'refresh_token',
      rateLimit: 5, concurrency: 2, timeoutMs: 300, maxAttempts: 9,
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk', securityToken: 'sts' },
    });
  });

  it('names every missing or malformed variable at once', () => {
    const error = (() => {
      try {
        parseRamConfig({ RAM_SCIM_URL: 'ftp://x', RAM_RATE_LIMIT: 'fast', RAM_OAUTH_GRANT: 'password', RAM_CONCURRENCY: '0' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['RAM_OAUTH_CLIENT_ID', 'RAM_OAUTH_CLIENT_SECRET', 'RAM_SCIM_URL', 'RAM_RATE_LIMIT', 'RAM_OAUTH_GRANT', 'RAM_CONCURRENCY']) {
      expect(error.message).toContain(name);
    }
  });

  it('treats empty variables as unset', () => {
    expect(() => parseRamConfig({ ...minimal, RAM_OAUTH_CLIENT_SECRET: '  ' })).toThrow(/RAM_OAUTH_CLIENT_SECRET is required/);
    expect(parseRamConfig({ ...minimal, RAM_SCIM_URL: '' }).scimUrl).toBe('https://scim.aliyun.com');
  });

  it('never echoes a secret value', () => {
    const secret = 'sup3r-secret-value';
    const error = (() => {
      try {
        parseRamConfig({ ...minimal, RAM_OAUTH_CLIENT_SECRET: secret, ALIBABA_CLOUD_ACCESS_KEY_ID: secret, RAM_TIMEOUT_MS: secret });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    expect(error?.message).not.toContain(secret);
  });
});
