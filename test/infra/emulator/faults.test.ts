import * as $Ram from '@alicloud/ram20150501';
import { ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { startRamEmulator, type FaultOptions, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { InvalidFaultOptionsError } from '../../../infra/emulator/faults';
import { ramClient, scim, scimToken, scimUser, sdkError } from './helpers';

const only = (kind: FaultOptions['kinds'][number], extra: Partial<FaultOptions> = {}): FaultOptions => ({
  rate: 1,
  kinds: [kind],
  seed: 42,
  retryAfterSeconds: 2,
  ...extra,
});

describe('RAM emulator fault injection', () => {
  let emu: RunningEmulator;
  let token: string;
  beforeEach(async () => {
    emu = await startRamEmulator();
    token = await scimToken(emu);
    emu.state.seedConsoleUser('alice', 'Alice');
    emu.state.createGroup('dev', '');
  });
  afterEach(() => emu.close());

  const createBob = () => scim(emu, token, 'POST', '/Users', scimUser('bob', 'Bob', 'ad:bob'));
  const addAlice = () => ramClient(emu).addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'dev', userName: 'alice' }));
  const aliceInDev = () => emu.state.snapshot().users.find((u) => u.userName === 'alice')?.groups.includes('dev');

  it('429: SCIM answers 429 with Retry-After in seconds; the SDK throws ThrottlingError with retryAfter in ms', async () => {
    emu.setFaults(only('429'));
    const res = await createBob();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    const err = await sdkError(addAlice());
    expect(err).toBeInstanceOf(ThrottlingError);
    expect(err).toMatchObject({ code: 'Throttling.User', statusCode: 429, retryAfter: 2000 });
    expect(emu.state.userByName('bob')).toBeUndefined();
    expect(aliceInDev()).toBe(false);
    expect(emu.counters.writes).toBe(0);
  });

  it('throttle: OpenAPI answers Throttling.User with HTTP 400, as real RAM does', async () => {
    emu.setFaults(only('throttle', { retryAfterSeconds: 0.5 }));
    const err = await sdkError(addAlice());
    expect(err).toBeInstanceOf(ThrottlingError);
    expect(err).toMatchObject({ code: 'Throttling.User', statusCode: 400, retryAfter: 500 });
    expect(aliceInDev()).toBe(false);
  });

  it('500: SCIM answers a SCIM error, the SDK throws ServerError InternalError', async () => {
    emu.setFaults(only('500'));
    const res = await createBob();
    expect(res.status).toBe(500);
    expect(res.body.status).toBe('500');
    const err = await sdkError(addAlice());
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ code: 'InternalError', statusCode: 500 });
  });

  it('reset-before: the connection drops and nothing is applied', async () => {
    emu.setFaults(only('reset-before'));
    await expect(createBob()).rejects.toThrow();
    const err = await sdkError(addAlice());
    expect(err.statusCode).toBeUndefined();
    expect(emu.state.userByName('bob')).toBeUndefined();
    expect(aliceInDev()).toBe(false);
    expect(emu.counters.writes).toBe(0);
  });

  it('reset-after: the write is applied, then the connection drops', async () => {
    emu.setFaults(only('reset-after'));
    await expect(createBob()).rejects.toThrow();
    const err = await sdkError(addAlice());
    expect(err.statusCode).toBeUndefined();
    emu.setFaults(undefined);
    expect(emu.state.userByName('bob')).toMatchObject({ externalId: 'ad:bob' });
    expect(aliceInDev()).toBe(true);
    expect(emu.counters.byAction).toMatchObject({ 'SCIM POST /Users': 1, AddUserToGroup: 1 });
    // A retry of the same create now meets the user it made.
    expect((await createBob()).status).toBe(409);
  });

  it('timeout: never answers; some requests were applied (seeded coin) and close() frees the sockets', async () => {
    emu.setFaults(only('timeout', { seed: 7 }));
    const attempts = 8;
    for (let i = 0; i < attempts; i++) {
      const body = scimUser(`t${i}`, `T${i}`, `ad:t${i}`);
      await expect(
        scim(emu, token, 'POST', '/Users', body, { signal: AbortSignal.timeout(150) }),
      ).rejects.toThrow();
    }
    const applied = emu.state.users().filter((u) => u.userName.startsWith('t')).length;
    expect(applied).toBe(emu.counters.writes);
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThan(attempts);
    const err = await sdkError(
      ramClient(emu, { readTimeout: 200 }).addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'dev', userName: 'alice' })),
    );
    expect(err.statusCode).toBeUndefined();
  });

  it('spares the token endpoint unless tokenToo', async () => {
    emu.setFaults(only('429'));
    expect(typeof (await scimToken(emu))).toBe('string');
    emu.setFaults(only('429', { tokenToo: true }));
    const res = await fetch(`${emu.tokenUrl}?grant_type=client_credentials&client_id=emulator-client`, { method: 'POST' });
    expect(res.status).toBe(429);
  });

  it('chooses the same faults for the same seed and request sequence', async () => {
    const outcomes = async (target: RunningEmulator): Promise<string[]> => {
      const t = await scimToken(target);
      target.setFaults({ rate: 0.5, kinds: ['429', '500', 'reset-before', 'reset-after'], seed: 1234, retryAfterSeconds: 0 });
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        try {
          seen.push(String((await scim(target, t, 'GET', '/Users')).status));
        } catch {
          seen.push('reset');
        }
      }
      return seen;
    };
    const other = await startRamEmulator();
    try {
      const a = await outcomes(emu);
      const b = await outcomes(other);
      expect(a).toEqual(b);
      expect(new Set(a)).toEqual(new Set(['200', '429', '500', 'reset']));
    } finally {
      await other.close();
    }
  });

  it('turns off with setFaults(undefined) and refuses invalid settings', async () => {
    emu.setFaults(only('500'));
    emu.setFaults(undefined);
    expect((await createBob()).status).toBe(201);
    expect(() => emu.setFaults({ rate: 2, kinds: ['500'] })).toThrow(InvalidFaultOptionsError);
    expect(() => emu.setFaults({ rate: 0.5, kinds: [] })).toThrow(InvalidFaultOptionsError);
  });
});
