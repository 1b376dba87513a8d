import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as $Ram from '@alicloud/ram20150501';
import {
  EmulatorState,
  EmulatorStateFileError,
  InvalidEmulatorStateError,
  startRamEmulator,
  type RunningEmulator,
} from '../../../infra/emulator/RamEmulator';
import { ramClient, scim, scimToken, scimUser, SERVER_APP, basic } from './helpers';

/** Fills an account through every surface: SCIM users, OpenAPI groups and profiles, seeded keys. */
async function populate(emu: RunningEmulator): Promise<void> {
  const token = await scimToken(emu);
  for (const [name, ext] of [['alice', 'ad:1'], ['bob', 'ad:2'], ['carol', 'ad:3']] as const) {
    expect((await scim(emu, token, 'POST', '/Users', scimUser(name, name.toUpperCase(), ext))).status).toBe(201);
  }
  emu.state.seedConsoleUser('admin', 'Console Admin');
  const ram = ramClient(emu);
  await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'dev', comments: 'Developers' }));
  await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'dev', userName: 'alice' }));
  await ram.createLoginProfile(new $Ram.CreateLoginProfileRequest({ userName: 'bob', password: 'Pa55-word!x', passwordResetRequired: true }));
  const key = emu.state.attachAccessKey('admin');
  await ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: 'admin', userAccessKeyId: key.id, status: 'Inactive' }));
  emu.state.attachAccessKey('admin');
  emu.state.attachPolicy('admin', 'AdministratorAccess');
  emu.state.bindMfa('admin');
}

describe('RAM emulator persistence', () => {
  let dir: string;
  let file: string;
  const running: RunningEmulator[] = [];
  const start = async (stateFile = file): Promise<RunningEmulator> => {
    const emu = await startRamEmulator({ stateFile });
    running.push(emu);
    return emu;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ram-emulator-'));
    file = join(dir, 'nested', '.state', 'emulator.json'); // the directory does not exist yet
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emu) => emu.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('restores the whole account, ids and dates included, after a restart', async () => {
    const first = await start();
    await populate(first);
    const before = { snapshot: first.state.snapshot(), saved: first.state.toJSON() };
    const alice = first.state.userByName('alice');
    await first.close();

    const second = await start();
    expect(second.state.snapshot()).toEqual(before.snapshot);
    expect(second.state.toJSON()).toEqual(before.saved);
    expect(second.state.accessKeysOf('admin').map((k) => k.status).sort()).toEqual(['Active', 'Inactive']);
    expect(second.state.loginProfileOf('bob').passwordResetRequired).toBe(true);

    const token = await scimToken(second);
    const got = await scim(second, token, 'GET', `/Users/${alice?.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: alice?.id, userName: 'alice', externalId: 'ad:1' });
  });

  it('never hands out an id used before the restart', async () => {
    const first = await start();
    await populate(first);
    const old = first.state.toJSON();
    const oldIds = new Set([...old.users, ...old.groups, ...old.accessKeys].map((x) => x.id));
    await first.close();

    const second = await start();
    const token = await scimToken(second);
    const created = await scim(second, token, 'POST', '/Users', scimUser('dave', 'Dave', 'ad:4'));
    expect(created.status).toBe(201);
    const group = second.state.createGroup('ops', '');
    second.state.unbindMfa('admin');
    second.state.bindMfa('admin');
    const key = second.state.attachAccessKey('carol');
    for (const id of [created.body.id, group.id, key.id]) expect(oldIds.has(id)).toBe(false);
    expect(second.state.toJSON().mfaDevices[0]?.serialNumber).not.toBe(old.mfaDevices[0]?.serialNumber);
  });

  it('saves after a write without waiting for close, atomically', async () => {
    const emu = await start();
    const token = await scimToken(emu);
    await scim(emu, token, 'POST', '/Users', scimUser('alice', 'Alice', 'ad:1'));
    const saved = await waitFor(async () => {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text.includes('ad:1') ? text : undefined;
    });
    expect(EmulatorState.fromJSON(JSON.parse(saved)).snapshot()).toEqual(emu.state.snapshot());
    expect(await readdir(join(dir, 'nested', '.state'))).toEqual(['emulator.json']); // no temp file left behind
  });

  it('keeps every user of a concurrent burst', async () => {
    const emu = await start();
    const token = await scimToken(emu);
    const names = Array.from({ length: 300 }, (_, i) => `user${i}`);
    const replies = await Promise.all(names.map((n) => scim(emu, token, 'POST', '/Users', scimUser(n, n, `ad:${n}`))));
    expect(replies.every((r) => r.status === 201)).toBe(true);
    await emu.close();
    const restored = EmulatorState.fromJSON(JSON.parse(await readFile(file, 'utf8')));
    expect(restored.users().map((u) => u.userName).sort()).toEqual([...names].sort());
  });

  it('starts empty when the file does not exist yet', async () => {
    const emu = await start();
    expect(emu.state.snapshot()).toEqual({ users: [], groups: [] });
  });

  describe('refuses a state file it cannot trust, naming the file', () => {
    const refusal = async (content: string): Promise<EmulatorStateFileError> => {
      await writeFile(join(dir, 'bad.json'), content);
      const err = await startRamEmulator({ stateFile: join(dir, 'bad.json') }).then(
        (emu) => {
          running.push(emu);
          throw new Error('expected the emulator to refuse the file');
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(EmulatorStateFileError);
      expect((err as Error).message).toContain(join(dir, 'bad.json'));
      return err as EmulatorStateFileError;
    };
    const valid = (): Record<string, unknown> => new EmulatorState().toJSON() as unknown as Record<string, unknown>;
    const user = (id: string, userName: string) => ({
      id, userName, displayName: 'x', createdBy: 'scim', createDate: '2024-01-01T00:00:00Z', updateDate: '2024-01-01T00:00:00Z',
    });

    it('that is not JSON, without quoting its content', async () => {
      const err = await refusal('{"users": [ "alice@example.com" ');
      expect(err.message).toMatch(/not valid JSON/);
      expect(err.message).not.toContain('alice@example.com');
    });

    it('of another version', async () => {
      expect((await refusal(JSON.stringify({ ...valid(), v: 2 }))).message).toMatch(/unsupported state version 2/);
    });

    it('with a malformed field', async () => {
      const err = await refusal(JSON.stringify({ ...valid(), users: [{ ...user('1', 'a'), createdBy: 'robot' }] }));
      expect(err.message).toMatch(/users\.0\.createdBy/);
      expect(err.cause).toBeInstanceOf(InvalidEmulatorStateError);
    });

    it('whose references or names do not hold, without naming users', async () => {
      const doc = {
        ...valid(),
        users: [user('1', 'alice@example.com'), user('2', 'ALICE@example.com')],
        memberships: [{ userId: '1', groupId: '99', joinDate: '2024-01-01T00:00:00Z' }],
      };
      const err = await refusal(JSON.stringify(doc));
      expect(err.message).toMatch(/duplicate user name/);
      expect(err.message).toMatch(/missing group 99/);
      expect(err.message).not.toMatch(/alice/i);
    });
  });

  describe('marks every answer with x-ram-emulator: 1', () => {
    let emu: RunningEmulator;
    beforeEach(async () => {
      emu = await startRamEmulator();
      running.push(emu);
    });

    it('on SCIM, discovery and unknown paths included', async () => {
      expect((await fetch(`${emu.scimUrl}/ResourceTypes`)).headers.get('x-ram-emulator')).toBe('1');
      expect((await scim(emu, undefined, 'GET', '/Users')).headers.get('x-ram-emulator')).toBe('1');
      expect((await fetch(`${emu.url}/nowhere`)).headers.get('x-ram-emulator')).toBe('1');
    });

    it('on the OpenAPI', async () => {
      const res = await ramClient(emu).listGroups(new $Ram.ListGroupsRequest({}));
      expect(res.headers?.['x-ram-emulator']).toBe('1');
    });

    it('on OAuth', async () => {
      const res = await fetch(`${emu.tokenUrl}?grant_type=client_credentials&client_id=${SERVER_APP.id}`, {
        method: 'POST',
        headers: { authorization: basic(SERVER_APP.id, SERVER_APP.secret) },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ram-emulator')).toBe('1');
    });
  });
});

/** Polls until `probe` yields a value (the save runs on a later event-loop turn). */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the state file');
    await new Promise((r) => setTimeout(r, 10));
  }
}
