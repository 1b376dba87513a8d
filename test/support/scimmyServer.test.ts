import { startScimmyServer } from './scimmyServer';
import type { RunningScimmyServer } from './scimmyServer';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface ScimBody {
  id?: string; userName?: string; displayName?: string; externalId?: string; status?: string; scimType?: string;
  totalResults?: number; startIndex?: number; itemsPerPage?: number; Resources?: { id: string; userName: string }[];
  meta?: { location?: string; resourceType?: string };
}

async function fetchToken(server: RunningScimmyServer, secret = server.clientSecret): Promise<Response> {
  const basic = Buffer.from(`${server.clientId}:${secret}`).toString('base64');
  return fetch(`${server.tokenUrl}?grant_type=client_credentials&client_id=${server.clientId}`, {
    method: 'POST', headers: { authorization: `Basic ${basic}` },
  });
}

async function tokenFor(server: RunningScimmyServer): Promise<string> {
  return ((await (await fetchToken(server)).json()) as { access_token: string }).access_token;
}

function scim(server: RunningScimmyServer, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: ScimBody }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as ScimBody) : {} };
  };
}

const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER_SCHEMA], userName, ...extra });
const filter = (expression: string) => `/Users?filter=${encodeURIComponent(expression)}`;

describe('scimmy server (a strict SCIM server configured like RAM)', () => {
  let server: RunningScimmyServer;
  let call: ReturnType<typeof scim>;

  beforeEach(async () => {
    server = await startScimmyServer();
    call = scim(server, await tokenFor(server));
  });
  afterEach(async () => server.close());

  describe('OAuth token', () => {
    it('issues a bearer token with expires_in as a string, like RAM', async () => {
      const res = await fetchToken(server);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: '3599', scope: '/acs/scim' });
      expect(typeof body.access_token).toBe('string');
      expect(typeof body.request_id).toBe('string');
    });

    it('refuses a wrong client secret with 401', async () => {
      expect((await fetchToken(server, 'wrong')).status).toBe(401);
    });

    it('refuses a grant type other than client_credentials', async () => {
      const basic = Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64');
      const res = await fetch(`${server.tokenUrl}?grant_type=password&client_id=${server.clientId}`, {
        method: 'POST', headers: { authorization: `Basic ${basic}` },
      });
      expect(res.status).toBe(400);
    });
  });

  describe('authentication', () => {
    it('answers 401 without a bearer token', async () => {
      const res = await fetch(`${server.url}/Users`);
      expect(res.status).toBe(401);
    });

    it('answers 401 once tokens are revoked, and accepts a fresh token', async () => {
      expect((await call('GET', '/Users')).status).toBe(200);
      server.revokeTokens();
      expect((await call('GET', '/Users')).status).toBe(401);
      expect((await scim(server, await tokenFor(server))('GET', '/Users')).status).toBe(200);
    });

    it('answers 401 when a short-lived token has expired', async () => {
      const quick = await startScimmyServer({ tokenTtlSeconds: 1, clientId: 'c1', clientSecret: 's1' });
      try {
        const body = (await (await fetchToken(quick)).json()) as { expires_in: string };
        expect(body.expires_in).toBe('1');
        const quickCall = scim(quick, await tokenFor(quick));
        expect((await quickCall('GET', '/Users')).status).toBe(200);
        await new Promise((r) => setTimeout(r, 1100));
        expect((await quickCall('GET', '/Users')).status).toBe(401);
      } finally {
        await quick.close();
      }
    });
  });

  describe('Users', () => {
    it('creates a user with a server-generated id and keeps only RAM attributes', async () => {
      const created = await call('POST', '/Users', user('alice', {
        displayName: 'Alice', externalId: 'ad:1', emails: [{ value: 'alice@example.com' }], active: false,
      }));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ userName: 'alice', displayName: 'Alice', externalId: 'ad:1' });
      expect(created.body.meta).toMatchObject({ resourceType: 'User', location: `${server.url}/Users/${created.body.id}` });
      expect(server.users()).toEqual([{ id: created.body.id, userName: 'alice', displayName: 'Alice', externalId: 'ad:1' }]);
      expect((await call('GET', `/Users/${created.body.id}`)).body).not.toHaveProperty('emails');
    });

    it('requires userName and the core User schema', async () => {
      expect((await call('POST', '/Users', { schemas: [USER_SCHEMA], displayName: 'x' })).status).toBe(400);
      expect((await call('POST', '/Users', { userName: 'noschema' })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
      expect(server.users()).toEqual([]);
    });

    it('refuses a userName that differs only in case with 409 uniqueness', async () => {
      await call('POST', '/Users', user('Bob'));
      const dup = await call('POST', '/Users', user('bob'));
      expect(dup.status).toBe(409);
      expect(dup.body.scimType).toBe('uniqueness');
    });

    it('refuses a duplicate externalId with 409', async () => {
      await call('POST', '/Users', user('carol', { externalId: 'dingtalk:7' }));
      expect((await call('POST', '/Users', user('carol2', { externalId: 'dingtalk:7' }))).status).toBe(409);
    });

    it('replaces a user with PUT, renaming it and dropping omitted attributes', async () => {
      const { body } = await call('POST', '/Users', user('dave', { displayName: 'Dave', externalId: 'ad:9' }));
      const put = await call('PUT', `/Users/${body.id}`, user('david', { externalId: 'ad:9' }));
      expect(put.status).toBe(200);
      expect(server.users()).toEqual([{ id: body.id, userName: 'david', externalId: 'ad:9' }]);
    });

    it('refuses a rename onto another user\'s name, whatever its case', async () => {
      await call('POST', '/Users', user('erin'));
      const { body } = await call('POST', '/Users', user('frank'));
      expect((await call('PUT', `/Users/${body.id}`, user('ERIN'))).status).toBe(409);
      expect((await call('PUT', `/Users/${body.id}`, user('Frank'))).status).toBe(200);
    });

    it('deletes with 204 and then answers 404', async () => {
      const { body } = await call('POST', '/Users', user('gina'));
      expect((await call('DELETE', `/Users/${body.id}`)).status).toBe(204);
      expect((await call('GET', `/Users/${body.id}`)).status).toBe(404);
      expect((await call('DELETE', `/Users/${body.id}`)).status).toBe(404);
      expect((await call('PUT', `/Users/${body.id}`, user('gina'))).status).toBe(404);
    });

    it('answers 405 to PATCH, which RAM does not have', async () => {
      const { body } = await call('POST', '/Users', user('hank'));
      const patch = await call('PATCH', `/Users/${body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { displayName: 'H' } }],
      });
      expect(patch.status).toBe(405);
      expect(server.users()[0]).not.toHaveProperty('displayName');
    });

    it('has no Groups, Bulk or Me endpoints', async () => {
      expect((await call('GET', '/Groups')).status).toBe(404);
      expect((await call('POST', '/Groups', { displayName: 'g' })).status).toBe(404);
      expect((await call('POST', '/Bulk', {})).status).toBe(404);
      expect((await call('GET', '/Me')).status).toBe(404);
      expect((await call('GET', '/scim/v2/Users')).status).toBe(404);
    });
  });

  describe('filters', () => {
    beforeEach(async () => {
      await call('POST', '/Users', user('ivy', { externalId: 'lark:1' }));
      await call('POST', '/Users', user('jack', { externalId: 'lark:2' }));
    });
    const names = (body: ScimBody) => body.Resources?.map((r) => r.userName);

    it('finds a user by userName eq, case-insensitively', async () => {
      expect(names((await call('GET', filter('userName eq "IVY"'))).body)).toEqual(['ivy']);
    });

    it('finds a user by externalId eq and by id eq', async () => {
      expect(names((await call('GET', filter('externalId eq "lark:2"'))).body)).toEqual(['jack']);
      const id = server.users()[0]!.id;
      expect(names((await call('GET', filter(`id eq "${id}"`))).body)).toEqual(['ivy']);
    });

    it('accepts eq joined by and', async () => {
      expect(names((await call('GET', filter('userName eq "jack" and externalId eq "lark:2"'))).body)).toEqual(['jack']);
      expect((await call('GET', filter('userName eq "jack" and externalId eq "lark:1"'))).body.totalResults).toBe(0);
    });

    it.each([
      'userName eq "ivy" or userName eq "jack"', 'userName co "i"', 'userName sw "i"', 'userName pr',
      'userName ne "ivy"', 'displayName eq "Ivy"', 'not (userName eq "ivy")', 'emails[value eq "x"]',
    ])('refuses %s with 400 invalidFilter', async (expression) => {
      const res = await call('GET', filter(expression));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    });
  });

  describe('paging', () => {
    beforeEach(async () => {
      for (const name of ['u1', 'u2', 'u3', 'u4', 'u5']) await call('POST', '/Users', user(name));
    });

    it('lists in creation order, honouring startIndex and count', async () => {
      const page = await call('GET', '/Users?startIndex=2&count=2');
      expect(page.body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
      expect(page.body.Resources?.map((r) => r.userName)).toEqual(['u2', 'u3']);
      expect((await call('GET', '/Users?startIndex=5&count=2')).body.Resources?.map((r) => r.userName)).toEqual(['u5']);
    });

    it('answers an empty page past the end', async () => {
      const past = await call('GET', '/Users?startIndex=6&count=2');
      expect(past.body).toMatchObject({ totalResults: 5, Resources: [] });
    });

    it('refuses a non-integer count', async () => {
      expect((await call('GET', '/Users?count=two')).status).toBe(400);
    });
  });

  it('keeps two servers in one process apart', async () => {
    const other = await startScimmyServer();
    try {
      await scim(other, await tokenFor(other))('POST', '/Users', user('only-here'));
      await call('POST', '/Users', user('only-there'));
      expect(other.users().map((u) => u.userName)).toEqual(['only-here']);
      expect(server.users().map((u) => u.userName)).toEqual(['only-there']);
    } finally {
      await other.close();
    }
  });
});
