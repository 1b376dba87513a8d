/**
 * A person whose id in a file export is 30 Chinese characters (90 UTF-8 bytes, 270 once escaped
 * for a file name): their suspension record's key is too long for a file name as such, and before
 * state keys were hashed suspending them failed on every run. Suspended and restored end to end,
 * with the state on files as in FC (NAS) and a fresh store for each run, as a new instance would.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { createFileSource } from '../../../functions/lib/sources/file';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import { type SyncSettings, runFullSync } from '../../../functions/lib/sync/fullSync';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const settings: SyncSettings = { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD };
const id = '研发中心平台技术部基础架构组云原生团队资深工程师张三丰第二号'.slice(0, 30);

describe('a person with a 30-character Chinese id from a file export', () => {
  let h: RamHarness;
  let dir: string;
  beforeEach(async () => {
    h = await startRamHarness();
    dir = await mkdtemp(join(tmpdir(), 'long-ids-'));
  });
  afterEach(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sync = async (status: 'active' | 'disabled') => {
    const file = join(dir, 'directory.csv');
    await writeFile(file, `id,userName,displayName,status\n${id},zhang.sanfeng,张三丰,${status}\n`);
    return runFullSync({
      sources: [createFileSource(file)], target: h.ram, state: new FileStateStore(join(dir, 'nas')), settings,
      dryRun: false, runId: `run-${status}`, log: () => undefined,
    });
  };

  it('is suspended and restored, exactly', async () => {
    expect(id).toHaveLength(30);
    expect((await sync('active')).result?.summary).toMatchObject({ created: 1, failed: 0 });
    const key = h.emulator.state.attachAccessKey('zhang.sanfeng').id;
    h.emulator.state.createLoginProfile('zhang.sanfeng');

    expect((await sync('disabled')).result?.summary).toMatchObject({ suspended: 1, failed: 0 });
    const user = () => h.emulator.state.snapshot().users.find((u) => u.userName === 'zhang.sanfeng')!;
    const keys = () => h.emulator.state.accessKeysOf('zhang.sanfeng').map((k) => [k.id, k.status]);
    expect(user().loginProfile).toBe(false);
    expect(keys()).toEqual([[key, 'Inactive']]);
    const state = new FileStateStore(join(dir, 'nas'));
    expect(await state.list('suspension/')).toEqual([`suspension/file:${id}`]);
    expect((await readdir(join(dir, 'nas'))).some((name) => name.includes('~'))).toBe(true);

    expect((await sync('active')).result?.summary).toMatchObject({ restored: 1, failed: 0 });
    expect(user().loginProfile).toBe(true);
    expect(keys()).toEqual([[key, 'Active']]);
    expect(await state.list('suspension/')).toEqual([]);
  });
});
