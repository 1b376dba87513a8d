/**
 * The deployed `full-sync` as its reconcile timer reaches it: the built bundle, FC's timer event
 * (`{triggerTime, triggerName, payload}`), the RAM emulator. A tick applies (it is no dry run), stays
 * under the deletion safeguard, and leaves one summary line in the provisioning log.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FullSyncResult } from '../../functions/lib/sync/entrances';
import { emulatorEnv } from '../../infra/emulator/env';
import { type RunningEmulator, startRamEmulator } from '../../infra/emulator/RamEmulator';
import { type Bundles, buildBundles } from '../support/bundles';

const SAMPLE = path.resolve(__dirname, '../../infra/sample/directory.json');
const LEAVERS = ['e1010', 'e1011', 'e1012'];
const tick = (payload?: string) => ({ triggerTime: '2026-12-06T19:00:00Z', triggerName: 'reconcile', ...(payload !== undefined && { payload }) });

describe('the full-sync function on its reconcile timer (built bundle)', () => {
  let bundles: Bundles;
  let emulator: RunningEmulator;
  let dir: string;
  let directory: string;
  let env: NodeJS.ProcessEnv;
  let context: object;

  const invoke = (event: unknown) => bundles.invoke('full-sync', event, { env, context });
  const summaries = (logs: Record<string, unknown>[]) => logs.filter((l) => l.msg === 'provisioning' && l.action === 'reconcile');

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    emulator = await startRamEmulator();
    dir = await mkdtemp(path.join(tmpdir(), 'fn-timer-'));
    directory = path.join(dir, 'directory.json');
    await writeFile(directory, await readFile(SAMPLE, 'utf8'));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret, ...ram } = emulatorEnv(emulator.url);
    env = { ...ram, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, SAFEGUARD_MAX_DELETES: '2' };
    context = { requestId: 'req-reconcile-1', credentials: { accessKeyId, accessKeySecret, securityToken: 'sts-token' } };
  }, 60_000);
  afterEach(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a full sync and logs one summary line: run id, counts by action, held, failures', async () => {
    const out = await invoke(tick());
    expect(out.error).toBeUndefined();
    const result = out.result as FullSyncResult;
    expect(result).toMatchObject({ runId: 'req-reconcile-1', dryRun: false, result: { created: 12, failed: 0 } });
    expect(emulator.state.users()).toHaveLength(12);

    expect(summaries(out.logs)).toEqual([expect.objectContaining({
      level: 'info', runId: 'req-reconcile-1', action: 'reconcile', status: 'succeeded', trigger: 'reconcile', triggerTime: '2026-12-06T19:00:00Z',
      counts: expect.objectContaining({ created: 12, updated: 0, deleted: 0, suspended: 0, unchanged: 0, staged: 0, failed: 0 }),
      held: 0, failures: 0, reason: expect.stringMatching(/nobody held, 0 failed/),
    })]);
    // Beside the step lines, not instead of them.
    expect(out.logs.filter((l) => l.msg === 'provisioning' && l.action === 'create')).toHaveLength(12);

    // The next tick finds nothing to do.
    const again = await invoke(tick());
    expect(summaries(again.logs)).toEqual([expect.objectContaining({ counts: expect.objectContaining({ created: 0, unchanged: 12 }), status: 'succeeded' })]);
  }, 60_000);

  it('holds deprovisions over the budget, as a manual run would, and says so on the summary line', async () => {
    await invoke(tick());
    const sample = JSON.parse(await readFile(directory, 'utf8')) as { people: { id: string }[] };
    await writeFile(directory, JSON.stringify({ ...sample, people: sample.people.filter((p) => !LEAVERS.includes(p.id)) }));

    const out = await invoke(tick());
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ dryRun: false, safeguard: { held: true, deprovisions: 3, heldTotal: 3 }, result: { deleted: 0, staged: 3 } });
    expect(emulator.state.users()).toHaveLength(12);
    expect(summaries(out.logs)).toEqual([expect.objectContaining({
      action: 'reconcile', status: 'staged', held: 3, failures: 0,
      counts: expect.objectContaining({ deleted: 0, staged: 3 }), reason: expect.stringMatching(/3 held until released \(npm run sync -- --held\)/),
    })]);
    const held = (await invoke({ held: true })).result as { held: { externalId: string; path: string }[] };
    expect(held.held.map((e) => e.externalId).sort()).toEqual(LEAVERS.map((id) => `file:${id}`));
  }, 60_000);

  it('reconciles only the sources its payload names, and refuses one this deployment lacks', async () => {
    const out = await invoke(tick('{"sources":["file"]}'));
    expect(out.result).toMatchObject({ dryRun: false, result: { created: 12 } });

    const lacking = await invoke(tick('{"sources":["ad"]}'));
    expect(lacking.error).toEqual({ name: 'UnknownSourceError', message: expect.stringMatching(/ad not configured here/) });
  }, 60_000);

  it('refuses a payload it cannot read as a malformed event, changing nothing', async () => {
    const out = await invoke(tick('{"allowDeletes":25}'));
    expect(out.error).toEqual({ name: 'EventDecodeError', message: expect.stringMatching(/payload\.allowDeletes: a timer run never lifts the deletion safeguard/) });
    expect(emulator.state.users()).toHaveLength(0);
  }, 60_000);
});
