import { parseEntraSourceConfig } from '../../../../functions/lib/sources/entra/config';
import { DeltaExpiredError, EntraApiError } from '../../../../functions/lib/sources/entra/errors';
import { GraphApi, type GraphApiOptions } from '../../../../functions/lib/sources/entra/GraphApi';
import { type GraphFake, graphEnv, graphGroup, graphUser, startGraphApi } from '../../../support/graphApi';

describe('GraphApi', () => {
  let graph: GraphFake;
  let slept: number[];
  beforeEach(async () => {
    graph = await startGraphApi({
      users: Array.from({ length: 5 }, (_, i) => graphUser(i + 1)),
      groups: [graphGroup(1, { displayName: 'Platform', members: [graphUser(1).id, graphUser(2).id, graphGroup(2).id] }), graphGroup(2)],
      maxPageSize: 2, deltaPageSize: 2,
    });
    slept = [];
  });
  afterEach(() => graph.close());

  const api = (env: Record<string, string> = {}, options: GraphApiOptions = {}) => new GraphApi(
    parseEntraSourceConfig(graphEnv(graph, env))!,
    { ...options, retry: { sleep: async (ms) => { slept.push(ms); }, ...options.retry } },
  );
  const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const x of it) out.push(x); return out; };
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as EntraApiError);

  it('asks the token endpoint for an app-only token by client credentials, as a form, with the cloud\'s .default scope', async () => {
    await api().getUser(graphUser(1).id);
    expect(graph.tokenRequests).toEqual([{
      contentType: 'application/x-www-form-urlencoded',
      form: { client_id: graph.clientId, client_secret: graph.clientSecret, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
    }]);
  });

  it('reads a user by id with the selected properties, and answers undefined on 404 Request_ResourceNotFound', async () => {
    const client = api();
    expect(await client.getUser(graphUser(3).id)).toMatchObject({ id: graphUser(3).id, userPrincipalName: 'user3@contoso.example', accountEnabled: true, department: 'Engineering' });
    expect(await client.getUser('00000000-0000-4000-8000-00000000dead')).toBeUndefined();
    expect(await client.getGroup('00000000-0000-4000-8000-00000000dead')).toBeUndefined();
    expect(graph.calls['GET /v1.0/users/{id}']).toBe(2);
  });

  it('pages listings by @odata.nextLink, each item once, with background priority', async () => {
    const users = await all(api().users());
    expect(users.map((u) => u.id)).toEqual([1, 2, 3, 4, 5].map((n) => graphUser(n).id));
    expect(graph.calls['GET /v1.0/users']).toBe(3);
    expect(graph.priorities.every((p) => p === 'low')).toBe(true);
  });

  it('lists a group\'s direct user members (not nested groups), and a user\'s groups', async () => {
    const client = api();
    expect((await all(client.groupMembers(graphGroup(1).id))).map((u) => u.id)).toEqual([graphUser(1).id, graphUser(2).id]);
    expect((await all(client.memberOf(graphUser(2).id))).map((g) => g.id)).toEqual([graphGroup(1).id]);
    expect((await all(client.usersInDepartment("Engineering"))).length).toBe(5);
    expect(await all(client.usersInDepartment("O'Brien's team"))).toEqual([]);
  });

  it('caches the token across calls and renews it a little before it expires', async () => {
    let now = Date.now();
    const client = api({}, { now: () => now });
    await Promise.all([client.getUser(graphUser(1).id), client.getUser(graphUser(2).id), client.getGroup(graphGroup(1).id)]);
    expect(graph.tokensIssued).toBe(1);
    now += 3_200_000; // 3599 s token, renewed 5 minutes early: still good at 53 min
    await client.getUser(graphUser(1).id);
    expect(graph.tokensIssued).toBe(1);
    now += 100_000;
    await client.getUser(graphUser(1).id);
    expect(graph.tokensIssued).toBe(2);
  });

  it('replaces a token Graph stops accepting mid-listing (401 InvalidAuthenticationToken), once, and the listing goes on', async () => {
    const client = api();
    const seen: string[] = [];
    for await (const user of client.users()) {
      seen.push(user.id);
      if (seen.length === 2) graph.revokeTokens();
    }
    expect(seen).toHaveLength(5);
    expect(graph.tokensIssued).toBe(2);
  });

  it('honours Retry-After on 429 and on 503', async () => {
    const client = api();
    graph.throttleNext(2, 7);
    expect((await client.getUser(graphUser(1).id))?.id).toBe(graphUser(1).id);
    graph.failNext(1, 503, 3);
    expect((await all(client.users())).length).toBe(5);
    expect(slept).toEqual([7000, 7000, 3000]);
  });

  it('gives up after the policy\'s attempts with a retryable error', async () => {
    graph.throttleNext(10, 1);
    const error = await failure(api({}, { retry: { maxAttempts: 3 } }).getUser(graphUser(1).id));
    expect(error).toMatchObject({ code: 'Graph TooManyRequests', retryable: true, status: 429 });
    expect(slept).toHaveLength(2);
  });

  describe('set-up mistakes say what to fix, without the secret', () => {
    it('a wrong client secret: final, naming ENTRA_CLIENT_SECRET', async () => {
      const error = await failure(api({ ENTRA_CLIENT_SECRET: 'wrong-secret-value' }).getUser(graphUser(1).id));
      expect(error).toBeInstanceOf(EntraApiError);
      expect(error).toMatchObject({ code: 'AADSTS7000215', retryable: false, status: 401 });
      expect(error.recommendedAction).toMatch(/ENTRA_CLIENT_SECRET/);
      expect(error.message).not.toContain('wrong-secret-value');
      expect(JSON.stringify(error)).not.toContain('wrong-secret-value');
      expect(graph.calls['POST /{tenant}/oauth2/v2.0/token']).toBe(1);
    });

    it('an unknown app or tenant: ENTRA_CLIENT_ID, ENTRA_TENANT_ID', async () => {
      const app = await failure(api({ ENTRA_CLIENT_ID: '00000000-0000-4000-8000-000000000000' }).getUser(graphUser(1).id));
      expect(app).toMatchObject({ code: 'AADSTS700016', recommendedAction: expect.stringMatching(/ENTRA_CLIENT_ID/) });
      const tenant = await failure(api({ ENTRA_TENANT_ID: 'elsewhere.onmicrosoft.com' }).getUser(graphUser(1).id));
      expect(tenant).toMatchObject({ code: 'AADSTS90002', recommendedAction: expect.stringMatching(/ENTRA_TENANT_ID/) });
    });

    it('a permission without admin consent (403 Authorization_RequestDenied): final, naming the permission to grant', async () => {
      graph.denied.add('User.Read.All');
      const user = await failure(api().getUser(graphUser(1).id));
      expect(user).toMatchObject({ code: 'Graph Authorization_RequestDenied', retryable: false, status: 403 });
      expect(user.recommendedAction).toMatch(/grant User\.Read\.All \(application\) and admin consent in the app registration/);
      graph.denied.add('GroupMember.Read.All');
      const groups = await failure(all(api().groups()));
      expect(groups.recommendedAction).toMatch(/grant GroupMember\.Read\.All/);
    });

    it('a token Graph refuses twice (another cloud\'s token): final, naming ENTRA_CLOUD', async () => {
      const client = api();
      await client.getUser(graphUser(1).id);
      graph.refuseTokens = true;
      const refused = await failure(client.getUser(graphUser(1).id));
      expect(refused).toMatchObject({ code: 'Graph InvalidAuthenticationToken', retryable: false, status: 401 });
      expect(graph.tokensIssued).toBe(2);
      expect(refused.recommendedAction ?? '').toMatch(/ENTRA_CLOUD/);
    });
  });

  describe('delta rounds', () => {
    it('round 1 pages the current state by nextLink and ends with a deltaLink; the next round has only what changed', async () => {
      const client = api();
      const first = await all(client.delta<{ id: string }>('users'));
      expect(first.flatMap((p) => p.value ?? []).map((u) => u.id)).toEqual([1, 2, 3, 4, 5].map((n) => graphUser(n).id));
      expect(first.slice(0, -1).every((p) => p['@odata.nextLink'] && !p['@odata.deltaLink'])).toBe(true);
      const link = first.at(-1)!['@odata.deltaLink']!;
      graph.updateUser(graphUser(2).id, { accountEnabled: false });
      graph.deleteUser(graphUser(4).id);
      graph.deleteUser(graphUser(5).id, { hard: true });
      const next = (await all(client.delta<Record<string, unknown>>('users', link))).flatMap((p) => p.value ?? []);
      expect(next).toEqual([
        expect.objectContaining({ id: graphUser(2).id, accountEnabled: false }),
        { id: graphUser(4).id, '@removed': { reason: 'changed' } },
        { id: graphUser(5).id, '@removed': { reason: 'deleted' } },
      ]);
    });

    it('$deltatoken=latest answers only a link, from which later changes come', async () => {
      const client = api();
      const link = await client.latestDeltaLink('users');
      graph.updateUser(graphUser(1).id, { displayName: 'Renamed' });
      const pages = await all(client.delta<{ id: string }>('users', link));
      expect(pages.flatMap((p) => p.value ?? []).map((u) => u.id)).toEqual([graphUser(1).id]);
    });

    it('a token Graph no longer knows is a DeltaExpiredError: 410 Gone, or 400 syncStateNotFound', async () => {
      const client = api();
      const link = await client.latestDeltaLink('users');
      graph.expireDeltaTokens(410);
      await expect(all(client.delta('users', link))).rejects.toBeInstanceOf(DeltaExpiredError);
      const fresh = await client.latestDeltaLink('users');
      graph.expireDeltaTokens('syncStateNotFound');
      const error = await failure(all(client.delta('users', fresh)));
      expect(error).toBeInstanceOf(DeltaExpiredError);
      expect(error).toMatchObject({ code: 'DeltaExpired', retryable: false, status: 400 });
    });

    it('follows a link on the cloud\'s own Graph root through the configured one (a proxy in ENTRA_GRAPH_URL)', async () => {
      const client = api();
      const first = await all(client.delta<{ id: string }>('users'));
      const onCloudRoot = first.at(-1)!['@odata.deltaLink']!.replace(graph.url, 'https://graph.microsoft.com');
      graph.updateUser(graphUser(1).id, { jobTitle: 'Lead' });
      const next = await all(client.delta<{ id: string }>('users', onCloudRoot));
      expect(next.flatMap((p) => p.value ?? []).map((u) => u.id)).toEqual([graphUser(1).id]);
    });

    it('refuses to follow a link to another host (it would carry the token there)', async () => {
      const client = api();
      const error = await failure(all(client.delta('users', 'https://evil.example/v1.0/users/delta?$deltatoken=x')));
      expect(error).toMatchObject({ code: 'ForeignLink', retryable: false });
      expect(graph.calls['GET /v1.0/users/delta']).toBeUndefined();
    });
  });
});
