/**
 * full-sync's answer for a run that outlives its invocation: how far it got, and who carries on. An
 * invocation that applied something invokes full-sync again to continue; one that could not, or
 * that applied nothing, says the next full sync continues it.
 */
import type { Identity } from '../../../functions/lib/core/model';
import { fullSync } from '../../../functions/lib/sync/entrances';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { parseFullSyncRequest } from '../../../functions/lib/sync/messages';
import { FullSyncRuns } from '../../../functions/lib/sync/fullSyncRun';
import { ArraySource } from '../../support/ArraySource';
import { engineOn } from '../../support/engine';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const people: Identity[] = Array.from({ length: 9 }, (_, i) => ({
  source: 'file', sourceId: `a${i}`, userName: `person.${i}`, displayName: `Person ${i}`, departmentIds: [], status: 'active',
}));

describe('full-sync hands an unfinished run over', () => {
  let h: RamHarness;
  let engine: EngineEnvironment;
  const apply = parseFullSyncRequest({ dryRun: false });
  /** A deadline reached after `steps` steps. */
  const stopAfter = (steps: number) => {
    let done = 0;
    return { deadline: 1, now: () => (done >= steps ? 10_000 : -10_000), onProgress: () => undefined, chunkSteps: 3, onStep: () => { done++; } };
  };

  beforeEach(async () => {
    h = await startRamHarness();
    engine = engineOn(h, [new ArraySource('file', people)]);
  });
  afterEach(() => h.close());

  it('answers the progress and invokes itself again when it applied something', async () => {
    let invoked = 0;
    const { onStep, ...pacing } = stopAfter(3);
    const answer = await fullSync({ ...engine, target: counting(engine, onStep) }, apply, {
      runId: 'req-1', log: () => undefined, pacing: { ...pacing, continueLater: async () => { invoked++; } },
    });
    expect(answer.progress).toMatchObject({ done: 3, total: 9, finished: false });
    expect(answer.result).toMatchObject({ created: 3 });
    expect(invoked).toBe(1);
    expect(answer.continuation).toMatch(/invoked itself/);

    const next = await fullSync(engine, apply, { runId: 'req-2', log: () => undefined, pacing: { continueLater: async () => { invoked++; } } });
    expect(next).toMatchObject({ runId: 'req-1', progress: { done: 9, finished: true, resumed: true }, result: { created: 9 } });
    expect(next.continuation).toBeUndefined();
    expect(invoked).toBe(1);
  });

  it('says the next full sync continues it when invoking itself fails, or when it applied nothing', async () => {
    const { onStep, ...pacing } = stopAfter(3);
    const failed = await fullSync({ ...engine, target: counting(engine, onStep) }, apply, {
      runId: 'req-1', log: () => undefined,
      pacing: { ...pacing, continueLater: async () => { throw new Error('403 fc:InvokeFunction denied'); } },
    });
    expect(failed.continuation).toMatch(/^could not invoke full-sync again .*the next full sync continues it/);

    let invoked = 0;
    const idle = await fullSync(engine, apply, {
      runId: 'req-2', log: () => undefined, pacing: { deadline: 1, now: () => 10_000, continueLater: async () => { invoked++; } },
    });
    expect(idle.progress).toMatchObject({ done: 3, finished: false });
    expect(idle.continuation).toMatch(/no step was applied .* the next full sync continues it/);
    expect(invoked).toBe(0);
    expect((await new FullSyncRuns(h.state).current())?.next).toBe(3);
  });
});


describe('a run continued by a request for fewer sources', () => {
  it('re-checks people of every source the run was planned with, and finishes', async () => {
    const h = await startRamHarness();
    try {
      const lark: Identity = { source: 'lark', sourceId: 'ou_1', userName: 'lark.one', displayName: 'Lark One', departmentIds: [], status: 'active' };
      const engine = engineOn(h, [new ArraySource('file', people), new ArraySource('lark', [lark])]);
      const stopped = await fullSync(engine, parseFullSyncRequest({ dryRun: false }), {
        runId: 'req-1', log: () => undefined, pacing: { deadline: 1, now: () => 10_000 },
      });
      expect(stopped.progress).toMatchObject({ done: 0, total: 10, finished: false });
      const finished = await fullSync(engine, parseFullSyncRequest({ dryRun: false, sources: ['file'] }), { runId: 'req-2', log: () => undefined });
      expect(finished).toMatchObject({ runId: 'req-1', result: { created: 10, failed: 0 }, progress: { finished: true } });
    } finally {
      await h.close();
    }
  });
});

/** The target, counting each created user as a step done (the deadline's clock reads it). */
function counting(engine: EngineEnvironment, onStep: () => void): EngineEnvironment['target'] {
  const target = Object.create(engine.target) as EngineEnvironment['target'];
  target.createUser = async (user) => { const made = await engine.target.createUser(user); onStep(); return made; };
  return target;
}
