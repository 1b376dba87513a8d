/**
 * The resumable full sync (issue 17): the settled plan is persisted and applied in chunks, each
 * checkpointed before the next; the next full sync continues an unfinished run from its checkpoint,
 * re-checking each step against RAM so an interrupted write is finished rather than repeated and a
 * stale step is skipped. Against the RAM emulator, with a file source.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Source, StateStore } from '../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { createFileSource } from '../../../functions/lib/sources/file';
import { Leases } from '../../../functions/lib/state/lease';
import { HeldList } from '../../../functions/lib/sync/heldList';
import { FullSyncBusyError, type FullSyncRun, type SyncSettings, runFullSync } from '../../../functions/lib/sync/fullSync';
import { FULL_SYNC_LEASE, FullSyncRuns, RUN_KEY, type RunRecord } from '../../../functions/lib/sync/fullSyncRun';
import type { FullSyncProgress } from '../../../functions/lib/sync/progress';
import { COMPANY_GROUPS, type CompanyOptions, writeCompany } from '../../support/companyDirectory';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const settings: SyncSettings = {
  rules: { ...DEFAULT_MAPPING_RULES, groups: COMPANY_GROUPS },
  policy: DEFAULT_DEPROVISION_POLICY,
  safeguard: { ...DEFAULT_SAFEGUARD, maxDeletes: 100, maxDeletePercent: 100 },
};

/** What RAM holds, without its ids: what two runs must agree on. */
function ramView(h: RamHarness): unknown {
  const snapshot = h.emulator.state.snapshot();
  return {
    users: h.emulator.state.users().map((u) => ({ userName: u.userName, displayName: u.displayName, externalId: u.externalId }))
      .sort((a, b) => a.userName.localeCompare(b.userName)),
    groups: snapshot.groups.map((g) => ({ name: g.groupName, members: [...g.members].sort() })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** A source that counts its full listings: a resumed run must not list again. */
function counting(source: Source): Source & { listings: number } {
  const counted = Object.create(source) as Source & { listings: number };
  counted.listings = 0;
  counted.listUsers = () => { counted.listings++; return source.listUsers(); };
  return counted;
}

/** Remembers every checkpoint written. */
function recordingRuns(state: StateStore): { state: StateStore; checkpoints: RunRecord[] } {
  const checkpoints: RunRecord[] = [];
  const wrapped: StateStore = Object.create(state);
  wrapped.put = async (key, value) => {
    if (key === RUN_KEY) checkpoints.push(value as RunRecord);
    return state.put(key, value);
  };
  return { state: wrapped, checkpoints };
}

describe('a full sync that outlives one invocation', () => {
  let h: RamHarness;
  let dir: string;
  let file: string;
  const company = (options: CompanyOptions) => writeCompany(file, options);
  const sync = (extra: Partial<FullSyncRun> = {}) => runFullSync({
    sources: [createFileSource(file)], target: h.ram, state: h.state, settings, dryRun: false, runId: 'run-1',
    log: () => undefined, chunkSteps: 5, ...extra,
  });
  /** Stops (checkpointed) once `steps` steps are done: the deadline as FC's timeout would bring it. */
  const stoppingAfter = (steps: number): Partial<FullSyncRun> => {
    let done = 0;
    return { deadline: 1, now: () => (done >= steps ? 10_000 : -10_000), onStep: () => { done++; } };
  };

  beforeEach(async () => {
    h = await startRamHarness();
    dir = mkdtempSync(path.join(tmpdir(), 'resume-'));
    file = path.join(dir, 'directory.json');
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the plan in chunks, checkpointing each before the next, and leaves no record when finished', async () => {
    company({ people: 23 });
    const { state, checkpoints } = recordingRuns(h.state);
    const report = await sync({ state });
    const total = report.plan.steps.length;
    expect(report.progress).toMatchObject({ finished: true, done: total, total, resumed: false });
    expect(checkpoints.map((c) => c.next)).toEqual([0, ...Array.from({ length: Math.ceil(total / 5) }, (_, i) => Math.min(total, (i + 1) * 5))]);
    expect(checkpoints.at(-1)!.summary).toMatchObject({ created: 23, failed: 0 });
    expect(await new FullSyncRuns(h.state).current()).toBeUndefined();
    expect(await h.state.list('full-sync/')).toEqual([]);
  });

  it('stopped at its deadline, is continued by the next full sync: no second listing, no write twice, the uninterrupted end state', async () => {
    company({ people: 30 });
    const source = counting(createFileSource(file));
    const first = await sync({ sources: [source], ...stoppingAfter(12) });
    expect(first.progress).toMatchObject({ finished: false, done: 15, resumed: false });
    expect((await new FullSyncRuns(h.state).current())?.next).toBe(15);
    const writesBefore = h.emulator.counters.writes;

    const second = await sync({ sources: [source], runId: 'run-2' });
    expect(second.runId).toBe('run-1');
    expect(second.progress).toMatchObject({ finished: true, done: first.plan.steps.length, resumed: true });
    expect(second.result!.summary).toMatchObject({ created: 30, failed: 0 });
    expect(source.listings).toBe(1);

    const resumedWrites = h.emulator.counters.writes - writesBefore;
    const clean = await startRamHarness();
    try {
      await runFullSync({ sources: [createFileSource(file)], target: clean.ram, state: clean.state, settings, dryRun: false, runId: 'c', log: () => undefined });
      expect(ramView(h)).toEqual(ramView(clean));
      expect(writesBefore + resumedWrites).toBe(clean.emulator.counters.writes);
    } finally {
      await clean.close();
    }
  });

  it('a crash after a write and before its checkpoint: the resumed run finds the write in RAM and does not repeat it', async () => {
    company({ people: 12 });
    let done = 0;
    const crash = sync({ concurrency: 1, onStep: () => { if (++done === 8) throw new Error('killed'); } });
    await expect(crash).rejects.toThrow('killed');
    // Steps 6..8 ran after the checkpoint at 5 (the 8th person's create and group landed).
    expect((await new FullSyncRuns(h.state).current())?.next).toBe(5);
    expect(h.emulator.state.users()).toHaveLength(6);

    const resumed = await sync({ runId: 'run-2' });
    expect(resumed.result!.summary).toMatchObject({ created: 12, failed: 0 });
    expect(h.emulator.state.users()).toHaveLength(12);
    // Every write happened once: 2 groups, 12 creates, and 8 of the people join a group.
    expect(h.emulator.counters.writes).toBe(2 + 12 + 8);
  });

  it('never applies a stale plan: a step whose person changed in RAM or left the source since the plan is skipped', async () => {
    company({ people: 10 });
    await sync({ chunkSteps: 100 });
    company({ people: 10, renameEvery: 3, hires: 2 }); // renames p0, p3, p6, p9; hires p10, p11
    const first = await sync({ ...stoppingAfter(0) });
    expect(first.progress).toMatchObject({ finished: false, done: 0 });

    // Meanwhile push renamed p3 differently, created p10 as planned, and p11 left the source.
    const p3 = (await h.ram.findUserByExternalId('file:p3'))!;
    await h.ram.replaceUser(p3.id, { userName: 'person.3', displayName: 'Person Three', externalId: 'file:p3' });
    await h.ram.createUser({ userName: 'person.10', displayName: 'Person 10', externalId: 'file:p10' });
    company({ people: 10, renameEvery: 3, hires: 1 });

    const lines: { externalId?: string; status: string; reason?: string }[] = [];
    const second = await sync({ runId: 'run-2', log: (l) => lines.push(l) });
    expect(second.progress?.finished).toBe(true);
    const byName = (n: string) => h.emulator.state.users().find((u) => u.userName === n);
    expect(byName('person.3')?.displayName).toBe('Person Three');
    expect(byName('person.0')?.displayName).toBe('Person 0 (renamed)');
    expect(byName('person.11')).toBeUndefined();
    expect(h.emulator.state.users().filter((u) => u.userName === 'person.10')).toHaveLength(1);
    const sales = h.emulator.state.snapshot().groups.find((g) => g.groupName === 'sales')!;
    expect(sales.members).toContain('person.10'); // finished: the group push had not added
    expect(lines.find((l) => l.externalId === 'file:p3')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('changed in RAM since the plan') });
    expect(lines.find((l) => l.externalId === 'file:p11')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no longer an active person') });
  });

  it('a dry run neither continues nor disturbs an unfinished run', async () => {
    company({ people: 12 });
    await sync({ ...stoppingAfter(4) });
    const before = await new FullSyncRuns(h.state).current();
    const writes = h.emulator.counters.writes;
    const dry = await sync({ dryRun: true, runId: 'dry' });
    expect(dry.dryRun).toBe(true);
    expect(dry.progress).toBeUndefined();
    expect(dry.plan.summary.create).toBe(12 - 3); // the first chunk: 2 groups and 3 people
    expect(h.emulator.counters.writes).toBe(writes);
    expect(await new FullSyncRuns(h.state).current()).toEqual(before);
  });

  it('one full sync at a time: while another holds the lease, a full sync is refused and says so', async () => {
    company({ people: 3 });
    await sync({ ...stoppingAfter(0) });
    const lease = await new Leases(h.state, { ttlMs: 60_000 }).tryAcquire(FULL_SYNC_LEASE);
    const refused = sync({ leaseWaitMs: 50 });
    await expect(refused).rejects.toBeInstanceOf(FullSyncBusyError);
    await expect(refused).rejects.toMatchObject({ retryable: true, reason: expect.stringContaining('run run-1, 0/') });
    await lease!.release();
    expect((await sync()).progress?.finished).toBe(true);
  });

  it('a release finished by a resumed invocation takes the people off the held list', async () => {
    company({ people: 12 });
    await sync({ chunkSteps: 100 });
    company({ people: 12, leftEvery: 4 }); // p1, p5, p9 left
    const strict = { ...settings, safeguard: { ...settings.safeguard, maxDeletes: 1 } };
    const held = await sync({ settings: strict, runId: 'held' });
    expect(held.plan.safeguard?.held).toBe(true);
    expect((await new HeldList(h.state).entries()).map((e) => e.externalId).sort()).toEqual(['file:p1', 'file:p5', 'file:p9']);

    await sync({ settings: strict, allowDeletes: true, runId: 'release', ...stoppingAfter(0) });
    const resumed = await sync({ settings: strict, runId: 'later' });
    expect(resumed.result!.summary).toMatchObject({ deleted: 3, failed: 0 });
    expect(await new HeldList(h.state).entries()).toEqual([]);
    expect(h.emulator.state.users()).toHaveLength(9);
  });

  it('reports progress: done, total, rate and time left every N steps, and a last line when it stops', async () => {
    company({ people: 20 });
    const lines: FullSyncProgress[] = [];
    const report = await sync({ progressEvery: { everySteps: 6, everyMs: 3_600_000 }, onProgress: (p) => lines.push(p) });
    const total = report.plan.steps.length;
    expect(lines.map((l) => l.done)).toEqual([0, 6, 12, 18, total]);
    for (const line of lines) expect(line).toMatchObject({ runId: 'run-1', total, rate: expect.any(Number), resumed: false });
    expect(lines.at(-1)).toMatchObject({ done: total, finished: true });
    expect(lines[0]).toMatchObject({ done: 0, rate: 0 }); // where it starts
    expect(lines[1]!.etaSeconds).toEqual(expect.any(Number));
  });
});
