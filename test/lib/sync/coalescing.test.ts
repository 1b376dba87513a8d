/**
 * Bursts coalesced: a person changed many times is read from the vendor once and written to RAM at
 * most once, whether the changes share a batch or arrive as many batches; and a change emitted
 * after the covering read began is always applied (the property that makes skipping safe).
 */
import fc from 'fast-check';
import type { Identity } from '../../../functions/lib/core/model';
import type { ProvisioningLogLine, Source } from '../../../functions/lib/core/ports';
import { MemoryStateStore } from '../../../functions/lib/state/MemoryStateStore';
import { syncChanges } from '../../../functions/lib/sync/changeSync';
import { parseChangeBatch } from '../../../functions/lib/sync/messages';
import { COALESCE_MARGIN_MS, isCovered } from '../../../functions/lib/sync/personLocks';
import { pushBatch } from '../../../functions/lib/sync/push';
import { ArraySource } from '../../support/ArraySource';
import { engineOn } from '../../support/engine';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const person = (sourceId: string, displayName: string): Identity => ({
  source: 'file', sourceId, userName: sourceId, displayName, departmentIds: [], status: 'active',
});
const batchOf = (id: string, emittedAt: number, ...ids: string[]) => parseChangeBatch({
  v: 1, id, emittedAt: new Date(emittedAt).toISOString(), changes: ids.map((sourceId) => ({ source: 'file', kind: 'user', sourceId, reason: 'user_modify_org' })),
});
const displayNameInRam = (h: RamHarness, sourceId: string) => h.emulator.state.users().find((u) => u.externalId === `file:${sourceId}`)?.displayName;

describe('coalescing a burst of changes for one person', () => {
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  const run = { runId: 'push-1', log: (l: ProvisioningLogLine) => lines.push(l) };
  beforeEach(async () => {
    h = await startRamHarness();
    lines = [];
  });
  afterEach(() => h.close());

  it('reads and applies a person named five times in one batch once', async () => {
    const source = new ArraySource('file', [person('ann', 'Ann 5')]);
    const changes = Array.from({ length: 5 }, () => ({ source: 'file' as const, kind: 'user' as const, sourceId: 'ann', reason: 'user_modify_org' }));
    await pushBatch(engineOn(h, [source]), parseChangeBatch({ v: 1, id: 'b', emittedAt: new Date().toISOString(), changes }), run);
    expect(source.calls.getUser).toBe(1);
    expect(h.emulator.counters.writes).toBe(1);
    expect(displayNameInRam(h, 'ann')).toBe('Ann 5');
  });

  it('five batches emitted in a burst, pushed after it (one after another and side by side): one vendor read, one RAM write', async () => {
    const burstAt = Date.now() - 60_000; // the queue was behind the burst by a minute
    for (const sideBySide of [false, true]) {
      const id = sideBySide ? 'bob' : 'ann';
      const source = new ArraySource('file', [person(id, `${id} after the fifth change`)]);
      const engine = engineOn(h, [source]);
      const batches = Array.from({ length: 5 }, (_, i) => batchOf(`${id}-${i}`, burstAt + i * 1000, id));
      const writesBefore = h.emulator.counters.writes;
      const results = sideBySide
        ? await Promise.all(batches.map((b) => pushBatch(engine, b, run)))
        : await batches.reduce(async (done, b) => [...(await done), await pushBatch(engine, b, run)], Promise.resolve([] as Awaited<ReturnType<typeof pushBatch>>[]));

      expect(source.calls.getUser).toBe(1);
      expect(h.emulator.counters.writes - writesBefore).toBe(1);
      expect(results.map((r) => r.coalesced).sort()).toEqual([0, 1, 1, 1, 1]);
      expect(results.every((r) => r.failures.length === 0)).toBe(true);
      expect(displayNameInRam(h, id)).toBe(`${id} after the fifth change`);
    }
    expect(lines.filter((l) => l.action === 'coalesced')).toHaveLength(8);
    expect(lines.find((l) => l.action === 'coalesced')).toMatchObject({ status: 'skipped', externalId: expect.stringMatching(/^file:/) });
  });

  it('applies a change emitted after the covering read began, and one emitted within the margin before it', async () => {
    const people = [person('ann', 'Ann 1')];
    const source = new ArraySource('file', people);
    const engine = engineOn(h, [source]);
    const readAt = Date.now();
    await pushBatch(engine, batchOf('first', readAt - 60_000, 'ann'), run);
    expect(displayNameInRam(h, 'ann')).toBe('Ann 1');

    people[0] = person('ann', 'Ann 2');
    const late = await pushBatch(engine, batchOf('emitted-after-the-read', Date.now(), 'ann'), run);
    expect(late.coalesced).toBe(0);
    expect(displayNameInRam(h, 'ann')).toBe('Ann 2');

    // A clock a few seconds behind (or a vendor a few seconds stale) is inside the margin: applied too.
    people[0] = person('ann', 'Ann 3');
    const skewed = await pushBatch(engine, batchOf('skewed', Date.now() - COALESCE_MARGIN_MS + 1000, 'ann'), run);
    expect(skewed.coalesced).toBe(0);
    expect(displayNameInRam(h, 'ann')).toBe('Ann 3');
    expect(source.calls.getUser).toBe(3);
  });

  it('does not coalesce for someone kept off the name they want (their plan depends on its holder)', async () => {
    const sam = (sourceId: string): Identity => ({ ...person(sourceId, `Sam ${sourceId}`), userName: 'sam' });
    const source = new ArraySource('file', [sam('a'), sam('b')]);
    const engine = engineOn(h, [source]);
    const first = await pushBatch(engine, batchOf('both', Date.now() - 60_000, 'a', 'b'), run);
    expect(first.failures).toEqual([]);
    const again = await pushBatch(engine, batchOf('older', Date.now() - 120_000, 'a', 'b'), run);
    expect(again.coalesced).toBe(1); // a holds the name: covered; b, renamed around it, is read again
    expect(lines.filter((l) => l.action === 'coalesced').map((l) => l.externalId)).toEqual(['file:a']);
  });

  it('does not coalesce behind a read whose apply failed', async () => {
    const source = new ArraySource('file', [person('ann', 'Ann')]);
    const engine = engineOn(h, [source]);
    h.emulator.setFaults({ rate: 1, kinds: ['500'], retryAfterSeconds: 0, seed: 1 });
    await expect(pushBatch(engine, batchOf('fails', Date.now() - 60_000, 'ann'), run)).rejects.toMatchObject({ retryable: true });
    h.emulator.setFaults(undefined);
    const again = await pushBatch(engine, batchOf('older', Date.now() - 120_000, 'ann'), run);
    expect(again.coalesced).toBe(0);
    expect(displayNameInRam(h, 'ann')).toBe('Ann');
  });
});

/**
 * The guarantee, for any schedule: changes happen at the vendor over time, each emitted with a clock
 * off by up to ±4 s; push takes the batches in any order at any later time and reads the vendor as
 * it is then. Once every batch is pushed, RAM holds the vendor's latest state, however many were
 * skipped.
 */
describe('coalescing never skips the latest change', () => {
  let h: RamHarness;
  beforeAll(async () => { h = await startRamHarness(); });
  afterAll(() => h.close());

  it('isCovered: only a change emitted at least the margin before the read began', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: -1e6, max: 1e6 }), (emittedAt, delta) => {
      expect(isCovered(emittedAt, emittedAt + delta)).toBe(delta >= COALESCE_MARGIN_MS);
      expect(isCovered(emittedAt, undefined)).toBe(false);
    }));
  });

  it('RAM ends at the vendor\'s latest state for random bursts and schedules', async () => {
    let round = 0;
    let skipped = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ gap: fc.integer({ min: 0, max: 8000 }), skew: fc.integer({ min: -4000, max: 4000 }) }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
      fc.array(fc.integer({ min: 0, max: 8000 }), { minLength: 6, maxLength: 6 }),
      async (changes, order, waits) => {
        const id = `p${round++}`;
        let t = 1_000_000;
        const happened = changes.map((c, i) => { t += c.gap; return { at: t, emittedAt: t + c.skew, name: `${id} v${i}` }; });
        const vendorAt = (now: number) => [...happened].reverse().find((c) => c.at <= now)?.name;
        // Push takes the batches in a random order, each no earlier than it was emitted (and sent).
        const pending = happened.map((_, i) => i);
        // Pushes interleave with the changes: a batch exists once its change happened and it was stamped.
        let clock = happened[0]!.at;
        const people: Identity[] = [];
        const source: Source = new ArraySource('file', people);
        const state = new MemoryStateStore();
        for (let k = 0; pending.length > 0; k++) {
          const [i] = pending.splice(order[k % order.length]! % pending.length, 1);
          clock = Math.max(clock, happened[i!]!.at, happened[i!]!.emittedAt) + waits[k % waits.length]!;
          people.splice(0, people.length, person(id, vendorAt(clock)!));
          const report = await syncChanges({
            ...engineOn(h, [source]), state, changes: [{ source: 'file', kind: 'user', sourceId: id, reason: 'user_modify_org' }],
            runId: 'prop', log: () => undefined, emittedAt: happened[i!]!.emittedAt, now: () => clock,
          });
          skipped += report.coalesced.length;
        }
        expect(displayNameInRam(h, id)).toBe(happened[happened.length - 1]!.name);
      },
    ), { numRuns: 60, seed: 17 });
    // The schedules did exercise skipping, not only full reads.
    expect(skipped).toBeGreaterThan(0);
  });
});
