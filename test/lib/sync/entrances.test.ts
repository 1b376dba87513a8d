import type { Identity } from '../../../functions/lib/core/model';
import type { ProvisioningLogLine } from '../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { RetryableBatchError, UnknownSourceError, fullSync, pushBatch } from '../../../functions/lib/sync/entrances';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { parseChangeBatch, parseFullSyncRequest } from '../../../functions/lib/sync/messages';
import { ArraySource } from '../../support/ArraySource';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const ann: Identity = { source: 'file', sourceId: 'a1', userName: 'ann', displayName: 'Ann', departmentIds: [], status: 'active' };
const batch = (...ids: string[]) => parseChangeBatch({
  v: 1, id: 'batch-1', emittedAt: '2026-11-28T00:00:00Z', changes: ids.map((sourceId) => ({ source: 'file', kind: 'user', sourceId, reason: 't' })),
});

describe('the engine entrances', () => {
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  let engine: EngineEnvironment;
  const run = { runId: 'req-1', log: (l: ProvisioningLogLine) => lines.push(l) };
  const withPeople = (people: Identity[]): EngineEnvironment => ({ ...engine, sources: [new ArraySource('file', people)] });

  beforeEach(async () => {
    h = await startRamHarness({ maxAttempts: 2 });
    lines = [];
    engine = {
      settings: { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
      sources: [new ArraySource('file', [ann])], state: h.state, target: h.ram,
    };
  });
  afterEach(() => h.close());

  it('push applies a batch and reports it', async () => {
    const result = await pushBatch(engine, batch('a1'), run);
    expect(result).toMatchObject({ batchId: 'batch-1', summary: { created: 1 }, failures: [] });
    expect(lines[0]).toMatchObject({ runId: 'req-1', changeId: 'batch-1', status: 'succeeded' });
  });

  it('push fails the invocation when a change fails retryably, so FC retries the whole batch', async () => {
    // RAM down while reading: the read itself fails retryably.
    h.emulator.setFaults({ rate: 1, kinds: ['500'], retryAfterSeconds: 0, seed: 1 });
    await expect(pushBatch(engine, batch('a1'), run)).rejects.toMatchObject({ retryable: true });
    h.emulator.setFaults(undefined);

    // RAM throttling the write: the step fails retryably, the batch is failed as a whole.
    await pushBatch(engine, batch('a1'), run);
    const renamed = withPeople([{ ...ann, displayName: 'Ann B.' }]);
    const throttled = new Proxy(h.ram, {
      get: (target, key) => (key === 'replaceUser'
        ? async () => { throw Object.assign(new Error('throttled'), { retryable: true, code: 'Throttling.User', reason: 'throttled' }); }
        : Reflect.get(target, key, target)),
    });
    const error = await pushBatch({ ...renamed, target: throttled }, batch('a1'), run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableBatchError);
    expect((error as RetryableBatchError).failures).toEqual([expect.objectContaining({ code: 'Throttling.User', externalId: 'file:a1' })]);

    // FC's retry of the same batch converges.
    expect((await pushBatch(renamed, batch('a1'), run)).summary.updated).toBe(1);
  });

  it('closes every source at the end of a push or full sync, failed or not (AD holds a connection)', async () => {
    const closed: string[] = [];
    const closing = (name: string) => Object.assign(new ArraySource('file', [ann]), { close: async () => { closed.push(name); } });
    await pushBatch({ ...engine, sources: [closing('push')] }, batch('a1'), run);
    await fullSync({ ...engine, sources: [closing('full')] }, parseFullSyncRequest({ dryRun: true }), run);
    h.emulator.setFaults({ rate: 1, kinds: ['500'], retryAfterSeconds: 0, seed: 1 });
    await expect(pushBatch({ ...engine, sources: [closing('failed push')] }, batch('a1'), run)).rejects.toMatchObject({ retryable: true });
    expect(closed).toEqual(['push', 'full', 'failed push']);
  });

  it('push reports a final failure with its reason and does not ask for a retry', async () => {
    await pushBatch(engine, batch('a1'), run);
    h.emulator.state.attachAccessKey('ann');
    const result = await pushBatch(withPeople([]), batch('a1'), run);
    expect(result.failures).toEqual([expect.objectContaining({
      action: 'delete', externalId: 'file:a1', retryable: false, code: 'DeleteConflict.User.AccessKey',
    })]);
  });

  it('full-sync is a dry run unless asked otherwise', async () => {
    const dry = await fullSync(engine, parseFullSyncRequest({}), run);
    expect(dry).toMatchObject({ dryRun: true, plan: { create: 1 } });
    expect(dry.result).toBeUndefined();
    expect(h.emulator.counters.writes).toBe(0);
    const real = await fullSync(engine, parseFullSyncRequest({ dryRun: false }), run);
    expect(real.result).toMatchObject({ created: 1, failed: 0 });
  });

  it('full-sync refuses a source that is not configured, naming what is', async () => {
    await expect(fullSync(engine, parseFullSyncRequest({ sources: ['dingtalk'] }), run))
      .rejects.toThrow(new UnknownSourceError(['dingtalk'], ['file']).message);
  });

  it('rejects malformed messages', () => {
    expect(() => parseChangeBatch({ v: 2, id: 'x', emittedAt: '', changes: [] })).toThrow();
    expect(() => parseChangeBatch({ v: 1, id: 'x', emittedAt: '', changes: [{ source: 'msn', kind: 'user', sourceId: '1', reason: '' }] })).toThrow();
    expect(() => parseFullSyncRequest({ dryRun: 'no' })).toThrow();
    expect(() => parseFullSyncRequest({ allowDelete: 3 })).toThrow();
  });
});
