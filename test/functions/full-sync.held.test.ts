/**
 * The deployed `full-sync` as the operator's `--held` / `--release … --remote` reach it: the built
 * bundle, FC-shaped events, a held list made for real by a full sync the deletion safeguard stopped.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HeldEntry } from '../../functions/lib/core/safeguard';
import type { FullSyncResult } from '../../functions/lib/sync/entrances';
import type { ReleaseResult } from '../../functions/lib/sync/release';
import { emulatorEnv } from '../../infra/emulator/env';
import { type RunningEmulator, startRamEmulator } from '../../infra/emulator/RamEmulator';
import { type Bundles, buildBundles } from '../support/bundles';

const SAMPLE = path.resolve(__dirname, '../../infra/sample/directory.json');
/** Active people in the sample who report to no one left behind, so leaving changes nobody else. */
const LEAVERS = ['e1010', 'e1011', 'e1012'];
const LEAVER_NAMES = { 'file:e1010': 'frank.zhou', 'file:e1011': 'grace.wu', 'file:e1012': 'henry.xu' };

describe('the full-sync function: held list and release (built bundle)', () => {
  let bundles: Bundles;
  let emulator: RunningEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let context: object;

  const invoke = (event: unknown) => bundles.invoke('full-sync', event, { env, context });
  const ramExternalIds = () => emulator.state.users().map((u) => u.externalId).sort();
  const heldIds = async () => ((await invoke({ held: true })).result as { held: HeldEntry[] }).held.map((e) => e.externalId);

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    emulator = await startRamEmulator();
    dir = await mkdtemp(path.join(tmpdir(), 'fn-held-'));
    const directory = path.join(dir, 'directory.json');
    const sample = JSON.parse(await readFile(SAMPLE, 'utf8')) as { people: { id: string }[] };
    await writeFile(directory, JSON.stringify(sample));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret, ...ram } = emulatorEnv(emulator.url);
    env = { ...ram, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, SAFEGUARD_MAX_DELETES: '2' };
    context = { credentials: { accessKeyId, accessKeySecret, securityToken: 'sts-token' } };

    // Everyone provisioned, then three people leave at once: more than the budget of two.
    const applied = await invoke({ dryRun: false });
    expect(applied.result).toMatchObject({ result: { created: 12, failed: 0 } });
    const remaining = { ...sample, people: sample.people.filter((p) => !LEAVERS.includes(p.id)) };
    await writeFile(directory, JSON.stringify(remaining));
  }, 60_000);
  afterEach(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The held full sync every test starts from: nobody deprovisioned, the three leavers on the list. */
  async function holdThePlan(): Promise<FullSyncResult> {
    const out = await invoke({ dryRun: false });
    expect(out.error).toBeUndefined();
    const result = out.result as FullSyncResult;
    expect(result.safeguard).toMatchObject({ held: true, deprovisions: 3, staged: 3, heldTotal: 3, maxDeletes: 2 });
    expect(result.result).toMatchObject({ deleted: 0, suspended: 0, staged: 3, failed: 0 });
    expect(ramExternalIds()).toEqual(expect.arrayContaining(Object.keys(LEAVER_NAMES)));
    expect(emulator.state.users()).toHaveLength(12);
    return result;
  }

  it('answers {"held": true} with who was staged, since when, why and by which path', async () => {
    const before = Date.now();
    const sync = await holdThePlan();

    const out = await invoke({ held: true });
    expect(out.error).toBeUndefined();
    const { held } = out.result as { held: HeldEntry[] };
    expect(held.map((e) => [e.externalId, e.userName]).sort()).toEqual(Object.entries(LEAVER_NAMES));
    for (const entry of held) {
      expect(entry).toMatchObject({
        source: 'file', action: 'delete', path: 'full-sync', runId: sync.runId,
        reason: expect.stringMatching(/3 deprovisions in 60 min would exceed the limits \(2 people/),
        stepReason: expect.stringMatching(/absent at the source/),
      });
      expect(Date.parse(entry.since)).toBeGreaterThanOrEqual(before - 1000);
      expect(entry.lastSeen >= entry.since).toBe(true);
    }
    // Reading the list is only a read.
    expect(emulator.state.users()).toHaveLength(12);
    expect(out.result).toEqual({ held });
  }, 60_000);

  it('{"release": [id]} deprovisions that one person in RAM and the list shrinks by one', async () => {
    await holdThePlan();

    const out = await invoke({ release: ['file:e1011'] });
    expect(out.error).toBeUndefined();
    const result = out.result as ReleaseResult;
    expect(result).toMatchObject({
      unknown: [], stillHeld: 2, summary: { deleted: 1, failed: 0 },
      people: [{ externalId: 'file:e1011', userName: 'grace.wu', held: 'delete', action: 'delete', status: 'succeeded' }],
    });
    expect(result.people).toHaveLength(1);
    expect(ramExternalIds()).not.toContain('file:e1011');
    expect(ramExternalIds()).toEqual(expect.arrayContaining(['file:e1010', 'file:e1012']));
    expect(emulator.state.users()).toHaveLength(11);
    expect((await heldIds()).sort()).toEqual(['file:e1010', 'file:e1012']);

    // An id that is not held is named back, and nothing else happens.
    const unknown = (await invoke({ release: ['file:e1011', 'file:nobody'] })).result as ReleaseResult;
    expect(unknown).toMatchObject({ unknown: ['file:e1011', 'file:nobody'], people: [], stillHeld: 2 });
    expect(emulator.state.users()).toHaveLength(11);
  }, 60_000);

  it('{"release": "all"} deprovisions everyone held and empties the list', async () => {
    await holdThePlan();

    const out = await invoke({ release: 'all' });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ unknown: [], stillHeld: 0, summary: { deleted: 3, failed: 0 } });
    expect((out.result as ReleaseResult).people.map((p) => p.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(emulator.state.users()).toHaveLength(9);
    for (const id of Object.keys(LEAVER_NAMES)) expect(ramExternalIds()).not.toContain(id);
    expect(await heldIds()).toEqual([]);

    // The safeguard is quiet again: the next full sync has nothing to deprovision or hold.
    const next = (await invoke({ dryRun: false })).result as FullSyncResult;
    expect(next.safeguard).toMatchObject({ held: false, deprovisions: 0, heldTotal: 0 });
  }, 60_000);

  it.each([
    ['an empty release', { release: [] }, /release/],
    ['a release of an empty id', { release: [''] }, /release/],
    ['a release that is neither a list nor "all"', { release: 'some' }, /release/],
    ['held: false', { held: false }, /held/],
    ['held mixed with a sync request', { held: true, dryRun: false }, /dryRun/],
    ['release mixed with held', { held: true, release: 'all' }, /release/],
  ])('refuses %s as a malformed event and changes nothing', async (_name, event, names) => {
    await holdThePlan();
    const writes = emulator.counters.writes;

    const out = await invoke(event);
    expect(out.result).toBeUndefined();
    expect(out.error).toEqual({ name: 'EventDecodeError', message: expect.stringMatching(/^the event does not have the expected shape: /) });
    expect(out.error?.message).toMatch(names);
    expect(emulator.counters.writes).toBe(writes);
    expect(emulator.state.users()).toHaveLength(12);
    expect(await heldIds()).toHaveLength(3);
  }, 60_000);
});
