/**
 * full-sync `{"discardUnfinished": true}` (what `npm run sync -- --discard-unfinished --remote` sends):
 * drops the unfinished full sync so the next one plans afresh, answers which run it dropped and how
 * far it had got, answers nothing to drop as `{}`, and is refused while a full sync is applying.
 */
import type { Identity } from '../../../functions/lib/core/model';
import { fullSync, fullSyncInvocation } from '../../../functions/lib/sync/entrances';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { FullSyncBusyError } from '../../../functions/lib/sync/fullSync';
import { FULL_SYNC_LEASE, FullSyncRuns } from '../../../functions/lib/sync/fullSyncRun';
import { parseFullSyncInvocation, parseFullSyncRequest } from '../../../functions/lib/sync/messages';
import { Leases } from '../../../functions/lib/state/lease';
import { ArraySource } from '../../support/ArraySource';
import { engineOn } from '../../support/engine';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const people: Identity[] = Array.from({ length: 4 }, (_, i) => ({
  source: 'file', sourceId: `p${i}`, userName: `person.${i}`, displayName: `Person ${i}`, departmentIds: [], status: 'active',
}));

describe('full-sync {"discardUnfinished": true}', () => {
  let h: RamHarness;
  let engine: EngineEnvironment;
  const run = { runId: 'req-discard', log: () => undefined };
  const discard = () => fullSyncInvocation(engine, parseFullSyncInvocation({ discardUnfinished: true }), run);

  beforeEach(async () => {
    h = await startRamHarness();
    engine = engineOn(h, [new ArraySource('file', people)]);
    // Planned, and stopped at its deadline before any step.
    await fullSync(engine, parseFullSyncRequest({ dryRun: false }), { runId: 'stopped-1', log: () => undefined, pacing: { deadline: 1, now: () => 10_000 } });
  });
  afterEach(() => h.close());

  it('drops the unfinished run and says which; the next full sync plans afresh', async () => {
    expect(await discard()).toEqual({ discarded: { runId: 'stopped-1', startedAt: expect.any(String), sources: ['file'], done: 0, total: 4 } });
    expect(await new FullSyncRuns(h.state).current()).toBeUndefined();
    expect(await h.state.list('full-sync/plan/')).toEqual([]);
    expect(await discard()).toEqual({});
    const next = await fullSync(engine, parseFullSyncRequest({ dryRun: false }), { runId: 'fresh-1', log: () => undefined });
    expect(next).toMatchObject({ runId: 'fresh-1', progress: { resumed: false, finished: true }, result: { created: 4 } });
  });

  it('is refused while a full sync holds the lease, and the run stays', async () => {
    const lease = await new Leases(h.state, { ttlMs: 60_000 }).tryAcquire(FULL_SYNC_LEASE);
    await expect(discard()).rejects.toBeInstanceOf(FullSyncBusyError);
    await lease!.release();
    expect(await new FullSyncRuns(h.state).current()).toMatchObject({ runId: 'stopped-1' });
  });
});
