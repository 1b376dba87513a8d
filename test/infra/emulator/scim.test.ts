import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { USER_SCHEMA, scim, scimToken, scimUser } from './helpers';

describe('RAM emulator SCIM', () => {
  let emu: RunningEmulator;
  let token: string;
  const call = (method: string, path: string, body?: unknown) => scim(emu, token, method, path, body);
  const create = async (userName: string, displayName = userName, externalId?: string) => {
    const res = await call('POST', '/Users', scimUser(userName, displayName, externalId));
    expect(res.status).toBe(201);
    return res.body as { id: string; userName: string };
  };

  beforeEach(async () => {
    emu = await startRamEmulator();
    token = await scimToken(emu);
  });
  afterEach(() => emu.close());

  describe('authentication and discovery', () => {
    it('serves /ResourceTypes and /Schemas without a token', async () => {
      const types = await scim(emu, undefined, 'GET', '/ResourceTypes');
      expect(types.status).toBe(200);
      expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User']);
      const schemas = await scim(emu, undefined, 'GET', '/Schemas');
      expect(schemas.body.Resources[0].id).toBe(USER_SCHEMA);
    });

    it('requires a valid Bearer token on /Users', async () => {
      const none = await scim(emu, undefined, 'GET', '/Users');
      expect(none.status).toBe(401);
      expect(none.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect((await scim(emu, 'made-up', 'GET', '/Users')).status).toBe(401);
    });

    it('has no /Groups, no /scim/v2 prefix and no ServiceProviderConfig', async () => {
      expect((await call('GET', '/Groups')).status).toBe(404);
      expect((await call('GET', '/scim/v2/Users')).status).toBe(404);
      expect((await call('GET', '/ServiceProviderConfig')).status).toBe(404);
    });
  });

  describe('POST /Users', () => {
    it('creates a user and returns only the attributes RAM maps', async () => {
      const res = await call('POST', '/Users', {
        ...scimUser('alice', 'Alice Liu', 'ad:1'),
        emails: [{ value: 'a@corp.example' }],
        active: false,
        name: { givenName: 'Alice' },
        id: 'client-chosen',
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(res.body).sort()).toEqual(['displayName', 'externalId', 'id', 'meta', 'schemas', 'userName']);
      expect(res.body.id).not.toBe('client-chosen');
      expect(res.body.meta).toMatchObject({ resourceType: 'User', location: `${emu.scimUrl}/Users/${res.body.id}` });
      expect(res.headers.get('location')).toBe(res.body.meta.location);
      expect(emu.state.userByName('ALICE')).toMatchObject({ externalId: 'ad:1', createdBy: 'scim' });
    });

    it.each([
      ['an empty userName', scimUser('', 'X')],
      ['a userName with @', scimUser('alice@corp.example', 'X')],
      ['a 65-character userName', scimUser('a'.repeat(65), 'X')],
      ['no displayName', { schemas: [USER_SCHEMA], userName: 'bob' }],
      ['a 129-character displayName', scimUser('bob', 'x'.repeat(129))],
    ])('refuses %s with 400 invalidValue', async (_what, body) => {
      const res = await call('POST', '/Users', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
      expect(emu.state.users()).toHaveLength(0);
    });

    it('refuses a userName taken in another case, and a taken externalId, with 409 uniqueness', async () => {
      await create('alice', 'Alice', 'ad:1');
      const sameName = await call('POST', '/Users', scimUser('ALICE', 'Other', 'ad:2'));
      expect(sameName.status).toBe(409);
      expect(sameName.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
      const sameExternal = await call('POST', '/Users', scimUser('alice2', 'Other', 'ad:1'));
      expect(sameExternal.status).toBe(409);
      expect(sameExternal.body.scimType).toBe('uniqueness');
    });

    it('refuses a body without the User schema or not JSON', async () => {
      expect((await call('POST', '/Users', { userName: 'bob', displayName: 'Bob' })).status).toBe(400);
      const res = await scim(emu, token, 'POST', '/Users', undefined, {
        body: 'not json',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(res.body.scimType).toBe('invalidSyntax');
    });
  });

  describe('GET /Users', () => {
    it('finds users with eq and and on id, userName (any case) and externalId', async () => {
      const alice = await create('alice', 'Alice', 'ad:1');
      await create('bob', 'Bob', 'ad:2');
      const q = async (filter: string) =>
        (await call('GET', `/Users?filter=${encodeURIComponent(filter)}`)).body.Resources.map(
          (u: { userName: string }) => u.userName,
        );
      expect(await q('userName eq "ALICE"')).toEqual(['alice']);
      expect(await q('externalId eq "ad:2"')).toEqual(['bob']);
      expect(await q(`id eq "${alice.id}"`)).toEqual(['alice']);
      expect(await q('userName eq "alice" and externalId eq "ad:1"')).toEqual(['alice']);
      expect(await q('userName eq "alice" and externalId eq "ad:2"')).toEqual([]);
      expect(await q('externalId eq "AD:1"')).toEqual([]);
    });

    it.each([
      'userName eq "a" or userName eq "b"',
      'userName co "a"',
      'userName sw "a"',
      'externalId pr',
      'displayName eq "Alice"',
      'emails.value eq "a@corp.example"',
      'userName eq alice',
      '(userName eq "a")',
      'not (userName eq "a")',
      'userName eq "a" and',
    ])('refuses the filter %s with 400 invalidFilter', async (filter) => {
      const res = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidFilter');
    });

    it('pages in creation order: 30 by default, at most 100, startIndex 1-based', async () => {
      for (let i = 0; i < 105; i++) emu.state.seedConsoleUser(`u${String(i).padStart(3, '0')}`, `U ${i}`);
      const first = await call('GET', '/Users');
      expect(first.body).toMatchObject({ totalResults: 105, startIndex: 1, itemsPerPage: 30 });
      expect(first.body.Resources).toHaveLength(30);
      expect(first.body.Resources[0].userName).toBe('u000');
      const big = await call('GET', '/Users?count=500');
      expect(big.body.Resources).toHaveLength(100);
      const last = await call('GET', '/Users?startIndex=101&count=10');
      expect(last.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['u100', 'u101', 'u102', 'u103', 'u104']);
      expect((await call('GET', '/Users?count=abc')).status).toBe(400);
    });

    it('shows console users, without externalId, and 404s an unknown id', async () => {
      const bob = emu.state.seedConsoleUser('bob', 'Bob');
      const res = await call('GET', `/Users/${bob.id}`);
      expect(res.status).toBe(200);
      expect(res.body.externalId).toBeUndefined();
      const missing = await call('GET', '/Users/0000');
      expect(missing.status).toBe(404);
      expect(missing.body.status).toBe('404');
    });
  });

  describe('PUT and PATCH /Users/{id}', () => {
    it('replaces the user in full, renaming it and keeping its id', async () => {
      const alice = await create('alice', 'Alice', 'ad:1');
      const res = await call('PUT', `/Users/${alice.id}`, scimUser('alice.liu', 'Alice Liu', 'ad:1'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: alice.id, userName: 'alice.liu', displayName: 'Alice Liu' });
      expect(emu.state.userByName('alice')).toBeUndefined();
      const cleared = await call('PUT', `/Users/${alice.id}`, scimUser('alice.liu', 'Alice Liu'));
      expect(cleared.body.externalId).toBeUndefined();
    });

    it('keeps names unique and the id immutable', async () => {
      await create('alice');
      const bob = await create('bob');
      const clash = await call('PUT', `/Users/${bob.id}`, scimUser('Alice', 'Bob'));
      expect(clash.status).toBe(409);
      expect(clash.body.scimType).toBe('uniqueness');
      const moved = await call('PUT', `/Users/${bob.id}`, { ...scimUser('bob', 'Bob'), id: 'other' });
      expect(moved.status).toBe(400);
      expect(moved.body.scimType).toBe('mutability');
    });

    it('answers PATCH with 405, as RAM does not support it', async () => {
      const alice = await create('alice');
      const res = await call('PATCH', `/Users/${alice.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'X' }],
      });
      expect(res.status).toBe(405);
      expect(emu.state.userByName('alice')?.displayName).toBe('alice');
    });

    it('refuses to change or delete a user made in the console', async () => {
      const bob = emu.state.seedConsoleUser('bob', 'Bob');
      expect((await call('PUT', `/Users/${bob.id}`, scimUser('bob', 'Robert', 'ad:9'))).status).toBe(403);
      expect((await call('DELETE', `/Users/${bob.id}`)).status).toBe(403);
      expect(emu.state.userByName('bob')).toMatchObject({ displayName: 'Bob', createdBy: 'console' });
    });
  });

  describe('DELETE /Users/{id}', () => {
    it('deletes with 204, then the user is gone', async () => {
      const alice = await create('alice');
      const res = await call('DELETE', `/Users/${alice.id}`);
      expect(res.status).toBe(204);
      expect((await call('GET', `/Users/${alice.id}`)).status).toBe(404);
      expect((await call('DELETE', `/Users/${alice.id}`)).status).toBe(404);
    });

    it('refuses with 409 naming the RAM code until memberships, keys, policies and MFA are gone', async () => {
      const alice = await create('alice');
      emu.state.createGroup('dev', '');
      emu.state.addUserToGroup('alice', 'dev');
      const key = emu.state.attachAccessKey('alice');
      emu.state.attachPolicy('alice', 'ReadOnlyAccess');
      emu.state.bindMfa('alice');
      emu.state.createLoginProfile('alice');
      const expectRefusal = async (code: string) => {
        const res = await call('DELETE', `/Users/${alice.id}`);
        expect(res.status).toBe(409);
        expect(res.body.detail).toContain(code);
      };
      await expectRefusal('DeleteConflict.User.Group');
      emu.state.removeUserFromGroup('alice', 'dev');
      await expectRefusal('DeleteConflict.User.AccessKey');
      emu.state.deleteAccessKey('alice', key.id);
      await expectRefusal('DeleteConflict.User.Policy');
      emu.state.detachPolicy('alice', 'ReadOnlyAccess');
      await expectRefusal('DeleteConflict.User.MFADevice');
      emu.state.unbindMfa('alice');
      expect((await call('DELETE', `/Users/${alice.id}`)).status).toBe(204);
      expect(emu.state.users()).toEqual([]);
    });

    it('refuses for MFA alone, and takes the login profile with the user', async () => {
      const alice = await create('alice');
      emu.state.bindMfa('alice');
      const mfa = await call('DELETE', `/Users/${alice.id}`);
      expect(mfa.status).toBe(409);
      expect(mfa.body.detail).toContain('DeleteConflict.User.MFADevice');

      const bob = await create('bob');
      emu.state.createLoginProfile('bob');
      expect((await call('DELETE', `/Users/${bob.id}`)).status).toBe(204);
      expect(emu.state.snapshot().users.map((u) => u.userName)).toEqual(['alice']);
    });
  });
});
