import { startRamEmulator, type RunningEmulator } from '../../../infra/emulator/RamEmulator';
import { FinalRamError, RamAuthError, RamConflictError, RamNotFoundError } from '../../../functions/lib/ram/errors';
import { createLimiter } from '../../../functions/lib/ram/limiter';
import { RamOpenApi, parseOpenApiEndpoint, type CredentialSource } from '../../../functions/lib/ram/RamOpenApi';
import { retryPolicy } from '../../../functions/lib/ram/retry';

const AK = { accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-ak-secret' };

describe('parseOpenApiEndpoint', () => {
  it('reads a host, an http URL and a bare loopback host:port', () => {
    expect(parseOpenApiEndpoint('ram.aliyuncs.com')).toEqual({ protocol: 'https', endpoint: 'ram.aliyuncs.com' });
    expect(parseOpenApiEndpoint('http://127.0.0.1:9100')).toEqual({ protocol: 'http', endpoint: '127.0.0.1:9100' });
    expect(parseOpenApiEndpoint('https://ram.aliyuncs.com/')).toEqual({ protocol: 'https', endpoint: 'ram.aliyuncs.com' });
    expect(parseOpenApiEndpoint('127.0.0.1:9100')).toEqual({ protocol: 'http', endpoint: '127.0.0.1:9100' });
  });
});

describe('RamOpenApi against the RAM emulator', () => {
  let emu: RunningEmulator;
  const api = (credentials: CredentialSource = AK, endpoint = emu.openApiEndpoint) => new RamOpenApi({
    endpoint, credentials, pageSize: 2,
    retry: retryPolicy({ sleep: async () => {} }),
    limiter: createLimiter({ ratePerSecond: 500, concurrency: 4 }),
  });
  const collect = async <T>(items: AsyncIterable<T>) => { const out: T[] = []; for await (const i of items) out.push(i); return out; };

  beforeEach(async () => {
    emu = await startRamEmulator();
    for (const name of ['alice', 'bob', 'carol']) emu.state.seedConsoleUser(name, name.toUpperCase());
  });
  afterEach(() => emu.close());

  describe('groups', () => {
    it('creates groups and lists them across Marker pages', async () => {
      const ram = api(AK, `http://${emu.openApiEndpoint}`);
      for (const g of ['dev', 'ops', 'qa', 'sales', 'hr']) await ram.createGroup({ groupName: g, comments: `${g} team` });
      const groups = await collect(ram.listGroups());
      expect(groups.map((g) => g.groupName).sort()).toEqual(['dev', 'hr', 'ops', 'qa', 'sales']);
      expect(groups.find((g) => g.groupName === 'dev')).toEqual({ groupName: 'dev', comments: 'dev team' });
    });

    it('treats creating an existing group as done', async () => {
      const ram = api();
      await ram.createGroup({ groupName: 'dev' });
      await expect(ram.createGroup({ groupName: 'dev' })).resolves.toBeUndefined();
      expect(emu.state.snapshot().groups.map((g) => g.groupName)).toEqual(['dev']);
    });

    it('renames a group and changes its comments', async () => {
      const ram = api();
      await ram.createGroup({ groupName: 'dev' });
      await ram.updateGroup('dev', { newGroupName: 'engineering', comments: 'all engineers' });
      expect(emu.state.snapshot().groups).toEqual([{ groupName: 'engineering', comments: 'all engineers', members: [] }]);
    });

    it('refuses an invalid group name with what to fix', async () => {
      const error = await api().createGroup({ groupName: 'not valid!' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FinalRamError);
      expect((error as FinalRamError).code).toMatch(/^InvalidParameter\.GroupName/);
      expect((error as FinalRamError).recommendedAction).toMatch(/groupName must be 1-64/);
    });
  });

  describe('membership', () => {
    it('adds and removes members, each idempotently', async () => {
      const ram = api();
      await ram.createGroup({ groupName: 'dev' });
      await ram.addUserToGroup('dev', 'alice');
      await ram.addUserToGroup('dev', 'alice');
      await ram.addUserToGroup('dev', 'bob');
      expect(await ram.listGroupsForUser('alice')).toEqual(['dev']);
      await ram.removeUserFromGroup('dev', 'alice');
      await ram.removeUserFromGroup('dev', 'alice');
      expect(await ram.listGroupsForUser('alice')).toEqual([]);
      expect(emu.state.snapshot().groups[0]!.members).toEqual(['bob']);
    });

    it('lists a group’s members across pages', async () => {
      const ram = api();
      await ram.createGroup({ groupName: 'dev' });
      for (const u of ['alice', 'bob', 'carol']) await ram.addUserToGroup('dev', u);
      expect((await collect(ram.listGroupMembers('dev'))).sort()).toEqual(['alice', 'bob', 'carol']);
    });

    it('reports the sixth group of a user with the quota to change', async () => {
      const ram = api();
      for (let i = 1; i <= 6; i++) await ram.createGroup({ groupName: `g${i}` });
      for (let i = 1; i <= 5; i++) await ram.addUserToGroup(`g${i}`, 'alice');
      const error = await ram.addUserToGroup('g6', 'alice').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RamConflictError);
      expect((error as RamConflictError).code).toBe('LimitExceeded.User.Group');
      expect((error as RamConflictError).recommendedAction).toBe('a RAM user may be in 5 groups: reduce group rules or raise the quota');
    });

    it('reports a missing group as not found', async () => {
      const error = await api().addUserToGroup('nope', 'alice').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RamNotFoundError);
      expect((error as RamNotFoundError).code).toBe('EntityNotExist.Group');
    });
  });

  describe('AccessKeys', () => {
    it('lists a user’s keys and deactivates and reactivates one of them only', async () => {
      const ram = api();
      const key = emu.state.attachAccessKey('alice');
      const other = emu.state.attachAccessKey('bob');
      expect(await ram.listAccessKeys('alice')).toEqual([{ accessKeyId: key.id, status: 'Active' }]);
      await ram.setAccessKeyStatus('alice', key.id, 'Inactive');
      expect(await ram.listAccessKeys('alice')).toEqual([{ accessKeyId: key.id, status: 'Inactive' }]);
      expect(await ram.listAccessKeys('bob')).toEqual([{ accessKeyId: other.id, status: 'Active' }]);
      await ram.setAccessKeyStatus('alice', key.id, 'Active');
      expect(emu.state.snapshot().users.find((u) => u.userName === 'alice')!.accessKeys).toEqual(['Active']);
    });
  });

  describe('login profiles', () => {
    it('answers undefined without one, creates one, and deletes it idempotently', async () => {
      const ram = api();
      expect(await ram.getLoginProfile('alice')).toBeUndefined();
      await ram.createLoginProfile('alice', { password: 'Tmp-Passw0rd!x', passwordResetRequired: true, mfaBindRequired: false });
      expect(await ram.getLoginProfile('alice')).toEqual({ passwordResetRequired: true, mfaBindRequired: false });
      await ram.deleteLoginProfile('alice');
      await ram.deleteLoginProfile('alice');
      expect(await ram.getLoginProfile('alice')).toBeUndefined();
    });
  });

  describe('credentials', () => {
    it('asks a credential function before calls, so refreshed STS keys are used', async () => {
      let asked = 0;
      const ram = api(() => { asked++; return AK; });
      await ram.createGroup({ groupName: 'dev' });
      await ram.listGroupsForUser('alice');
      expect(asked).toBe(2);
    });

    it('reports a wrong secret as an auth error without the secret', async () => {
      const error = await api({ accessKeyId: 'emulator-ak', accessKeySecret: 'not-the-secret' }).listGroupsForUser('alice').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FinalRamError);
      expect((error as FinalRamError).retryable).toBe(false);
      expect((error as Error).message).not.toContain('not-the-secret');
    });

    it('reports missing credentials with what to set', async () => {
      const error = await api(() => { throw new Error('no context'); }).listGroupsForUser('alice').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RamAuthError);
      expect((error as RamAuthError).recommendedAction).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
    });
  });
});
