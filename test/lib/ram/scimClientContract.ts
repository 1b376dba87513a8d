/**
 * The SCIM client's contract, run against every SCIM server we have (our RAM emulator and an
 * independent scimmy server configured like RAM): the same suite must pass on both.
 */
import { RamConflictError, RamNotFoundError } from '../../../functions/lib/ram/errors';
import { createLimiter } from '../../../functions/lib/ram/limiter';
import { ClientCredentialsTokenProvider, type TokenProvider } from '../../../functions/lib/ram/OAuthToken';
import { retryPolicy } from '../../../functions/lib/ram/retry';
import { ScimClient } from '../../../functions/lib/ram/ScimClient';

export interface ScimServerUnderTest {
  scimUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * Hands out a token the server never issued until it is invalidated, as a revoked or expired
 * token looks to the server: the client must refresh once and repeat the request.
 */
class RevokedFirstTokens implements TokenProvider {
  handedOutRevoked = 0;
  private revoked = true;
  constructor(private readonly real: TokenProvider) {}
  getToken(): Promise<string> {
    if (!this.revoked) return this.real.getToken();
    this.handedOutRevoked++;
    return Promise.resolve('revoked-token-value');
  }
  invalidate(token: string): void {
    if (token === 'revoked-token-value') this.revoked = false;
    else this.real.invalidate(token);
  }
}

export function describeScimContract(name: string, start: () => Promise<ScimServerUnderTest>): void {
  describe(`ScimClient against ${name}`, () => {
    let server: ScimServerUnderTest;
    let scim: ScimClient;
    let tokens: RevokedFirstTokens;

    beforeEach(async () => {
      server = await start();
      tokens = new RevokedFirstTokens(new ClientCredentialsTokenProvider({
        tokenUrl: server.tokenUrl, clientId: server.clientId, clientSecret: server.clientSecret,
      }));
      scim = new ScimClient({
        baseUrl: server.scimUrl,
        tokens,
        retry: retryPolicy({ sleep: async () => {} }),
        limiter: createLimiter({ ratePerSecond: 500, concurrency: 4 }),
        pageSize: 2,
      });
    });
    afterEach(() => server.close());

    const alice = { userName: 'alice', displayName: 'Alice Liu', externalId: 'ad:0001' };

    it('creates a user and gets it by id', async () => {
      const created = await scim.createUser(alice);
      expect(created).toEqual({ id: expect.any(String), ...alice });
      await expect(scim.getUser(created.id)).resolves.toEqual(created);
    });

    it('refreshes a refused token once and carries on', async () => {
      await expect(scim.createUser(alice)).resolves.toMatchObject(alice);
      expect(tokens.handedOutRevoked).toBe(1);
    });

    it('answers undefined for an unknown id', async () => {
      await expect(scim.getUser('4711000000000000')).resolves.toBeUndefined();
    });

    it('finds a user by externalId', async () => {
      const created = await scim.createUser(alice);
      await scim.createUser({ userName: 'bob', displayName: 'Bob', externalId: 'ad:0002' });
      await expect(scim.findByExternalId('ad:0001')).resolves.toEqual(created);
      await expect(scim.findByExternalId('ad:9999')).resolves.toBeUndefined();
    });

    it('finds a user by userName, case-insensitively', async () => {
      const created = await scim.createUser(alice);
      await expect(scim.findByUserName('alice')).resolves.toEqual(created);
      await expect(scim.findByUserName('ALICE')).resolves.toEqual(created);
      await expect(scim.findByUserName('alic')).resolves.toBeUndefined();
    });

    it('lists every user across several pages', async () => {
      const names = ['u1', 'u2', 'u3', 'u4', 'u5'];
      for (const [i, userName] of names.entries()) {
        await scim.createUser({ userName, displayName: userName.toUpperCase(), externalId: `file:${i}` });
      }
      const listed: string[] = [];
      for await (const user of scim.listUsers()) listed.push(user.userName);
      expect(listed.sort()).toEqual(names);
    });

    it('lists nothing from an empty directory', async () => {
      const listed = [];
      for await (const user of scim.listUsers()) listed.push(user);
      expect(listed).toEqual([]);
    });

    it('replaces a user, renaming it', async () => {
      const created = await scim.createUser(alice);
      const renamed = await scim.replaceUser(created.id, { ...alice, userName: 'alice.liu', displayName: 'Alice L.' });
      expect(renamed).toEqual({ id: created.id, externalId: alice.externalId, userName: 'alice.liu', displayName: 'Alice L.' });
      await expect(scim.findByUserName('alice')).resolves.toBeUndefined();
      await expect(scim.getUser(created.id)).resolves.toEqual(renamed);
    });

    it('reports replacing an unknown user as not found', async () => {
      await expect(scim.replaceUser('4711000000000000', alice)).rejects.toBeInstanceOf(RamNotFoundError);
    });

    it('deletes a user, and deleting it again is done', async () => {
      const created = await scim.createUser(alice);
      await scim.deleteUser(created.id);
      await expect(scim.getUser(created.id)).resolves.toBeUndefined();
      await expect(scim.deleteUser(created.id)).resolves.toBeUndefined();
    });

    it('treats creating the same person again as done', async () => {
      const first = await scim.createUser(alice);
      await expect(scim.createUser(alice)).resolves.toEqual(first);
      const listed = [];
      for await (const user of scim.listUsers()) listed.push(user);
      expect(listed).toHaveLength(1);
    });

    it('refuses a second person with the same userName (any case) as a conflict', async () => {
      await scim.createUser(alice);
      const error = await scim.createUser({ userName: 'ALICE', displayName: 'Other', externalId: 'ad:0002' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RamConflictError);
      expect((error as RamConflictError).status).toBe(409);
    });
  });
}
