/**
 * A poller's full resync in place (ad-, ldap-, entra-, okta-poll) against an unfinished full sync.
 * The poller stores the watermark it read before the resync once the resync returns, so the resync
 * returns only after a plan made after that read is applied to the end: an unfinished run planned
 * earlier (perhaps for every source) is continued first, then the source's own is planned; a run
 * stopped at its deadline throws a retryable error and the watermark stays. The day's reconcile also
 * plans its own once an unfinished run it found is done.
 */
import { isClassified } from '../../../functions/lib/core/errors';
import type { Identity, SourceName } from '../../../functions/lib/core/model';
import { FullResyncUnfinishedError, fullSync, fullSyncInvocation, resyncInPlace } from '../../../functions/lib/sync/entrances';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { FullSyncRuns } from '../../../functions/lib/sync/fullSyncRun';
import { parseFullSyncRequest } from '../../../functions/lib/sync/messages';
import { ArraySource } from '../../support/ArraySource';
import { engineOn } from '../../support/engine';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const person = (source: SourceName, n: number): Identity => ({
  source, sourceId: `${source}-${n}`, userName: `${source}.${n}`, displayName: `${source} ${n}`, departmentIds: [], status: 'active',
});

describe('a poller\'s full resync in place', () => {
  let h: RamHarness;
  let engine: EngineEnvironment;
  let okta: Identity[];
  let file: Identity[];
  const run = (runId: string) => ({ runId, log: () => undefined, path: 'okta-poll' as const });
  const inRam = () => h.emulator.state.users().map((u) => u.userName).sort();
  /** A deadline reached once `steps` users were created (the clock reads the count; checked between chunks of 2). */
  const stopAfter = (steps: number) => {
    let created = 0;
    const target = Object.create(h.ram) as EngineEnvironment['target'];
    target.createUser = async (user) => { const made = await h.ram.createUser(user); created++; return made; };
    return { target, pacing: { deadline: 1, now: () => (created >= steps ? 10_000 : -10_000), chunkSteps: 2 } };
  };

  beforeEach(async () => {
    h = await startRamHarness();
    okta = [1, 2, 3].map((n) => person('okta', n));
    file = [1, 2, 3].map((n) => person('file', n));
    engine = engineOn(h, [new ArraySource('okta', okta), new ArraySource('file', file)]);
  });
  afterEach(() => h.close());

  it('continues an unfinished all-sources run, then plans and applies its own: a change made after the old plan is applied', async () => {
    const stopped = stopAfter(2);
    const first = await fullSync({ ...engine, target: stopped.target }, parseFullSyncRequest({ dryRun: false }), { runId: 'all-1', log: () => undefined, pacing: stopped.pacing });
    expect(first.progress).toMatchObject({ done: 2, total: 6, finished: false });
    // After the old plan and before the poller reads its watermark: a hire in okta, one in file.
    okta.push(person('okta', 4));
    file.push(person('file', 4));

    const resync = await resyncInPlace(engine, 'okta', run('poll-1'));
    expect(resync).toMatchObject({ runId: 'poll-1', progress: { finished: true, resumed: false }, result: { created: 1 } });
    // The old run is done (all six), the okta hire came with the resync's own plan; file's waits for its own sync.
    expect(inRam()).toEqual(['file.1', 'file.2', 'file.3', 'okta.1', 'okta.2', 'okta.3', 'okta.4']);
    expect(await new FullSyncRuns(h.state).current()).toBeUndefined();
  });

  it('stopped at its deadline, throws a retryable error (the watermark stays); the next tick continues the run, then plans its own', async () => {
    const stopped = stopAfter(2);
    const refused = await resyncInPlace({ ...engine, target: stopped.target }, 'okta', { ...run('poll-1'), pacing: stopped.pacing })
      .then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(FullResyncUnfinishedError);
    expect(isClassified(refused) && refused.retryable).toBe(true);
    expect(refused).toMatchObject({ code: 'FullResyncUnfinished', result: { runId: 'poll-1', progress: { done: 2, total: 3, finished: false } } });
    expect((refused as Error).message).toMatch(/stopped at its deadline after 2 of 3 steps.*watermark was not moved/);
    expect(await new FullSyncRuns(h.state).current()).toMatchObject({ runId: 'poll-1', next: 2 });

    okta[0] = { ...okta[0]!, displayName: 'Renamed after the first plan' };
    const next = await resyncInPlace(engine, 'okta', run('poll-2'));
    expect(next).toMatchObject({ runId: 'poll-2', progress: { finished: true, resumed: false }, result: { updated: 1 } });
    expect(inRam()).toEqual(['okta.1', 'okta.2', 'okta.3']);
    expect(h.emulator.state.users().find((u) => u.userName === 'okta.1')?.displayName).toBe('Renamed after the first plan');
  });

  it('a tick that only finishes an earlier run (no time left to plan its own) throws too: its watermark read is newer than that plan', async () => {
    const stopped = stopAfter(0);
    await fullSync(engine, parseFullSyncRequest({ dryRun: false }), { runId: 'all-1', log: () => undefined, pacing: stopped.pacing }); // planned, nothing applied
    const finishing = stopAfter(6);
    const refused = await resyncInPlace({ ...engine, target: finishing.target }, 'okta', { ...run('poll-1'), pacing: finishing.pacing })
      .then(() => undefined, (error: unknown) => error);
    expect(refused).toMatchObject({ code: 'FullResyncUnfinished', result: { runId: 'all-1', progress: { finished: true, resumed: true } } });
    expect((refused as Error).message).toMatch(/continued an earlier unfinished full sync \(run all-1\) to its end/);
    expect(await new FullSyncRuns(h.state).current()).toBeUndefined();
    expect(await resyncInPlace(engine, 'okta', run('poll-2'))).toMatchObject({ runId: 'poll-2', progress: { finished: true, resumed: false } });
  });

  it('the reconcile timer continues an unfinished run and then plans its own', async () => {
    await fullSync(engine, parseFullSyncRequest({ dryRun: false, sources: ['okta'] }), { runId: 'okta-1', log: () => undefined, pacing: stopAfter(0).pacing });
    file.push(person('file', 4));
    const lines: object[] = [];
    const result = await fullSyncInvocation(engine, {
      kind: 'reconcile', request: { dryRun: false }, trigger: { name: 'reconcile', time: '2026-12-06T04:00:00Z' },
    }, { runId: 'reconcile-1', log: (line) => { lines.push(line); } });
    expect(result).toMatchObject({ runId: 'reconcile-1', progress: { finished: true, resumed: false }, result: { created: 4 } });
    expect(inRam()).toEqual(['file.1', 'file.2', 'file.3', 'file.4', 'okta.1', 'okta.2', 'okta.3']);
  });
});
