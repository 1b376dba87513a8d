/**
 * Department changes on the local stack, for each vendor (its API fake, its signed callbacks, the
 * built bundles, FC's invoke API, the durable queue, the RAM emulator): a department moved under an
 * excluded one, renamed onto and off a group rule's name, and deleted after its people moved out.
 * push re-plans every member from the vendor's listing; RAM follows, deprovisions spend the deletion
 * budget (2 here) and the rest wait on the held list; each department change is logged with how many
 * people it re-planned.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import { FailedChanges } from '../../../functions/lib/sync/failedChanges';
import { HeldList } from '../../../functions/lib/sync/heldList';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { VENDORS, type VendorDriver, type VendorName, startVendor } from '../../support/departmentVendors';

const CONTRACTORS = 2;
const FIELD_OPS = 3;
const FIELD_OPS_EAST = 4;
const TOOLING = 5;
const PLATFORM = 6;
const STUDIO = 7;
const GROUP = 'platform-team';
const FIELD_PEOPLE = [1, 2, 3, 4, 5];
const TOOLING_PEOPLE = [6, 7, 8];
const STUDIO_PEOPLE = [10, 11];

describe.each(VENDORS)('department changes on the local stack: %s', (vendor: VendorName) => {
  let dir: string;
  let stack: LocalStack;
  let source: VendorDriver;
  const logs: Record<string, unknown>[] = [];
  let write: jest.SpyInstance;

  const send = async (request: { url: string; body: string; headers: Record<string, string> }) => {
    const answer = await fetch(`${stack.url}${request.url}`, { method: 'POST', headers: request.headers, body: request.body });
    expect(answer.status).toBe(200);
    await stack.idle(60_000);
  };
  const ram = () => stack.emulator!.state;
  const userName = (n: number) => ram().userByExternalId(source.externalId(n))!.userName;
  const groupMembers = () => ram().usersForGroup(GROUP).map((m) => m.user.externalId).sort();
  const state = () => new FileStateStore(stack.stateDir);
  const hasLogin = (n: number) => {
    try {
      return ram().loginProfileOf(userName(n)) !== undefined;
    } catch (error) {
      if ((error as { code?: string }).code === 'EntityNotExist.User.LoginProfile') return false;
      throw error;
    }
  };
  const keyStatuses = (n: number) => ram().accessKeysOf(userName(n)).map((k) => k.status);
  const departmentLines = (id: number) => logs.filter((l) => l.action === 'resync-department' && l.departmentId === source.departmentId(id));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), `departments-${vendor}-`));
    // An empty file source instead of the shipped sample, whose own "Platform" department would join the group.
    const directory = path.join(dir, 'directory.json');
    await writeFile(directory, JSON.stringify({ departments: [], people: [] }));
    source = await startVendor(vendor);
    source.addDepartment(CONTRACTORS, 'Contractors');
    source.addDepartment(FIELD_OPS, 'Field Ops');
    source.addDepartment(FIELD_OPS_EAST, 'Field Ops East', FIELD_OPS);
    source.addDepartment(TOOLING, 'Tooling');
    source.addDepartment(PLATFORM, 'Platform');
    source.addDepartment(STUDIO, 'Studio');
    for (const n of [1, 2, 3]) source.addPerson(n, FIELD_OPS);
    for (const n of [4, 5]) source.addPerson(n, FIELD_OPS_EAST);
    for (const n of TOOLING_PEOPLE) source.addPerson(n, TOOLING);
    source.addPerson(9, PLATFORM);
    for (const n of STUDIO_PEOPLE) source.addPerson(n, STUDIO);

    // The provisioning log: push's JSON lines on stdout (FC ships them to SLS), kept here instead.
    write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      return true;
    });
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '', ...source.env(),
        SYNC_EXCLUDE_DEPARTMENTS: 'Contractors', SYNC_GROUP_RULES: `Platform=${GROUP}`,
        DEPROVISION_DELETED: 'suspend', SAFEGUARD_MAX_DELETES: '2',
        // Only the count limit: 10 % of a dozen people would hold the second deprovision already.
        SAFEGUARD_MAX_DELETE_PERCENT: '100',
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20, timers: {},
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    write?.mockRestore();
    await source?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs everyone with a full sync; the Platform department fills its group', async () => {
    const full = await stack.fullSync({ dryRun: false });
    expect(full.result).toMatchObject({ failed: 0, staged: 0 });
    for (const n of [...FIELD_PEOPLE, ...TOOLING_PEOPLE, 9, ...STUDIO_PEOPLE]) {
      expect(ram().userByExternalId(source.externalId(n))).toMatchObject({ userName: `person.${n}` });
    }
    expect(groupMembers()).toEqual([source.externalId(9)]);
    // Something for a suspension to take away, so RAM shows who was suspended.
    for (const n of FIELD_PEOPLE) {
      ram().attachAccessKey(userName(n));
      ram().createLoginProfile(userName(n));
    }
  }, 60_000);

  it('moved under the excluded department: two of its five people (one level down too) are suspended, three held', async () => {
    source.moveDepartment(FIELD_OPS, CONTRACTORS);
    await send(source.departmentCallback(FIELD_OPS, 'modified'));

    // push judges deprovisions one at a time in externalId order: the first two fit the budget.
    const order = FIELD_PEOPLE.map((n) => ({ n, id: source.externalId(n) })).sort((a, b) => (a.id < b.id ? -1 : 1));
    const [spent, kept] = [order.slice(0, 2), order.slice(2)];
    for (const { n } of spent) expect([keyStatuses(n), hasLogin(n)]).toEqual([['Inactive'], false]);
    for (const { n } of kept) expect([keyStatuses(n), hasLogin(n)]).toEqual([['Active'], true]);
    for (const n of FIELD_PEOPLE) expect(ram().userByExternalId(source.externalId(n))).toBeDefined();

    const held = await new HeldList(state()).entries();
    expect(held.map((e) => e.externalId).sort()).toEqual(kept.map((k) => k.id));
    for (const entry of held) {
      expect(entry).toMatchObject({ action: 'suspend', source: vendor, path: 'push', stepReason: expect.stringMatching(/out of scope/) });
    }
  }, 90_000);

  it('renamed to the name a group rule uses: its people join the group; renamed away: they leave it', async () => {
    source.renameDepartment(TOOLING, 'Platform');
    await send(source.departmentCallback(TOOLING, 'modified'));
    expect(groupMembers()).toEqual([...TOOLING_PEOPLE, 9].map(source.externalId).sort());

    source.renameDepartment(TOOLING, 'Tooling');
    await send(source.departmentCallback(TOOLING, 'modified'));
    expect(groupMembers()).toEqual([source.externalId(9)]);
    for (const n of TOOLING_PEOPLE) expect(ram().userByExternalId(source.externalId(n))).toMatchObject({ userName: `person.${n}` });
  }, 90_000);

  it('deleted after its people moved out (each with their own callback): RAM follows the moves; the deletion settles', async () => {
    for (const n of STUDIO_PEOPLE) {
      source.movePerson(n, PLATFORM);
      await send(source.personCallback(n));
    }
    expect(groupMembers()).toEqual([9, ...STUDIO_PEOPLE].map(source.externalId).sort());

    source.deleteDepartment(STUDIO);
    await send(source.departmentCallback(STUDIO, 'deleted'));
    expect(groupMembers()).toEqual([9, ...STUDIO_PEOPLE].map(source.externalId).sort());
    expect((await new FailedChanges(state()).list()).entries).toEqual([]);
    expect(departmentLines(STUDIO)).toEqual([
      expect.objectContaining({ status: 'succeeded', reason: expect.stringMatching(/the department no longer exists; nobody is left in it to re-plan/) }),
    ]);
  }, 90_000);

  it('logs each department change with how many people it re-planned', () => {
    expect(departmentLines(FIELD_OPS)).toEqual([
      expect.objectContaining({ msg: 'provisioning', status: 'succeeded', reason: expect.stringMatching(/: 5 member\(s\) re-planned$/) }),
    ]);
    expect(departmentLines(TOOLING)).toEqual([
      expect.objectContaining({ status: 'succeeded', reason: expect.stringMatching(/: 3 member\(s\) re-planned$/) }),
      expect.objectContaining({ status: 'succeeded', reason: expect.stringMatching(/: 3 member\(s\) re-planned$/) }),
    ]);
    // The same counts in push's result, one line per department change.
    const results = logs.filter((l) => l.msg === 'department re-planned').map(({ departmentId, members, deleted }) => ({ departmentId, members, deleted }));
    expect(results).toEqual([
      { departmentId: source.departmentId(FIELD_OPS), members: 5, deleted: undefined },
      { departmentId: source.departmentId(TOOLING), members: 3, deleted: undefined },
      { departmentId: source.departmentId(TOOLING), members: 3, deleted: undefined },
      { departmentId: source.departmentId(STUDIO), members: 0, deleted: true },
    ]);
  });
});
