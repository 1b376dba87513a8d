import { FinalError, RetryableError } from '../../../functions/lib/core/errors';
import type { Identity } from '../../../functions/lib/core/model';
import type { ProvisioningLogLine, Source } from '../../../functions/lib/core/ports';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { FailedChanges } from '../../../functions/lib/sync/failedChanges';
import { parseChangeBatch } from '../../../functions/lib/sync/messages';
import { RetryableBatchError, pushBatch } from '../../../functions/lib/sync/push';
import { retryFailed } from '../../../functions/lib/sync/retryFailed';
import { ArraySource } from '../../support/ArraySource';
import { engineOn } from '../../support/engine';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const person = (sourceId: string, userName = sourceId): Identity => ({
  source: 'file', sourceId, userName, displayName: userName, departmentIds: [], status: 'active',
});
const ann = person('a1', 'ann');
/** A batch emitted just now: the person's state is newer than any earlier push of them (nothing to coalesce). */
const batch = (...ids: string[]) => parseChangeBatch({
  v: 1, id: 'batch-1', emittedAt: new Date().toISOString(), changes: ids.map((sourceId) => ({ source: 'file', kind: 'user', sourceId, reason: 't' })),
});

/** A source that answers some people with an error, and counts reads per person. */
function poisoned(people: Identity[], errors: Map<string, Error>): Source & { reads: Map<string, number> } {
  const inner = new ArraySource('file', people);
  const reads = new Map<string, number>();
  return Object.assign(Object.create(inner) as ArraySource, {
    reads,
    async getUser(id: string) {
      reads.set(id, (reads.get(id) ?? 0) + 1);
      const error = errors.get(id);
      if (error) throw error;
      return inner.getUser(id);
    },
  });
}

const unexpectedAnswer = () => new FinalError({
  code: '60011', reason: 'the vendor answered errcode 60011', recommendedAction: 'grant the app contact read permission',
});
const throttledAnswer = () => new RetryableError({ code: '90018', reason: 'the vendor throttled us' });

describe('push: one queue batch, each change on its own', () => {
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  let engine: EngineEnvironment;
  const run = { runId: 'req-1', log: (l: ProvisioningLogLine) => lines.push(l) };
  const withPeople = (people: Identity[]): EngineEnvironment => ({ ...engine, sources: [new ArraySource('file', people)] });

  beforeEach(async () => {
    h = await startRamHarness({ maxAttempts: 2 });
    lines = [];
    engine = engineOn(h, [new ArraySource('file', [ann])]);
  });
  afterEach(() => h.close());

  it('applies a batch and reports it', async () => {
    const result = await pushBatch(engine, batch('a1'), run);
    expect(result).toMatchObject({ batchId: 'batch-1', summary: { created: 1 }, failures: [] });
    expect(lines[0]).toMatchObject({ runId: 'req-1', changeId: 'batch-1', status: 'succeeded' });
  });

  it('fails the invocation when a change fails retryably, so FC retries it', async () => {
    // RAM down while reading: the read itself fails retryably.
    h.emulator.setFaults({ rate: 1, kinds: ['500'], retryAfterSeconds: 0, seed: 1 });
    await expect(pushBatch(engine, batch('a1'), run)).rejects.toMatchObject({ retryable: true });
    h.emulator.setFaults(undefined);

    // RAM throttling the write: the step fails retryably, the batch is failed as a whole.
    await pushBatch(engine, batch('a1'), run);
    const renamed = withPeople([{ ...ann, displayName: 'Ann B.' }]);
    const throttled = new Proxy(h.ram, {
      get: (target, key) => (key === 'replaceUser'
        ? async () => { throw new RetryableError({ code: 'Throttling.User', reason: 'throttled' }); }
        : Reflect.get(target, key, target)),
    });
    const error = await pushBatch({ ...renamed, target: throttled }, batch('a1'), run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableBatchError);
    expect((error as RetryableBatchError).failures).toEqual([expect.objectContaining({ code: 'Throttling.User', externalId: 'file:a1' })]);

    // FC's retry of the same batch converges.
    expect((await pushBatch(renamed, batch('a1'), run)).summary.updated).toBe(1);
  });

  it('closes every source at the end of a push, failed or not (AD holds a connection)', async () => {
    const closed: string[] = [];
    const closing = (name: string) => Object.assign(new ArraySource('file', [ann]), { close: async () => { closed.push(name); } });
    await pushBatch({ ...engine, sources: [closing('push')] }, batch('a1'), run);
    h.emulator.setFaults({ rate: 1, kinds: ['500'], retryAfterSeconds: 0, seed: 1 });
    await expect(pushBatch({ ...engine, sources: [closing('failed push')] }, batch('a1'), run)).rejects.toMatchObject({ retryable: true });
    expect(closed).toEqual(['push', 'failed push']);
  });

  it('reports a final failure with its reason and does not ask for a retry', async () => {
    await pushBatch(engine, batch('a1'), run);
    h.emulator.state.attachAccessKey('ann');
    const result = await pushBatch(withPeople([]), batch('a1'), run);
    expect(result.failures).toEqual([expect.objectContaining({
      action: 'delete', externalId: 'file:a1', retryable: false, code: 'DeleteConflict.User.AccessKey',
    })]);
  });

  it('a poisoned person in a batch of 1,000 (an AD poll) fails alone: the other 999 apply at once, the poisoned one is listed as failed, nothing is retried', async () => {
    const people = Array.from({ length: 1000 }, (_, i) => person(`p${i}`));
    const source = poisoned(people, new Map([['p17', unexpectedAnswer()]]));
    const result = await pushBatch({ ...engine, sources: [source] }, batch(...people.map((p) => p.sourceId)), run);

    expect(result.summary.created).toBe(999);
    expect(result.failures).toEqual([expect.objectContaining({ action: 'read', externalId: 'file:p17', code: '60011', retryable: false })]);
    const failed = await new FailedChanges(h.state).list();
    expect(failed.entries).toEqual([expect.objectContaining({
      key: 'file:p17', subject: 'person', action: 'read', batchId: 'batch-1', runId: 'req-1', times: 1,
      reason: 'the vendor answered errcode 60011', recommendedAction: 'grant the app contact read permission',
      change: expect.objectContaining({ sourceId: 'p17' }),
    })]);
    expect(lines.filter((l) => l.status === 'failed')).toEqual([expect.objectContaining({ externalId: 'file:p17', recommendedAction: 'grant the app contact read permission' })]);
  });

  it('a retry works only on what failed retryably, and succeeds once nothing retryable is left', async () => {
    const people = [person('p1'), person('p2'), person('p3')];
    const errors = new Map([['p2', throttledAnswer()]]);
    const source = poisoned(people, errors);
    const first = await pushBatch({ ...engine, sources: [source] }, batch('p1', 'p2', 'p3'), run).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RetryableBatchError);
    expect((first as RetryableBatchError).failures).toEqual([expect.objectContaining({ externalId: 'file:p2', retryable: true })]);
    expect(h.emulator.state.users()).toHaveLength(2);

    errors.clear();
    const again = await pushBatch({ ...engine, sources: [source] }, batch('p1', 'p2', 'p3'), run);
    expect(again).toMatchObject({ resumed: 2, summary: { created: 1 }, failures: [] });
    expect(Object.fromEntries(source.reads)).toEqual({ p1: 1, p2: 2, p3: 1 });
    // Done: the batch's progress is forgotten, so a redelivery converges from scratch.
    expect(await h.state.list('push/progress/')).toEqual([]);
  });

  it('a listed person leaves the failed list once a later change for them applies', async () => {
    const errors = new Map([['a1', unexpectedAnswer()]]);
    const source = poisoned([ann], errors);
    await pushBatch({ ...engine, sources: [source] }, batch('a1'), run);
    await pushBatch({ ...engine, sources: [source] }, batch('a1'), run);
    expect((await new FailedChanges(h.state).list()).entries).toEqual([expect.objectContaining({ key: 'file:a1', times: 2 })]);
    errors.clear();
    await pushBatch({ ...engine, sources: [source] }, batch('a1'), run);
    expect((await new FailedChanges(h.state).list()).entries).toEqual([]);
  });

  it('a final failure of the whole batch (a configuration problem) lists every change and is not retried', async () => {
    const locked = { ...engine, sources: [Object.assign(new ArraySource('file', [ann]), { identifier: { type: 'employee-number' } })] };
    await pushBatch(locked, batch('a1'), run);
    const changed = { ...engine, sources: [Object.assign(new ArraySource('file', [ann]), { identifier: { type: 'email' } })] };
    const result = await pushBatch(changed, batch('a1', 'b2'), run);
    expect(result.failures).toEqual([
      expect.objectContaining({ externalId: 'file:a1', code: 'IdentifierTypeChanged', retryable: false }),
      expect.objectContaining({ externalId: 'file:b2', code: 'IdentifierTypeChanged', retryable: false }),
    ]);
    expect((await new FailedChanges(h.state).list()).entries.map((e) => e.key)).toEqual(['file:a1', 'file:b2']);
  });

  it('the failed list is retried once the cause is fixed; what has nothing to run again is taken off', async () => {
    const errors = new Map([['a1', unexpectedAnswer()]]);
    const source = poisoned([ann], errors);
    await pushBatch({ ...engine, sources: [source] }, batch('a1'), run);
    const failed = new FailedChanges(h.state);
    await failed.settle([{ key: 'message:req-0', subject: 'message', action: 'decode', code: 'EventDecodeError', reason: 'not JSON', retryable: false, runId: 'req-0', at: '2026-12-06T00:00:00.000Z' }], []);

    errors.clear();
    const result = await retryFailed({ ...engine, sources: [source] }, ['file:a1', 'message:req-0', 'file:nobody'], { runId: 'retry-1', log: run.log });
    expect(result).toMatchObject({ retried: ['file:a1'], forgotten: ['message:req-0'], unknown: ['file:nobody'], summary: { created: 1 }, failures: [] });
    expect((await failed.list()).entries).toEqual([]);
  });
});
