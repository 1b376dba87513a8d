import type { Change, Department, Identity } from '../../../functions/lib/core/model';
import type { ProvisioningLogLine } from '../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES } from '../../../functions/lib/core/rules';
import { syncChanges } from '../../../functions/lib/sync/changeSync';
import { HeldList } from '../../../functions/lib/sync/heldList';
import type { SyncSettings } from '../../../functions/lib/sync/fullSync';
import { ArraySource } from '../../support/ArraySource';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const departments: Department[] = [
  { source: 'file', sourceId: 'eng', name: 'Engineering' },
  { source: 'file', sourceId: 'platform', name: 'Platform', parentId: 'eng' },
];
const settings: SyncSettings = {
  rules: { ...DEFAULT_MAPPING_RULES, userName: ['{userName}'], groups: [{ department: 'Engineering', group: 'engineering' }] },
  policy: DEFAULT_DEPROVISION_POLICY,
  safeguard: { maxDeletes: 2, maxDeletePercent: 10, windowMinutes: 60 },
};
const person = (id: string, userName: string, departmentIds: string[] = []): Identity => ({
  source: 'file', sourceId: id, userName, displayName: userName.toUpperCase(), departmentIds, status: 'active',
});
const change = (sourceId: string, source: Change['source'] = 'file'): Change => ({ source, kind: 'user', sourceId, reason: 'test' });

describe('syncChanges (the push path)', () => {
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  const push = (people: Identity[], changes: Change[]) => syncChanges({
    changes, sources: [new ArraySource('file', people, departments)], target: h.ram, state: h.state, settings,
    runId: 'push-1', changeId: 'msg-42', log: (l) => lines.push(l),
  });

  beforeEach(async () => { h = await startRamHarness(); lines = []; });
  afterEach(() => h.close());

  it('creates the named person, with groups from an ancestor department, logging the change id', async () => {
    const report = await push([person('p1', 'bob', ['platform'])], [change('p1')]);
    expect(report.result.summary).toMatchObject({ created: 1, failed: 0 });
    expect(h.emulator.state.snapshot().users).toEqual([expect.objectContaining({ userName: 'bob', externalId: 'file:p1', groups: ['engineering'] })]);
    expect(lines).toContainEqual(expect.objectContaining({ changeId: 'msg-42', externalId: 'file:p1', action: 'create', status: 'succeeded' }));
  });

  it("reads each department once, however many of the batch's people share it (and its ancestors)", async () => {
    const source = new ArraySource('file', Array.from({ length: 30 }, (_, i) => person(`p${i}`, `user${i}`, ['platform'])), departments);
    const report = await syncChanges({
      changes: Array.from({ length: 30 }, (_, i) => change(`p${i}`)), sources: [source], target: h.ram, state: h.state, settings,
      runId: 'push-1', log: () => {},
    });
    expect(report.result.summary).toMatchObject({ created: 30, failed: 0 });
    expect(source.calls.getDepartment).toBe(2); // platform, then eng
  });

  it('takes a suffixed name when a user it could not see (made in the console) holds the wanted one', async () => {
    h.emulator.state.seedConsoleUser('bob', 'Bob from the console');
    const report = await push([person('p1', 'bob')], [change('p1')]);
    expect(report.result.summary).toMatchObject({ created: 1, failed: 0 });
    const ours = h.emulator.state.userByExternalId('file:p1')!;
    expect(ours.userName).toMatch(/^bob-[0-9a-f]{6}$/);
    expect(h.emulator.state.userByName('bob')?.displayName).toBe('Bob from the console');

    h.emulator.counters.reset();
    const again = await push([person('p1', 'bob')], [change('p1')]);
    expect(again.result.summary).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(h.emulator.counters.writes).toBe(0);
  });

  it('deprovisions a person who is gone at the source, and does nothing for someone never provisioned', async () => {
    await push([person('p1', 'carol')], [change('p1')]);
    const report = await push([], [change('p1'), change('never-seen')]);
    expect(report.result.summary).toMatchObject({ deleted: 1, failed: 0 });
    expect(h.emulator.state.users()).toEqual([]);
  });

  it('acts once on duplicates within a batch, and drops changes of sources not configured here', async () => {
    const report = await push([person('p1', 'dan')], [change('p1'), change('p1'), change('x', 'dingtalk')]);
    expect(report.ignored).toEqual([change('x', 'dingtalk')]);
    expect(report.plan.steps.filter((s) => s.kind === 'user')).toHaveLength(1);
    expect(h.emulator.state.users()).toHaveLength(1);
  });

  it('deprovisions within the count limit and stages the rest of the batch on the held list', async () => {
    const people = ['a', 'b', 'c'].map((n) => person(n, n));
    await push(people, people.map((p) => change(p.sourceId)));
    const report = await push([], people.map((p) => change(p.sourceId)));
    expect(report.plan.safeguard).toMatchObject({ held: true, deprovisions: 3, staged: 1, heldTotal: 1 });
    expect(report.result.summary).toMatchObject({ staged: 1, deleted: 2 });
    expect(h.emulator.state.users().map((u) => u.externalId)).toEqual(['file:c']);
    expect(lines).toContainEqual(expect.objectContaining({
      externalId: 'file:c', action: 'delete', status: 'staged', changeId: 'msg-42',
      reason: expect.stringMatching(/absent at the source.*staged by the deletion safeguard: 3 deprovisions in 60 min would exceed the limits/),
      recommendedAction: expect.stringMatching(/npm run sync -- --release file:c/),
    }));
  });
});

describe('syncChanges: a source id that changed (WeCom NewUserID)', () => {
  let h: RamHarness;
  beforeEach(async () => { h = await startRamHarness(); });
  afterEach(() => h.close());

  it('keeps the same RAM user, re-linked to the new id, and does it once', async () => {
    const lines: ProvisioningLogLine[] = [];
    const run = (people: Identity[], changes: Change[]) => syncChanges({
      changes, sources: [new ArraySource('file', people, departments)], target: h.ram, state: h.state,
      settings: { ...settings, rules: { ...settings.rules, groups: [] } }, runId: 'r', log: (l) => lines.push(l),
    });
    await run([person('old-id', 'erin')], [change('old-id')]);
    const before = h.emulator.state.userByExternalId('file:old-id')!;

    const renamed = { ...change('new-id'), hint: { previousSourceId: 'old-id' } };
    const report = await run([person('new-id', 'erin')], [renamed, renamed]);
    expect(report.result.summary).toMatchObject({ created: 0, failed: 0 });
    expect(h.emulator.state.users()).toEqual([expect.objectContaining({ id: before.id, externalId: 'file:new-id', userName: 'erin' })]);
    expect(lines.filter((l) => l.action === 'rekey')).toHaveLength(1);

    await run([person('new-id', 'erin')], [renamed]);
    expect(h.emulator.state.users()).toHaveLength(1);
  });

  it('moves their place on the held list with them', async () => {
    const strict = { ...settings, rules: { ...settings.rules, groups: [] }, safeguard: { ...settings.safeguard, maxDeletes: 0 } };
    const run = (people: Identity[], changes: Change[]) => syncChanges({
      changes, sources: [new ArraySource('file', people, departments)], target: h.ram, state: h.state,
      settings: strict, runId: 'r', log: () => undefined,
    });
    const disabled = (id: string): Identity => ({ ...person(id, 'erin'), status: 'disabled' });
    await run([person('old-id', 'erin')], [change('old-id')]);
    await run([disabled('old-id')], [change('old-id')]);
    expect((await new HeldList(h.state).entries()).map((e) => [e.externalId, e.action])).toEqual([['file:old-id', 'suspend']]);

    await run([disabled('new-id')], [{ ...change('new-id'), hint: { previousSourceId: 'old-id' } }]);
    expect((await new HeldList(h.state).entries()).map((e) => [e.externalId, e.action])).toEqual([['file:new-id', 'suspend']]);
  });
});
