import { generateKeyPairSync } from 'node:crypto';
import { parseOktaSourceConfig } from '../../../../functions/lib/sources/okta/config';
import { refusedVariables } from '../../../support/configProblems';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ORG = 'https://acme.okta.com';

describe('parseOktaSourceConfig', () => {
  it('is off (undefined) when OKTA_ORG_URL is unset or blank, whatever else is set', () => {
    expect(parseOktaSourceConfig({})).toBeUndefined();
    expect(parseOktaSourceConfig({ OKTA_ORG_URL: ' ', OKTA_API_TOKEN: 't' })).toBeUndefined();
  });

  it('takes an API token, with groups as departments and a 120 s poll overlap by default', () => {
    expect(parseOktaSourceConfig({ OKTA_ORG_URL: `${ORG}/`, OKTA_API_TOKEN: '00abc' })).toEqual({
      orgUrl: ORG, auth: { kind: 'api-token', apiToken: '00abc' }, departments: 'groups', pollOverlapSeconds: 120,
    });
  });

  it('takes an OAuth service app with its PEM key (escaped newlines too), key id and the three read scopes', () => {
    const config = parseOktaSourceConfig({
      OKTA_ORG_URL: ORG, OKTA_CLIENT_ID: '0oa1', OKTA_PRIVATE_KEY: PEM.replace(/\n/g, '\\n'), OKTA_KEY_ID: 'kid-1',
      OKTA_DEPARTMENTS: 'both', OKTA_POLL_OVERLAP_SECONDS: '300',
    });
    expect(config).toEqual({
      orgUrl: ORG, departments: 'both', pollOverlapSeconds: 300,
      auth: { kind: 'oauth', clientId: '0oa1', privateKey: PEM.trim(), keyId: 'kid-1', scopes: ['okta.users.read', 'okta.groups.read', 'okta.logs.read'] },
    });
  });

  it('allows plain http only to a loopback fake', () => {
    expect(parseOktaSourceConfig({ OKTA_ORG_URL: 'http://127.0.0.1:8080', OKTA_API_TOKEN: 't' })?.orgUrl).toBe('http://127.0.0.1:8080');
    expect(refusedVariables(() => parseOktaSourceConfig({ OKTA_ORG_URL: 'http://acme.okta.com', OKTA_API_TOKEN: 't' }))).toEqual(['OKTA_ORG_URL']);
  });

  it('wants exactly one auth mode, naming both when both or neither are set', () => {
    expect(refusedVariables(() => parseOktaSourceConfig({ OKTA_ORG_URL: ORG })))
      .toEqual(['OKTA_CLIENT_ID or OKTA_API_TOKEN']);
    try {
      parseOktaSourceConfig({ OKTA_ORG_URL: ORG, OKTA_API_TOKEN: 'secret-token', OKTA_CLIENT_ID: '0oa1', OKTA_PRIVATE_KEY: PEM });
      throw new Error('accepted both');
    } catch (error) {
      expect(String(error)).toMatch(/OKTA_API_TOKEN.*OKTA_CLIENT_ID\/OKTA_PRIVATE_KEY/);
      expect(String(error)).not.toContain('secret-token');
    }
  });

  it('names every bad variable at once, never a value', () => {
    expect(refusedVariables(() => parseOktaSourceConfig({
      OKTA_ORG_URL: 'https://acme-admin.okta.com/app', OKTA_CLIENT_ID: '0oa1', OKTA_PRIVATE_KEY: 'not a key',
      OKTA_DEPARTMENTS: 'teams', OKTA_POLL_OVERLAP_SECONDS: '-1',
    }))).toEqual(['OKTA_ORG_URL', 'OKTA_ORG_URL', 'OKTA_PRIVATE_KEY', 'OKTA_DEPARTMENTS', 'OKTA_POLL_OVERLAP_SECONDS']);
    expect(refusedVariables(() => parseOktaSourceConfig({ OKTA_ORG_URL: ORG, OKTA_CLIENT_ID: '0oa1' }))).toEqual(['OKTA_PRIVATE_KEY']);
    expect(refusedVariables(() => parseOktaSourceConfig({ OKTA_ORG_URL: ORG, OKTA_PRIVATE_KEY: PEM }))).toEqual(['OKTA_CLIENT_ID']);
  });
});
