/**
 * The deletion safeguard on every path, as an administrator meets it: a scope typo, a Lark app whose
 * contact scope was narrowed, a changed id type, a person back at the source, a held person enabled
 * again. Each ends with nobody deprovisioned who should not be, and the held list saying why.
 * Against the RAM emulator, with the Lark API fake where Lark is the source.
 */
import { IdentifierTypeChangedError, RetryableError } from '../../../functions/lib/core/errors';
import type { Change, Department, Identity } from '../../../functions/lib/core/model';
import type { ProvisioningLogLine, Source } from '../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { parseLarkSourceConfig } from '../../../functions/lib/sources/lark/config';
import { createLarkSource } from '../../../functions/lib/sources/lark/LarkSource';
import { syncChanges } from '../../../functions/lib/sync/changeSync';
import { type SyncSettings, runFullSync } from '../../../functions/lib/sync/fullSync';
import { HeldList } from '../../../functions/lib/sync/heldList';
import { releaseHeld } from '../../../functions/lib/sync/release';
import { ArraySource } from '../../support/ArraySource';
import { type LarkApiFake, larkUser, startLarkApi } from '../../support/larkApi';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const settings = (over: Partial<SyncSettings['rules']['scope']> = {}, safeguard = DEFAULT_SAFEGUARD): SyncSettings => ({
  rules: { ...DEFAULT_MAPPING_RULES, userName: ['{userName}'], scope: { ...DEFAULT_MAPPING_RULES.scope, ...over } },
  policy: DEFAULT_DEPROVISION_POLICY, safeguard,
});
const departments: Department[] = [{ source: 'file', sourceId: 'd-eng', name: 'Engineering' }];
const person = (i: number, status: Identity['status'] = 'active'): Identity => ({
  source: 'file', sourceId: `p${i}`, userName: `person${i}`, displayName: `Person ${i}`, departmentIds: ['d-eng'], status,
});
const change = (sourceId: string, reason = 'modify', source: Change['source'] = 'file'): Change => ({ source, kind: 'user', sourceId, reason });

describe('the safeguard on every path', () => {
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  const log = (line: ProvisioningLogLine) => { lines.push(line); };
  const full = (sources: Source[], s: SyncSettings, extra: { dryRun?: boolean; allowDeletes?: number | boolean } = {}) =>
    runFullSync({ sources, target: h.ram, state: h.state, settings: s, dryRun: false, runId: 'full', log, ...extra });
  const push = (sources: Source[], s: SyncSettings, changes: Change[]) =>
    syncChanges({ sources, target: h.ram, state: h.state, settings: s, runId: 'push', changeId: 'msg', log, changes });
  const inRam = () => h.emulator.state.users().map((u) => u.externalId).sort();
  const held = () => new HeldList(h.state).entries();

  beforeEach(async () => { h = await startRamHarness(); lines = []; });
  afterEach(() => h.close());

  it('a scope typo holds the full sync, and the modify events that follow delete nobody one by one', async () => {
    const people = Array.from({ length: 30 }, (_, i) => person(i));
    await full([new ArraySource('file', people, departments)], settings());
    expect(inRam()).toHaveLength(30);

    const typo = settings({ includeDepartments: ['Engineerign'] });
    const heldSync = await full([new ArraySource('file', people, departments)], typo);
    expect(heldSync.plan.safeguard).toMatchObject({ held: true, staged: 30, heldTotal: 30 });
    for (const p of people) {
      const report = await push([new ArraySource('file', people, departments)], typo, [change(p.sourceId)]);
      expect(report.result.summary).toMatchObject({ deleted: 0, staged: 1 });
    }
    expect(inRam()).toHaveLength(30);
    const entries = await held();
    expect(entries).toHaveLength(30);
    expect(entries[0]).toMatchObject({ path: 'full-sync', stepReason: expect.stringMatching(/out of scope/), reason: expect.stringMatching(/30 deprovisions in 60 min would exceed/) });

    // The typo fixed, the next full sync finds everyone in scope: they leave the list by themselves.
    const fixed = await full([new ArraySource('file', people, departments)], settings({ includeDepartments: ['Engineering'] }));
    expect(fixed.plan.safeguard).toMatchObject({ held: false, heldTotal: 0 });
    expect(await held()).toEqual([]);
  });

  it('a dry run shows what would be held and records nothing', async () => {
    const people = Array.from({ length: 30 }, (_, i) => person(i));
    await full([new ArraySource('file', people, departments)], settings());
    const dry = await full([new ArraySource('file', [], departments)], settings(), { dryRun: true });
    expect(dry.plan.safeguard).toMatchObject({ held: true, staged: 30 });
    expect(lines.filter((l) => l.status === 'planned' && /staged by the deletion safeguard/.test(l.reason))).toHaveLength(30);
    expect(await held()).toEqual([]);
    expect(await h.state.get('safeguard/ledger')).toBeUndefined();
  });

  it('a person held and then back at the source leaves the held list, and nothing happens to them', async () => {
    const strict = settings({}, { ...DEFAULT_SAFEGUARD, maxDeletes: 0 });
    await full([new ArraySource('file', [person(1)], departments)], strict);
    await push([new ArraySource('file', [], departments)], strict, [change('p1')]);
    expect((await held()).map((e) => e.externalId)).toEqual(['file:p1']);

    const back = await push([new ArraySource('file', [person(1)], departments)], strict, [change('p1')]);
    expect(back.result.summary).toMatchObject({ unchanged: 1, staged: 0 });
    expect(await held()).toEqual([]);
    expect(inRam()).toEqual(['file:p1']);
  });

  it("a held person's re-enable still restores what their earlier suspension took", async () => {
    const s = settings({}, { ...DEFAULT_SAFEGUARD, maxDeletes: 1, maxDeletePercent: 100 });
    await full([new ArraySource('file', [person(1), person(2)], departments)], s);
    h.emulator.state.attachAccessKey('person1');
    // Disabled: suspended within the budget (its AccessKey set Inactive).
    await push([new ArraySource('file', [person(1, 'disabled'), person(2)], departments)], s, [change('p1')]);
    expect(h.emulator.state.accessKeysOf('person1').map((k) => k.status)).toEqual(['Inactive']);
    // The budget spent, person2's departure is held; then person1 is gone too: held as well.
    await push([new ArraySource('file', [person(1, 'disabled')], departments)], s, [change('p2')]);
    await push([new ArraySource('file', [], departments)], s, [change('p1')]);
    expect((await held()).map((e) => [e.externalId, e.action])).toEqual([['file:p2', 'delete'], ['file:p1', 'delete']]);
    // person1 back and enabled: they leave the list, and the suspension is undone.
    const back = await push([new ArraySource('file', [person(1)], departments)], s, [change('p1')]);
    expect(back.result.summary).toMatchObject({ restored: 1, staged: 0 });
    expect(h.emulator.state.accessKeysOf('person1').map((k) => k.status)).toEqual(['Active']);
    expect((await held()).map((e) => e.externalId)).toEqual(['file:p2']);
  });

  it('a create that would take the place of a held person waits with them, and follows their release', async () => {
    const strict = settings({}, { ...DEFAULT_SAFEGUARD, maxDeletes: 0 });
    const alice = { ...person(1), userName: 'alice' };
    await full([new ArraySource('file', [alice], departments)], strict);
    // Re-created at the source under a new id: the old one is gone, the new one wants the same name.
    const again = { ...alice, sourceId: 'p1-new' };
    const report = await full([new ArraySource('file', [again], departments)], strict);
    expect(report.plan.safeguard).toMatchObject({ staged: 1, stagedCreates: 1 });
    expect(inRam()).toEqual(['file:p1']);
    expect((await held()).map((e) => [e.externalId, e.action, e.mirrorOf])).toEqual([
      ['file:p1', 'delete', undefined], ['file:p1-new', 'create', 'file:p1'],
    ]);

    const released = await releaseHeld({ sources: [new ArraySource('file', [again], departments)], target: h.ram, state: h.state, settings: strict },
      ['file:p1'], { runId: 'release', log });
    expect(released.summary).toMatchObject({ deleted: 1, created: 1, failed: 0 });
    expect(inRam()).toEqual(['file:p1-new']);
    expect(await held()).toEqual([]);
  });

  it('reads a person found absent once more before deprovisioning, and a failing second read is an error, not absence', async () => {
    let answers: Array<Identity | undefined | Error> = [];
    const flaky: Source = {
      name: 'file',
      getUser: async () => { const a = answers.shift(); if (a instanceof Error) throw a; return a; },
      getDepartment: async (id) => departments.find((d) => d.sourceId === id),
      listUsers: async function* () { /* unused */ },
      listDepartments: async function* () { yield* departments; },
    };
    await full([new ArraySource('file', [person(1)], departments)], settings());

    answers = [undefined, person(1)]; // a replica that had not caught up, then the truth
    expect((await push([flaky], settings(), [change('p1')])).result.summary).toMatchObject({ deleted: 0, unchanged: 1 });

    answers = [undefined, new RetryableError({ code: 'Timeout', reason: 'upstream timeout' })];
    const failed = await push([flaky], settings(), [change('p1')]);
    expect(failed.unread).toEqual([expect.objectContaining({ externalId: 'file:p1', failure: expect.objectContaining({ retryable: true }) })]);
    expect(inRam()).toEqual(['file:p1']);
  });
});

describe('the safeguard with Lark as the source', () => {
  let h: RamHarness;
  let lark: LarkApiFake;
  let lines: ProvisioningLogLine[];
  const people = [1, 2, 3].map((n) => larkUser(n, { department_ids: ['od-eng'] }));
  const lark$ = (env: Record<string, string> = {}) => createLarkSource(
    parseLarkSourceConfig({ LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: lark.url, ...env })!,
    { retry: { sleep: async () => undefined } },
  );
  const base: SyncSettings = { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD };
  const run = { target: () => h.ram, log: (l: ProvisioningLogLine) => { lines.push(l); } };
  const push = (changes: Change[], s = base, env: Record<string, string> = {}) => syncChanges({
    sources: [lark$(env)], target: run.target(), state: h.state, settings: s, runId: 'push', changeId: 'msg', log: run.log, changes,
  });
  const inRam = () => h.emulator.state.users().map((u) => u.externalId).sort();

  beforeEach(async () => {
    h = await startRamHarness();
    lines = [];
    lark = await startLarkApi({ users: people.map((p) => ({ ...p })), departments: [{ open_department_id: 'od-eng', name: 'Engineering', parent_department_id: '0' }] });
    await runFullSync({ sources: [lark$()], target: h.ram, state: h.state, settings: base, dryRun: false, runId: 'full', log: run.log });
    expect(inRam()).toHaveLength(3);
  });
  afterEach(async () => { await lark.close(); await h.close(); });

  it('41050 (outside the app\'s contact scope) deprovisions nobody: a final error naming the fix', async () => {
    for (const p of people) lark.outOfScope.add(p.union_id);
    const report = await push(people.map((p) => change(p.union_id, 'contact.user.updated_v3', 'lark')));
    expect(inRam()).toHaveLength(3);
    expect(report.unread).toHaveLength(3);
    expect(report.unread[0]!.failure).toMatchObject({ code: 'Lark 41050', retryable: false, recommendedAction: expect.stringMatching(/widen the Lark app's contact scope/) });
    expect(lines).toContainEqual(expect.objectContaining({ action: 'read', status: 'failed', externalId: `lark:${people[0]!.union_id}`, reason: expect.stringMatching(/not proof that they left/) }));
    expect(await new HeldList(h.state).entries()).toEqual([]);
  });

  it('41050 with a signed deletion event for that very person is proof: they are deprovisioned', async () => {
    lark.outOfScope.add(people[0]!.union_id);
    const report = await push([change(people[0]!.union_id, 'contact.user.deleted_v3', 'lark'), change(people[1]!.union_id, 'contact.user.updated_v3', 'lark')]);
    expect(report.result.summary).toMatchObject({ deleted: 1 });
    expect(inRam()).toEqual([`lark:${people[1]!.union_id}`, `lark:${people[2]!.union_id}`].sort());
  });

  it('40004 (a department outside the scope) leaves its people unread instead of out of scope', async () => {
    lark.outOfScope.add('od-eng');
    const scoped = { ...base, rules: { ...base.rules, scope: { ...base.rules.scope, includeDepartments: ['Engineering'] } } };
    const report = await push(people.map((p) => change(p.union_id, 'contact.user.updated_v3', 'lark')), scoped);
    expect(report.unread.map((u) => u.failure.code)).toEqual(['Lark 40004', 'Lark 40004', 'Lark 40004']);
    expect(inRam()).toHaveLength(3);
  });

  it('a switched LARK_USER_ID_TYPE stops push and full sync before planning, and says how to migrate', async () => {
    const switched = { LARK_USER_ID_TYPE: 'open_id' };
    const before = h.emulator.counters.writes;
    await expect(push([change(people[0]!.open_id, 'contact.user.updated_v3', 'lark')], base, switched)).rejects.toBeInstanceOf(IdentifierTypeChangedError);
    const error = await runFullSync({ sources: [lark$(switched)], target: h.ram, state: h.state, settings: base, dryRun: true, runId: 'full', log: run.log })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentifierTypeChangedError);
    expect((error as Error).message).toMatch(/LARK_USER_ID_TYPE=open_id, but its people were first synced by union_id.*--migrate-ids lark/);
    expect(h.emulator.counters.writes).toBe(before);
    expect(inRam()).toHaveLength(3);
  });
});
