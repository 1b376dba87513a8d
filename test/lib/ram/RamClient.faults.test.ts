import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { parseRamConfig } from '../../../functions/lib/ram/config';
import { createRamClient, type RamClient } from '../../../functions/lib/ram/RamClient';
import type { RamUserInput } from '../../../functions/lib/core/model';

/**
 * RAM misbehaving on about a third of all requests (throttling, 5xx, connections dropped before
 * or after the write landed, answers that never come): the client must still end in exactly the
 * intended state, nothing duplicated and nothing lost.
 */
describe('RamClient under injected faults', () => {
  const N = 12;
  let emu: RunningEmulator;
  let ram: RamClient;
  let failedScimAttempts: number;

  const person = (i: number): RamUserInput => ({ userName: `user${i}`, displayName: `User ${i}`, externalId: `file:${i}` });
  const collect = async <T>(items: AsyncIterable<T>) => { const out: T[] = []; for await (const i of items) out.push(i); return out; };

  // Counts the SCIM and token attempts that failed, to show the faults really reached the client.
  const countingFailures: typeof fetch = async (input, init) => {
    try {
      const response = await fetch(input, init);
      if (response.status === 429 || response.status >= 500) failedScimAttempts++;
      return response;
    } catch (error) {
      failedScimAttempts++;
      throw error;
    }
  };

  beforeEach(async () => {
    failedScimAttempts = 0;
    emu = await startRamEmulator();
    ram = createRamClient(parseRamConfig({
      RAM_SCIM_URL: emu.scimUrl,
      RAM_OAUTH_TOKEN_URL: emu.tokenUrl,
      RAM_OAUTH_CLIENT_ID: 'emulator-client',
      RAM_OAUTH_CLIENT_SECRET: 'emulator-secret',
      RAM_OPENAPI_ENDPOINT: emu.openApiEndpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'emulator-ak',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'emulator-ak-secret',
      RAM_TIMEOUT_MS: '300',
      RAM_RATE_LIMIT: '1000',
      RAM_CONCURRENCY: '6',
      // At a 30 % fault rate, 12 attempts make a spent budget a one-in-a-million event.
      RAM_MAX_ATTEMPTS: '12',
    }), { retry: { sleep: async () => {} }, pageSize: 5, fetch: countingFailures });
    emu.setFaults({
      rate: 0.3, kinds: ['429', '500', 'throttle', 'reset-before', 'reset-after', 'timeout'],
      retryAfterSeconds: 0, seed: 20260101, tokenToo: true,
    });
  });
  afterEach(() => emu.close());

  it('creates, replaces, deletes users and manages memberships to exactly the intended state', async () => {
    await Promise.all(['eng', 'ops'].map((groupName) => ram.createGroup({ groupName, comments: `${groupName} team` })));

    const created = await Promise.all(Array.from({ length: N }, (_, i) => ram.createUser(person(i))));
    // A repeated create (a redelivered queue message) must not duplicate anybody.
    await Promise.all([0, 1, 2].map((i) => ram.createUser(person(i))));

    // Rename the first four, retitle the next four.
    await Promise.all(created.slice(0, 8).map((user, i) => ram.replaceUser(user.id, i < 4
      ? { ...person(i), userName: `renamed${i}` }
      : { ...person(i), displayName: `Person ${i}` })));

    const members = (i: number) => (i < 4 ? `renamed${i}` : `user${i}`);
    await Promise.all(Array.from({ length: 9 }, (_, i) => ram.addUserToGroup('eng', members(i))));
    await Promise.all([0, 2, 4, 6, 8].map((i) => ram.addUserToGroup('ops', members(i))));
    await Promise.all([8].map((i) => ram.removeUserFromGroup('eng', members(i))));

    // The last three have no memberships, so RAM lets SCIM delete them.
    await Promise.all(created.slice(9).map((user) => ram.deleteUser(user.id)));

    emu.setFaults(undefined);
    const expectedUsers = Array.from({ length: 9 }, (_, i) => ({
      userName: members(i),
      displayName: i >= 4 && i < 8 ? `Person ${i}` : `User ${i}`,
      externalId: `file:${i}`,
      createdBy: 'scim',
      groups: [i < 8 ? 'eng' : undefined, i % 2 === 0 ? 'ops' : undefined].filter(Boolean),
      accessKeys: [], loginProfile: false, policies: [], mfa: false,
    })).sort((a, b) => a.userName.localeCompare(b.userName));
    const snapshot = emu.state.snapshot();
    expect(snapshot.users).toEqual(expectedUsers);
    expect(snapshot.groups).toEqual([
      { groupName: 'eng', comments: 'eng team', members: expectedUsers.filter((u) => u.groups.includes('eng')).map((u) => u.userName) },
      { groupName: 'ops', comments: 'ops team', members: expectedUsers.filter((u) => u.groups.includes('ops')).map((u) => u.userName) },
    ]);
    expect(failedScimAttempts).toBeGreaterThan(5);
  });

  it('reads complete listings while faults are on', async () => {
    emu.setFaults(undefined);
    for (let i = 0; i < N; i++) emu.state.createUser({ ...person(i) }, 'scim');
    for (const g of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) emu.state.createGroup(g, '');
    for (let i = 0; i < N; i++) emu.state.addUserToGroup(`user${i}`, 'a');
    emu.setFaults({ rate: 0.3, kinds: ['429', '500', 'throttle', 'reset-before', 'reset-after', 'timeout'], retryAfterSeconds: 0, seed: 7 });

    expect((await collect(ram.listUsers())).map((u) => u.userName).sort()).toEqual(Array.from({ length: N }, (_, i) => `user${i}`).sort());
    expect((await collect(ram.listGroups())).map((g) => g.groupName)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect((await collect(ram.listGroupMembers('a'))).sort()).toEqual(Array.from({ length: N }, (_, i) => `user${i}`).sort());
  });
});
