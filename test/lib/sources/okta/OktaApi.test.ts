import { generateKeyPairSync } from 'node:crypto';
import { parseOktaSourceConfig } from '../../../../functions/lib/sources/okta/config';
import { OktaApiError } from '../../../../functions/lib/sources/okta/errors';
import { OktaApi, type OktaApiOptions } from '../../../../functions/lib/sources/okta/OktaApi';
import { LOG_FILTER } from '../../../../functions/lib/sources/okta/OktaPoller';
import { type OktaApiFake, oktaGroupId, oktaUser, startOktaApi } from '../../../support/oktaApi';

const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const x of it) out.push(x); return out; };

describe('OktaApi', () => {
  let okta: OktaApiFake;
  let slept: number[];
  beforeEach(async () => {
    okta = await startOktaApi({
      users: Array.from({ length: 7 }, (_, i) => oktaUser(i + 1)),
      groups: [{ group: { id: oktaGroupId(1), name: 'Engineering' }, members: [] }],
    });
    for (const user of okta.users.slice(0, 3)) okta.members.get(oktaGroupId(1))!.add(user.id);
    slept = [];
  });
  afterEach(() => okta.close());

  const sleep = async (ms: number) => { slept.push(ms); };
  const tokenApi = (options: OktaApiOptions = {}, env: Record<string, string> = {}) => new OktaApi(
    parseOktaSourceConfig({ OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken, ...env })!,
    { pageSize: 3, ...options, retry: { sleep, ...options.retry } },
  );
  const oauthApi = (options: OktaApiOptions = {}, env: Record<string, string> = {}) => new OktaApi(
    parseOktaSourceConfig({ OKTA_ORG_URL: okta.url, OKTA_CLIENT_ID: okta.clientId, OKTA_PRIVATE_KEY: okta.privateKeyPem!, ...env })!,
    { pageSize: 3, ...options, retry: { sleep, ...options.retry } },
  );

  describe.each([['an API token (SSWS)', tokenApi], ['an OAuth service app (private_key_jwt)', oauthApi]])('with %s', (_name, api) => {
    it('lists every user by following the Link header, DEPROVISIONED users left out as Okta does', async () => {
      okta.users[6]!.status = 'DEPROVISIONED';
      const users = await all(api().users());
      expect(users.map((u) => u.id)).toEqual(okta.users.slice(0, 6).map((u) => u.id));
      expect(okta.calls['GET /api/v1/users']).toBe(2); // 3 + 3, no empty third page: the second has no next link
      expect(okta.requests.filter((r) => r.startsWith('GET /api/v1/users?'))[1]).toMatch(/after=/);
    });

    it('reads a user by id, and answers undefined once Okta says 404 E0000007', async () => {
      const client = api();
      expect((await client.getUser(okta.users[0]!.id))?.profile.login).toBe('user1@corp.example');
      okta.deleteUser(okta.users[0]!.id);
      expect((await client.getUser(okta.users[0]!.id))?.status).toBe('DEPROVISIONED');
      okta.deleteUser(okta.users[0]!.id);
      expect(await client.getUser(okta.users.length ? 'gone' : '')).toBeUndefined();
      expect(await client.userGroups('00unobody')).toBeUndefined();
      expect(await client.getGroup('00gnothing')).toBeUndefined();
    });

    it('reads groups, their members and a user\'s groups', async () => {
      const client = api();
      expect((await all(client.groups())).map((g) => g.profile.name)).toEqual(['Engineering']);
      expect((await all(client.groupMembers(oktaGroupId(1)))).length).toBe(3);
      expect((await client.userGroups(okta.users[0]!.id))?.map((g) => g.id)).toEqual([oktaGroupId(1)]);
    });
  });

  it('sends the API token as `Authorization: SSWS …` and asks for no access token', async () => {
    await tokenApi().getUser(okta.users[0]!.id);
    expect(okta.calls['POST /oauth2/v1/token']).toBeUndefined();
  });

  it('gets one access token by private_key_jwt for the three read scopes and reuses it; a revoked one is replaced once', async () => {
    const client = oauthApi();
    await Promise.all([client.getUser(okta.users[0]!.id), client.getUser(okta.users[1]!.id), all(client.groups())]);
    expect(okta.tokensIssued).toBe(1);
    okta.revokeTokens();
    expect((await client.getUser(okta.users[2]!.id))?.id).toBe(okta.users[2]!.id);
    expect(okta.tokensIssued).toBe(2);
    expect(okta.refusedAssertions).toEqual([]);
  });

  it('signs each token request afresh, so a retried request does not reuse a jti Okta has seen', async () => {
    const client = oauthApi();
    okta.failNext(1, 502);
    await client.getUser(okta.users[0]!.id);
    expect(okta.tokensIssued).toBe(1);
    expect(okta.refusedAssertions).toEqual([]);
  });

  it('follows next links only on the org host', async () => {
    okta.foreignNextLinks = true;
    const error = await all(tokenApi().users()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OktaApiError);
    expect(error).toMatchObject({ code: 'InvalidAnswer', retryable: false, recommendedAction: expect.stringMatching(/OKTA_ORG_URL/) });
    expect(okta.requests.some((r) => r.includes('evil'))).toBe(false);
  });

  it('filters users by lastUpdated (DEPROVISIONED included), as okta-poll asks', async () => {
    okta.setNow(Date.UTC(2026, 5, 1));
    okta.updateUser(okta.users[1]!.id, { profile: { title: 'Lead' } });
    okta.updateUser(okta.users[2]!.id, { status: 'DEPROVISIONED' });
    const changed = await all(tokenApi().users({ filter: 'lastUpdated gt "2026-05-31T00:00:00.000Z"' }));
    expect(changed.map((u) => [u.id, u.status])).toEqual([[okta.users[1]!.id, 'ACTIVE'], [okta.users[2]!.id, 'DEPROVISIONED']]);
  });

  describe('rate limits (X-Rate-Limit-*)', () => {
    it('waits out a 429 until X-Rate-Limit-Reset, then goes on', async () => {
      okta.rateLimitNext(2, { resetSeconds: 30 });
      expect((await tokenApi().getUser(okta.users[0]!.id))?.id).toBe(okta.users[0]!.id);
      expect(slept).toHaveLength(2);
      for (const ms of slept) expect(ms).toBeGreaterThanOrEqual(29_000);
      for (const ms of slept) expect(ms).toBeLessThanOrEqual(31_500);
    });

    it('prefers Retry-After when one is sent', async () => {
      okta.rateLimitNext(1, { resetSeconds: 7, retryAfter: true });
      await tokenApi().getUser(okta.users[0]!.id);
      expect(slept).toEqual([7_000]);
    });

    it('pauses before the next call when X-Rate-Limit-Remaining reaches 0, and not otherwise', async () => {
      const client = tokenApi();
      okta.exhaustNext(1, 20);
      await client.getUser(okta.users[0]!.id);
      expect(slept).toEqual([]);
      await client.getUser(okta.users[1]!.id);
      expect(slept).toHaveLength(1);
      expect(slept[0]).toBeGreaterThan(18_000);
      await client.getUser(okta.users[2]!.id);
      expect(slept).toHaveLength(1);
    });

    it('gives up after the policy\'s attempts with a retryable error', async () => {
      okta.rateLimitNext(10, { resetSeconds: 1 });
      await expect(tokenApi().getUser(okta.users[0]!.id)).rejects.toMatchObject({ code: 'Okta E0000047', retryable: true });
      expect(slept).toHaveLength(5);
    });
  });

  describe('set-up mistakes name what fixes them, never a secret', () => {
    it('a wrong API token (401 E0000011) names OKTA_API_TOKEN', async () => {
      const error = await tokenApi({}, { OKTA_API_TOKEN: '00wrong-token-value' }).getUser(okta.users[0]!.id).catch((e: unknown) => e) as OktaApiError;
      expect(error).toMatchObject({ code: 'Okta E0000011', retryable: false, recommendedAction: expect.stringMatching(/OKTA_API_TOKEN.*Security → API → Tokens/) });
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain('00wrong-token-value');
    });

    it('a key the app does not hold (invalid_client) names OKTA_CLIENT_ID, OKTA_PRIVATE_KEY and OKTA_KEY_ID', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const error = await oauthApi({}, { OKTA_PRIVATE_KEY: other }).getUser(okta.users[0]!.id).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'Okta invalid_client', retryable: false, recommendedAction: expect.stringMatching(/OKTA_CLIENT_ID.*OKTA_PRIVATE_KEY.*OKTA_KEY_ID/) });
      expect(okta.refusedAssertions).toEqual(['signature']);
      await expect(oauthApi({}, { OKTA_CLIENT_ID: '0oaother' }).getUser(okta.users[0]!.id)).rejects.toMatchObject({ code: 'Okta invalid_client' });
    });

    it('a scope not granted to the app is refused at the token endpoint, naming the scopes to grant', async () => {
      okta.grantedScopes.delete('okta.logs.read');
      await expect(oauthApi().getUser(okta.users[0]!.id)).rejects.toMatchObject({
        code: 'Okta invalid_scope', retryable: false, recommendedAction: expect.stringMatching(/okta\.logs\.read.*Okta API Scopes → Grant/),
      });
    });

    it.each([['an API token', 'OKTA_API_TOKEN.*Read-only Administrator'], ['a service app', 'grant okta\\.logs\\.read.*Admin roles.*Read-only Administrator']])(
      'a call the role does not cover (403 E0000006) with %s names the scope and the role to give', async (mode, fix) => {
        okta.deniedScopes.add('okta.logs.read');
        const client = mode === 'an API token' ? tokenApi() : oauthApi();
        await expect(client.logPage({ since: new Date(), filter: LOG_FILTER })).rejects.toMatchObject({
          code: 'Okta E0000006', retryable: false, recommendedAction: expect.stringMatching(new RegExp(fix)),
        });
        expect((await client.getUser(okta.users[0]!.id))?.id).toBe(okta.users[0]!.id);
      },
    );

    it('a server failure is retried, then reported as retryable', async () => {
      okta.failNext(10, 503);
      await expect(tokenApi().getUser(okta.users[0]!.id)).rejects.toMatchObject({ code: 'HTTP 503', retryable: true });
    });
  });

  describe('the System Log polling request', () => {
    it('starts from `since`, ASCENDING, without `until`, and always hands back a next link, even on an empty page', async () => {
      const client = tokenApi({ logPageSize: 2 });
      const start = new Date(okta.now() - 1000);
      okta.deleteUser(okta.users[0]!.id);
      okta.deleteUser(okta.users[0]!.id);
      const first = await client.logPage({ since: start, filter: LOG_FILTER });
      expect(first.events.map((e) => e.eventType)).toEqual(['user.lifecycle.deactivate', 'user.lifecycle.delete.initiated']);
      const request = new URL(okta.url + okta.requests.at(-1)!.split(' ')[1]);
      expect(request.searchParams.get('sortOrder')).toBe('ASCENDING');
      expect(request.searchParams.has('until')).toBe(false);
      const empty = await client.logPage({ next: first.next });
      expect(empty.events).toEqual([]);
      okta.addMember(oktaGroupId(1), okta.users[4]!.id);
      const later = await client.logPage({ next: empty.next });
      expect(later.events.map((e) => e.eventType)).toEqual(['group.user_membership.add']);
    });

    it('a position past the 90-day retention is refused with 400 (E0000001), final', async () => {
      const error = await tokenApi().logPage({ since: new Date(okta.now() - 91 * 86_400_000), filter: LOG_FILTER }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'Okta E0000001', status: 400, retryable: false });
    });
  });
});
