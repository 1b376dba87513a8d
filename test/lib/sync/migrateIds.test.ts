/**
 * Moving Lark people from union_id to open_id (or user_id) against the Lark API fake and the RAM
 * emulator: the end state of RAM and of the state store after each run.
 */
import { IdentifierTypeChangedError, NotVisibleError } from '../../../functions/lib/core/errors';
import type { ProvisioningLogLine, RamTarget } from '../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import type { SafeguardLedger } from '../../../functions/lib/core/safeguard';
import { parseLarkSourceConfig } from '../../../functions/lib/sources/lark/config';
import { LarkApiError } from '../../../functions/lib/sources/lark/errors';
import { type LarkSource, createLarkSource } from '../../../functions/lib/sources/lark/LarkSource';
import { type FullSyncRun, type SyncSettings, discardUnfinished, runFullSync } from '../../../functions/lib/sync/fullSync';
import { type IdentifierRecord, identifierKey } from '../../../functions/lib/sync/identifiers';
import { UnfinishedFullSyncError, migrateIdentifiers } from '../../../functions/lib/sync/migrateIds';
import { type LarkApiFake, larkUser, startLarkApi } from '../../support/larkApi';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const settings: SyncSettings = { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD };
const ENG = { open_department_id: 'od-eng', name: 'Engineering', parent_department_id: '0' };
const people = (...ns: number[]) => ns.map((n) => larkUser(n));

describe('migrateIdentifiers (npm run sync -- --migrate-ids lark)', () => {
  let lark: LarkApiFake;
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  const log = (line: ProvisioningLogLine) => lines.push(line);

  const source = (type = 'union_id'): LarkSource => createLarkSource(
    parseLarkSourceConfig({
      LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: lark.url, LARK_USER_ID_TYPE: type,
    })!,
    { retry: { sleep: async () => undefined } },
  );
  const fullSync = (type: string, extra: Partial<FullSyncRun> = {}) => runFullSync({
    sources: [source(type)], target: h.ram, state: h.state, settings, dryRun: false, runId: 'sync', log, ...extra,
  });
  const migrate = (type: string, options: { dryRun?: boolean; target?: RamTarget } = {}) => migrateIdentifiers(
    { sources: [source(type)], target: options.target ?? h.ram, state: h.state }, 'lark',
    { runId: 'migrate', log, dryRun: options.dryRun ?? false },
  );
  const ramUsers = () => h.emulator.state.users().map((u) => ({ id: u.id, userName: u.userName, externalId: u.externalId }))
    .sort((a, b) => a.userName.localeCompare(b.userName));
  const stateSnapshot = async () => {
    const keys = await h.state.list('');
    return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await h.state.get(k)] as const)));
  };
  const recorded = () => h.state.get<IdentifierRecord>(identifierKey('lark'));
  const ledger = async () => (await h.state.get<SafeguardLedger>('safeguard/ledger'))!;
  const lk = (id: string) => `lark:${id}`;

  beforeEach(async () => {
    lark = await startLarkApi({ departments: [ENG] });
    h = await startRamHarness();
    lines = [];
  });
  afterEach(async () => {
    await lark.close();
    await h.close();
  });

  it('refuses while a full sync planned with the old kind of id is unfinished, and migrates once it is dropped', async () => {
    lark.users.push(...people(1, 2, 3));
    // Stopped at its deadline before its first chunk: planned by union_id, nothing applied.
    const stopped = await fullSync('union_id', { deadline: Date.now() - 1 });
    expect(stopped.progress).toMatchObject({ finished: false, done: 0 });
    const untouched = await stateSnapshot();

    await expect(migrate('open_id')).rejects.toBeInstanceOf(UnfinishedFullSyncError);
    await expect(migrate('open_id')).rejects.toMatchObject({ code: 'UnfinishedFullSync', recommendedAction: expect.stringMatching(/--discard-unfinished/) });
    expect(await stateSnapshot()).toEqual(untouched);
    expect((await migrate('open_id', { dryRun: true })).dryRun).toBe(true); // a dry run only reads

    expect((await discardUnfinished(h.state))?.runId).toBe(stopped.runId);
    expect((await migrate('open_id')).recorded).toBe(true);
  });

  it('re-links everyone, suspended and held people included, so a full sync by open_id changes nothing', async () => {
    lark.users.push(...people(1, 2, 3, 4, 5));
    const [, suspended, held] = lark.users;
    expect((await fullSync('union_id')).result?.summary).toMatchObject({ created: 5, failed: 0 });
    suspended!.status.is_frozen = true;
    expect((await fullSync('union_id')).result?.summary).toMatchObject({ suspended: 1, failed: 0 });
    held!.status.is_resigned = true;
    const strict = { ...settings, safeguard: { ...DEFAULT_SAFEGUARD, maxDeletes: 0 } };
    expect((await fullSync('union_id', { settings: strict })).result?.summary).toMatchObject({ deleted: 0, staged: 1 });
    expect(await h.state.get(`suspension/${lk(suspended!.union_id)}`)).toBeDefined();
    expect(Object.keys((await ledger()).held)).toEqual([lk(held!.union_id)]);
    const before = ramUsers();

    // LARK_USER_ID_TYPE=open_id: every run stops before planning, and nothing changes.
    const untouched = await stateSnapshot();
    h.emulator.counters.reset();
    await expect(fullSync('open_id')).rejects.toBeInstanceOf(IdentifierTypeChangedError);
    expect(h.emulator.counters.writes).toBe(0);
    expect(await stateSnapshot()).toEqual(untouched);

    lines = [];
    const dry = await migrate('open_id', { dryRun: true });
    expect(dry).toMatchObject({ from: 'union_id', to: 'open_id', dryRun: true, relinked: 5, unchanged: 0, failed: [], recorded: false });
    expect(dry.people.every((p) => p.status === 'planned')).toBe(true);
    expect(dry.people.find((p) => p.userName === 'user2')?.reason).toMatch(/would move its suspension record, deletion-window entry/);
    expect(h.emulator.counters.writes).toBe(0);
    expect(await stateSnapshot()).toEqual(untouched);
    expect(lines.map((l) => [l.action, l.status])).toEqual(Array(5).fill(['relink', 'planned']));

    lines = [];
    const report = await migrate('open_id');
    expect(report).toMatchObject({ from: 'union_id', to: 'open_id', dryRun: false, relinked: 5, unchanged: 0, failed: [], recorded: true });
    expect(ramUsers()).toEqual(before.map((u, i) => ({ ...u, externalId: lk(lark.users[i]!.open_id) })));
    expect(await h.state.get(`suspension/${lk(suspended!.union_id)}`)).toBeUndefined();
    expect(await h.state.get(`suspension/${lk(suspended!.open_id)}`)).toMatchObject({ externalId: lk(suspended!.open_id), userName: 'user2' });
    const moved = await ledger();
    expect(Object.values(moved.held)).toEqual([expect.objectContaining({ externalId: lk(held!.open_id), userName: 'user3', action: 'delete' })]);
    expect(Object.keys(moved.spent)).toEqual([lk(suspended!.open_id)]);
    expect((await recorded())?.type).toBe('open_id');
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.action === 'relink' && l.status === 'succeeded' && l.externalId?.startsWith('lark:ou_'))).toBe(true);
    expect(JSON.stringify(lines)).not.toMatch(/@|\+86|1380000/);

    // Everyone is who they were: no creates, no deletes, the suspended stay suspended, the held stay held.
    const after = await fullSync('open_id');
    expect(after.result?.summary).toMatchObject({ created: 0, updated: 0, deleted: 0, suspended: 0, restored: 0, failed: 0, staged: 1 });
    expect(ramUsers()).toEqual(before.map((u, i) => ({ ...u, externalId: lk(lark.users[i]!.open_id) })));
    expect(Object.keys((await ledger()).held)).toEqual([lk(held!.open_id)]);

    // Done is done: a second migration finds nothing to do.
    expect(await migrate('open_id')).toMatchObject({ from: 'open_id', to: 'open_id', relinked: 0, people: [], recorded: true });
  });

  it('leaves a person Lark no longer knows, keeps the old kind recorded, and finishes once they are dealt with', async () => {
    lark.users.push(...people(1, 2, 3));
    await fullSync('union_id');
    const gone = lark.users.splice(1, 1)[0]!;

    const first = await migrate('open_id');
    expect(first).toMatchObject({ relinked: 2, unchanged: 0, recorded: false });
    expect(first.failed).toEqual([{
      externalId: lk(gone.union_id), userName: 'user2', reason: expect.stringMatching(/no person with union_id/),
      recommendedAction: expect.stringMatching(/delete it .*--migrate-ids lark/),
    }]);
    expect(lines.find((l) => l.action === 'relink' && l.userName === 'user2')).toMatchObject({ status: 'failed', externalId: lk(gone.union_id) });
    expect(h.emulator.state.userByExternalId(lk(gone.union_id))?.userName).toBe('user2');
    // Half done: some people are linked by each kind, so neither kind may plan.
    expect(await recorded()).toMatchObject({ type: 'union_id', migratingTo: 'open_id' });
    await expect(fullSync('open_id')).rejects.toBeInstanceOf(IdentifierTypeChangedError);
    await expect(fullSync('union_id')).rejects.toThrow(/migration from union_id to open_id is half done.*--migrate-ids lark/);

    await h.ram.deleteUser(h.emulator.state.userByExternalId(lk(gone.union_id))!.id);
    const second = await migrate('open_id');
    expect(second).toMatchObject({ relinked: 0, unchanged: 2, failed: [], recorded: true });
    expect(second.people.map((p) => p.reason)).toEqual(['already linked by open_id', 'already linked by open_id']);
    expect((await fullSync('open_id')).result?.summary).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0, unchanged: 2 });
    expect(await recorded()).toEqual({ type: 'open_id', since: expect.any(String) });
  });

  it('takes a half-done migration back when run with the kind it started from', async () => {
    lark.users.push(...people(1, 2, 3));
    await fullSync('union_id');
    lark.outOfScope.add(people(2)[0]!.union_id);
    expect(await migrate('open_id')).toMatchObject({ relinked: 2, recorded: false });
    expect(await recorded()).toMatchObject({ type: 'union_id', migratingTo: 'open_id' });

    lark.outOfScope.clear();
    const back = await migrate('union_id');
    expect(back).toMatchObject({ from: 'open_id', to: 'union_id', relinked: 2, unchanged: 1, failed: [], recorded: true });
    expect(await recorded()).toEqual({ type: 'union_id', since: expect.any(String) });
    expect(ramUsers().map((u) => u.externalId).sort()).toEqual(people(1, 2, 3).map((p) => lk(p.union_id)).sort());
    expect((await fullSync('union_id')).result?.summary).toMatchObject({ created: 0, deleted: 0, unchanged: 3 });
  });

  it('leaves a person outside the contact scope, and re-links them once the scope covers them', async () => {
    lark.users.push(...people(1, 2, 3));
    await fullSync('union_id');
    const hidden = lark.users[2]!;
    lark.outOfScope.add(hidden.union_id);

    const first = await migrate('open_id');
    expect(first).toMatchObject({ relinked: 2, recorded: false });
    expect(first.failed).toEqual([expect.objectContaining({
      userName: 'user3', reason: expect.stringMatching(/not visible/), recommendedAction: expect.stringMatching(/contact scope/),
    })]);

    lark.outOfScope.delete(hidden.union_id);
    const second = await migrate('open_id');
    expect(second).toMatchObject({ relinked: 1, unchanged: 2, failed: [], recorded: true });
    expect(h.emulator.state.userByExternalId(lk(hidden.open_id))?.userName).toBe('user3');
  });

  it('reports a new id that already links another RAM user, touching neither', async () => {
    lark.users.push(...people(1, 2));
    await fullSync('union_id');
    const [first] = lark.users;
    const intruder = await h.ram.createUser({ userName: 'intruder', displayName: 'Intruder', externalId: lk(first!.open_id) });

    const report = await migrate('open_id');
    expect(report).toMatchObject({ relinked: 1, unchanged: 1, recorded: false });
    expect(report.failed).toEqual([expect.objectContaining({
      externalId: lk(first!.union_id), userName: 'user1', reason: expect.stringMatching(/already links RAM user intruder/),
    })]);
    expect(h.emulator.state.userByExternalId(lk(first!.union_id))?.userName).toBe('user1');
    expect(h.emulator.state.userByExternalId(lk(first!.open_id))?.userName).toBe('intruder');

    await h.ram.deleteUser(intruder.id);
    expect(await migrate('open_id')).toMatchObject({ relinked: 1, unchanged: 1, failed: [], recorded: true });
    expect(h.emulator.state.userByExternalId(lk(first!.open_id))?.userName).toBe('user1');
  });

  it('finishes what an interrupted run left: a RAM user already re-linked gets its suspension record moved', async () => {
    lark.users.push(...people(1, 2), larkUser(3, { open_id: larkUser(3).union_id }));
    await fullSync('union_id');
    lark.users[0]!.status.is_frozen = true;
    await fullSync('union_id');
    const [suspended] = lark.users;
    // The run stopped after the PUT, before it moved the suspension record.
    const user = h.emulator.state.userByExternalId(lk(suspended!.union_id))!;
    await h.ram.replaceUser(user.id, { userName: user.userName, displayName: user.displayName, externalId: lk(suspended!.open_id) });

    const report = await migrate('open_id');
    expect(report).toMatchObject({ relinked: 1, unchanged: 2, failed: [], recorded: true });
    expect(report.people.map((p) => [p.userName, p.status, p.reason])).toEqual(expect.arrayContaining([
      ['user1', 'unchanged', 'already linked by open_id (moved its suspension record, deletion-window entry)'],
      ['user3', 'unchanged', 'the id is the same in both kinds'],
    ]));
    expect(await h.state.list('suspension/')).toEqual([`suspension/${lk(suspended!.open_id)}`]);
    expect((await fullSync('open_id')).result?.summary).toMatchObject({ created: 0, deleted: 0, restored: 0, failed: 0, unchanged: 3 });
  });

  it('does not record the new kind when a RAM user was linked by the old one while it ran', async () => {
    lark.users.push(...people(1, 2));
    await fullSync('union_id');
    const late = larkUser(9);
    lark.users.push(late);
    // A push still configured with union_id creates someone between the listing and the end of the run.
    const racing: RamTarget = Object.create(h.ram, {
      replaceUser: {
        value: async (...args: Parameters<RamTarget['replaceUser']>) => {
          const replaced = await h.ram.replaceUser(...args);
          if (!h.emulator.state.userByExternalId(lk(late.union_id))) {
            await h.ram.createUser({ userName: 'user9', displayName: 'User 9', externalId: lk(late.union_id) });
          }
          return replaced;
        },
      },
    });
    const first = await migrate('open_id', { target: racing });
    expect(first).toMatchObject({ relinked: 2, recorded: false });
    expect(first.failed).toEqual([expect.objectContaining({ userName: 'user9', reason: expect.stringMatching(/while the migration ran/) })]);
    expect((await recorded())?.type).toBe('union_id');

    expect(await migrate('open_id')).toMatchObject({ relinked: 1, unchanged: 2, failed: [], recorded: true });
  });

  it('names the field scope when Lark withholds user_id, and re-links nobody it cannot translate', async () => {
    lark.users.push(larkUser(1), larkUser(2, { user_id: undefined }));
    await fullSync('union_id');
    const report = await migrate('user_id');
    expect(report).toMatchObject({ from: 'union_id', to: 'user_id', relinked: 1, recorded: false });
    expect(report.failed).toEqual([expect.objectContaining({ userName: 'user2', reason: expect.stringMatching(/contact:user\.employee_id:readonly/) })]);
    expect(h.emulator.state.userByExternalId('lark:u1')?.userName).toBe('user1');
  });

  it('refuses a source that is not configured, or that has no kind recorded yet', async () => {
    await expect(migrateIdentifiers({ sources: [], target: h.ram, state: h.state }, 'lark', { runId: 'r', log, dryRun: false }))
      .rejects.toThrow(/lark is not configured here/);
    await expect(migrate('open_id')).rejects.toThrow(/no kind of id is recorded for lark/);
  });
});

describe('LarkSource.translateId', () => {
  let lark: LarkApiFake;
  const person = larkUser(7);
  beforeEach(async () => { lark = await startLarkApi({ users: [person, larkUser(8, { user_id: undefined })] }); });
  afterEach(() => lark.close());
  const source = () => createLarkSource(
    parseLarkSourceConfig({ LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: lark.url })!,
    { retry: { sleep: async () => undefined } },
  );

  it('answers the id of one kind for the id of another, whatever kind is configured', async () => {
    expect(await source().translateId(person.union_id, 'union_id', 'open_id')).toBe(person.open_id);
    expect(await source().translateId(person.open_id, 'open_id', 'user_id')).toBe('u7');
    expect(await source().translateId('u7', 'user_id', 'union_id')).toBe(person.union_id);
  });

  it('answers undefined for no such user, NotVisibleError outside the scope, a final error without the field', async () => {
    expect(await source().translateId('on_nobody', 'union_id', 'open_id')).toBeUndefined();
    lark.outOfScope.add(person.union_id);
    await expect(source().translateId(person.union_id, 'union_id', 'open_id')).rejects.toBeInstanceOf(NotVisibleError);
    const missing = await source().translateId(larkUser(8).union_id, 'union_id', 'user_id').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(LarkApiError);
    expect(missing).toMatchObject({ retryable: false, message: expect.stringMatching(/contact:user\.employee_id:readonly/) });
    await expect(source().translateId(person.union_id, 'email', 'open_id')).rejects.toThrow(/not a Lark id type/);
  });
});
