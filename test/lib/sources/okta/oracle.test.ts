/**
 * Okta's own SDK (@okta/okta-sdk-nodejs, a devDependency only) as the oracle: it lists users and
 * System Log events through the fake's Link headers, gets a token from the fake's token endpoint
 * with its private_key_jwt assertion and waits out the fake's 429 by X-Rate-Limit-Reset, which
 * shows the fake answers as Okta does for the real client. Our assertion carries the same claims
 * as the SDK's. (The SDK takes a plain-http loopback org URL without complaint.)
 */
import { Client } from '@okta/okta-sdk-nodejs';
import { parseOktaSourceConfig } from '../../../../functions/lib/sources/okta/config';
import { OktaApi } from '../../../../functions/lib/sources/okta/OktaApi';
import { type OktaApiFake, oktaUser, startOktaApi } from '../../../support/oktaApi';

const decode = (jwt: string) => {
  const [header, claims] = jwt.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  return { header: header!, claims: claims! };
};

describe('the fake Okta, as the Okta SDK sees it', () => {
  let okta: OktaApiFake;
  beforeEach(async () => {
    okta = await startOktaApi({ users: Array.from({ length: 5 }, (_, i) => oktaUser(i + 1)), keyId: 'kid-1' });
  });
  afterEach(() => okta.close());

  const sdkUsers = async (client: Client) => {
    const ids: string[] = [];
    const collection = await client.userApi.listUsers({ limit: 2 });
    for await (const user of collection) if (user) ids.push(user.id!);
    return ids;
  };

  it('pages users by the Link header for an SSWS client', async () => {
    const client = new Client({ orgUrl: okta.url, token: okta.apiToken });
    expect(await sdkUsers(client)).toEqual(okta.users.map((u) => u.id));
    expect(okta.calls['GET /api/v1/users']).toBe(3);
  });

  it('gets a token with its private_key_jwt assertion, which the fake verifies; ours carries the same claims', async () => {
    const client = new Client({
      orgUrl: okta.url, authorizationMode: 'PrivateKey', clientId: okta.clientId, keyId: 'kid-1',
      scopes: ['okta.users.read', 'okta.groups.read', 'okta.logs.read'], privateKey: okta.privateKeyPem,
    });
    expect(await sdkUsers(client)).toHaveLength(5);
    expect(okta.refusedAssertions).toEqual([]);
    const config = parseOktaSourceConfig({ OKTA_ORG_URL: okta.url, OKTA_CLIENT_ID: okta.clientId, OKTA_PRIVATE_KEY: okta.privateKeyPem!, OKTA_KEY_ID: 'kid-1' })!;
    await new OktaApi(config).getUser(okta.users[0]!.id);
    expect(okta.refusedAssertions).toEqual([]);
    const [sdk, ours] = okta.assertions.map(decode);
    expect(Object.keys(ours!.claims).sort()).toEqual(Object.keys(sdk!.claims).sort());
    for (const claim of ['iss', 'sub', 'aud']) expect(ours!.claims[claim]).toBe(sdk!.claims[claim]);
    expect({ alg: ours!.header.alg, kid: ours!.header.kid }).toEqual({ alg: sdk!.header.alg, kid: sdk!.header.kid });
    expect(Number(ours!.claims.exp) - Number(ours!.claims.iat)).toBeLessThanOrEqual(3600);
  });

  it('reads the System Log\'s polling request and waits out a 429 by X-Rate-Limit-Reset and Date', async () => {
    okta.deleteUser(okta.users[0]!.id);
    const client = new Client({ orgUrl: okta.url, token: okta.apiToken });
    okta.rateLimitNext(1, { resetSeconds: 1 });
    const events: string[] = [];
    const collection = await client.systemLogApi.listLogEvents({ since: new Date(Date.now() - 60_000).toISOString(), sortOrder: 'ASCENDING', filter: 'eventType eq "user.lifecycle.deactivate"' });
    // A polling request never ends (its next link is always there): read what is there now.
    for await (const event of collection) {
      if (!event) break;
      events.push(event.eventType!);
      if (events.length === 1) break;
    }
    expect(events).toEqual(['user.lifecycle.deactivate']);
    expect(okta.requests.filter((r) => r.startsWith('GET /api/v1/logs'))).toHaveLength(2); // the 429, then the page
  }, 15_000);
});
