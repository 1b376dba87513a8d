import path from 'node:path';
import type { Source } from '../../../functions/lib/core/ports';
import type { Identity } from '../../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { createFileSource } from '../../../functions/lib/sources/file';
import { type SyncSettings, runFullSync } from '../../../functions/lib/sync/fullSync';
import type { ProvisioningLogLine } from '../../../functions/lib/core/ports';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';
import { ArraySource } from '../../support/ArraySource';

const SAMPLE = path.resolve(__dirname, '../../../infra/sample/directory.json');
const settings: SyncSettings = {
  rules: { ...DEFAULT_MAPPING_RULES, groups: [{ department: 'eng', group: 'engineering' }, { department: 'finance', group: 'finance' }] },
  policy: DEFAULT_DEPROVISION_POLICY,
  safeguard: DEFAULT_SAFEGUARD,
};

describe('runFullSync against the RAM emulator', () => {
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  const log = (line: ProvisioningLogLine) => lines.push(line);
  const keysOf = (userName: string) => h.emulator.state.accessKeysOf(userName).map((k) => ({ accessKeyId: k.id, status: k.status }));
  const sync = (sources: Source[], extra: Partial<Parameters<typeof runFullSync>[0]> = {}) => runFullSync({
    sources, target: h.ram, state: h.state, settings, dryRun: false, runId: 'run-1', log, ...extra,
  });

  beforeEach(async () => { h = await startRamHarness(); lines = []; });
  afterEach(() => h.close());

  it('a dry run plans everything and writes nothing', async () => {
    const report = await sync([createFileSource(SAMPLE)], { dryRun: true });
    expect(report.plan.summary.create).toBeGreaterThan(5);
    expect(h.emulator.counters.writes).toBe(0);
    expect(h.emulator.state.users()).toEqual([]);
    expect(lines.every((l) => l.status === 'planned')).toBe(true);
  });

  it('creates the sample people with their groups, then a second run changes nothing and writes nothing', async () => {
    const first = await sync([createFileSource(SAMPLE)]);
    expect(first.result?.summary.failed).toBe(0);
    const created = first.result!.summary.created;
    expect(created).toBe(first.plan.summary.create);
    const names = h.emulator.state.users().map((u) => u.userName);
    expect(names).toEqual(expect.arrayContaining(['alice.wang', 'bob.chen', 'li.na']));
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    const eng = h.emulator.state.snapshot().groups.find((g) => g.groupName === 'engineering');
    expect(eng?.members).toEqual(expect.arrayContaining(['alice.wang', 'bob.chen', 'carol.zhao']));

    h.emulator.counters.reset();
    const second = await sync([createFileSource(SAMPLE)]);
    expect(second.result?.summary).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(second.result?.summary.unchanged).toBe(second.plan.steps.filter((s) => s.kind === 'user').length);
    expect(h.emulator.counters.writes).toBe(0);
  });

  it('writes one provisioning-log line per step, without email or mobile', async () => {
    const report = await sync([createFileSource(SAMPLE)]);
    expect(lines).toHaveLength(report.plan.steps.length);
    for (const line of lines) expect(line).toMatchObject({ runId: 'run-1', action: expect.any(String), status: expect.any(String) });
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/@example\.(com|cn)/);
    expect(text).not.toMatch(/138000000/);
  });

  it('suspends a disabled person, remembering what it changed, and restores exactly that', async () => {
    const alice: Identity = { source: 'file', sourceId: 'a1', userName: 'alice', displayName: 'Alice', departmentIds: [], status: 'active' };
    await sync([new ArraySource('file', [alice])]);
    const key = h.emulator.state.attachAccessKey('alice').id;
    h.emulator.state.createLoginProfile('alice');

    const suspended = await sync([new ArraySource('file', [{ ...alice, status: 'disabled' }])]);
    expect(suspended.result?.summary.suspended).toBe(1);
    let snap = h.emulator.state.snapshot().users.find((u) => u.userName === 'alice')!;
    expect(snap.loginProfile).toBe(false);
    expect(keysOf('alice')).toEqual([{ accessKeyId: key, status: 'Inactive' }]);

    const again = await sync([new ArraySource('file', [{ ...alice, status: 'disabled' }])]);
    expect(again.result?.summary).toMatchObject({ suspended: 0, unchanged: 1 });

    const restored = await sync([new ArraySource('file', [alice])]);
    expect(restored.result?.summary.restored).toBe(1);
    snap = h.emulator.state.snapshot().users.find((u) => u.userName === 'alice')!;
    expect(snap.loginProfile).toBe(true);
    expect(keysOf('alice')).toEqual([{ accessKeyId: key, status: 'Active' }]);
    expect(await h.state.list('suspension/')).toEqual([]);
  });

  it('refuses, with the reason and what to do, to delete a leaver who still has an AccessKey', async () => {
    const bob: Identity = { source: 'file', sourceId: 'b1', userName: 'bob', displayName: 'Bob', departmentIds: [], status: 'active' };
    await sync([new ArraySource('file', [bob])]);
    h.emulator.state.attachAccessKey('bob');
    const report = await sync([new ArraySource('file', [])]);
    const failed = report.result!.outcomes.find((o) => o.status === 'failed')!;
    expect(failed.failure).toMatchObject({ code: 'DeleteConflict.User.AccessKey', retryable: false, recommendedAction: expect.stringMatching(/AccessKey/) });
    expect(h.emulator.state.userByName('bob')).toBeDefined();
    expect(lines.find((l) => l.status === 'failed')).toMatchObject({ userName: 'bob', recommendedAction: expect.any(String) });
  });

  it('removes our memberships before deleting a leaver, and leaves console users alone', async () => {
    h.emulator.state.seedConsoleUser('root-admin', 'Console Admin');
    const people: Identity[] = [
      { source: 'file', sourceId: 'c1', userName: 'carol', displayName: 'Carol', departmentIds: ['finance'], status: 'active' },
      { source: 'file', sourceId: 'd1', userName: 'dan', displayName: 'Dan', departmentIds: ['finance'], status: 'active' },
    ];
    await sync([new ArraySource('file', people, [{ source: 'file', sourceId: 'finance', name: 'Finance' }])]);
    const report = await sync([new ArraySource('file', people.slice(0, 1), [{ source: 'file', sourceId: 'finance', name: 'Finance' }])]);
    expect(report.result?.summary).toMatchObject({ deleted: 1, failed: 0 });
    const snap = h.emulator.state.snapshot();
    expect(snap.users.map((u) => u.userName).sort()).toEqual(['carol', 'root-admin']);
    expect(snap.groups.find((g) => g.groupName === 'finance')?.members).toEqual(['carol']);
  });

  it('holds mass deletions as staged until the run allows them', async () => {
    const people: Identity[] = Array.from({ length: 5 }, (_, i) => ({
      source: 'file' as const, sourceId: `p${i}`, userName: `p${i}`, displayName: `P${i}`, departmentIds: [], status: 'active' as const,
    }));
    await sync([new ArraySource('file', people)]);
    const held = await sync([new ArraySource('file', [])]);
    expect(held.plan.safeguard?.held).toBe(true);
    expect(held.result?.summary).toMatchObject({ staged: 5, deleted: 0 });
    expect(h.emulator.state.users()).toHaveLength(5);
    expect(lines.filter((l) => l.status === 'staged')).toHaveLength(5);

    const released = await sync([new ArraySource('file', [])], { allowDeletes: 5 });
    expect(released.result?.summary).toMatchObject({ deleted: 5, staged: 0 });
    expect(h.emulator.state.users()).toHaveLength(0);
  });

  it('aborts, changing nothing, when a source cannot be listed', async () => {
    await sync([new ArraySource('file', [{ source: 'file', sourceId: 'x', userName: 'x', displayName: 'X', departmentIds: [], status: 'active' }])]);
    h.emulator.counters.reset();
    class UnreadableSource extends ArraySource {
      override async *listUsers(): AsyncGenerator<Identity> { throw new Error('export unreadable'); }
    }
    await expect(sync([new UnreadableSource('file', [])])).rejects.toThrow('export unreadable');
    expect(h.emulator.counters.writes).toBe(0);
  });
});
