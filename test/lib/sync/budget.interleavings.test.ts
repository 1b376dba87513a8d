/**
 * The shared deletion budget under every interleaving fast-check can find: four pushes settle their
 * batches against one ledger at once, through a state store whose `update` is a compare-and-swap with
 * real gaps between reading, deciding and committing (the gaps a NAS round trip opens in FC). The
 * scheduler decides who runs in each gap, so lost updates and stale reads are explored, not hoped for.
 */
import fc from 'fast-check';
import type { RamUser } from '../../../functions/lib/core/model';
import { type Plan, buildPlan, isDeprovision } from '../../../functions/lib/core/plan';
import type { StateStore } from '../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, type SafeguardRules } from '../../../functions/lib/core/rules';
import type { SafeguardLedger } from '../../../functions/lib/core/safeguard';
import { HeldList } from '../../../functions/lib/sync/heldList';

const LEDGER = 'safeguard/ledger';
const NOW = new Date('2026-12-01T10:00:00.000Z');

/**
 * A store whose `update` reads a record's version, yields to the scheduler, decides, yields again and
 * commits only if the version is still the one it read (else it counts a conflict and starts over).
 * `casCheck: false` drops that check: the read-modify-write race the real store must not have.
 */
class ScheduledCasStore implements StateStore {
  private readonly records = new Map<string, { version: number; text: string }>();
  conflicts = 0;

  constructor(private readonly s: fc.Scheduler, private readonly casCheck = true) {}

  async get<T>(key: string): Promise<T | undefined> {
    const record = this.records.get(key);
    return record === undefined ? undefined : (JSON.parse(record.text) as T);
  }

  async put<T>(key: string, value: T): Promise<void> {
    this.records.set(key, { version: (this.records.get(key)?.version ?? 0) + 1, text: JSON.stringify(value) });
  }

  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.records.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    for (;;) {
      const read = this.records.get(key);
      const current = read === undefined ? undefined : (JSON.parse(read.text) as T);
      await this.s.schedule(Promise.resolve(), `read ${key} v${read?.version ?? 0}`);
      const next = change(current);
      if (next === undefined) return current;
      await this.s.schedule(Promise.resolve(), `commit ${key} over v${read?.version ?? 0}`);
      const now = this.records.get(key);
      if (this.casCheck && now?.version !== read?.version) {
        this.conflicts += 1;
        continue;
      }
      const text = JSON.stringify(next);
      this.records.set(key, { version: (now?.version ?? 0) + 1, text });
      return JSON.parse(text) as T;
    }
  }
}

const ram = (id: string): RamUser => ({ id: `r-${id}`, userName: `u${id}`, displayName: `U${id}`, externalId: `file:${id}` });

/** The plan of one push batch: everyone named left the source and still has a RAM user. */
function leavers(ids: string[]): Plan {
  const actual = ids.map(ram);
  return buildPlan({ desired: [], actual, coverage: { kind: 'externalIds', externalIds: actual.map((u) => u.externalId!) }, policy: DEFAULT_DEPROVISION_POLICY });
}

/** Four pushes, each a few batches of a few leavers; every person is named by exactly one batch. */
const scenario = fc.record({
  pushes: fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), { minLength: 4, maxLength: 4 }),
  maxDeletes: fc.integer({ min: 0, max: 12 }),
  /** Deprovisions of other people already counted in the window before these pushes. */
  spentBefore: fc.integer({ min: 0, max: 4 }),
}).map(({ pushes, maxDeletes, spentBefore }) => {
  let next = 0;
  const batches = pushes.map((sizes, p) => sizes.map((size) => Array.from({ length: size }, () => `p${p}-${next++}`)));
  return { batches, maxDeletes, spentBefore: Math.min(spentBefore, maxDeletes) };
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** Runs the four pushes at once; each settles its batches one after another, as push does. */
async function runPushes(s: fc.Scheduler, store: ScheduledCasStore, { batches, maxDeletes, spentBefore }: Scenario) {
  const rules: SafeguardRules = { maxDeletes, maxDeletePercent: 100, windowMinutes: 60 };
  const before: SafeguardLedger = {
    v: 1, held: {}, spent: Object.fromEntries(Array.from({ length: spentBefore }, (_, i) => [`file:earlier-${i}`, NOW.toISOString()])),
  };
  await store.put(LEDGER, before);
  const settled: Plan[] = [];
  const pushes = batches.map(async (push, p) => {
    const held = new HeldList(store, () => NOW);
    for (const [b, ids] of push.entries()) {
      const named = new Set(ids.map((id) => `file:${id}`));
      settled.push(await held.settle(leavers(ids), {
        rules, mode: 'each', managed: Number.POSITIVE_INFINITY, covered: (id) => named.has(id),
        origin: { path: 'push', runId: `push-${p}`, changeId: `msg-${p}-${b}` },
      }));
    }
  });
  await s.waitFor(Promise.all(pushes));
  return { settled, ledger: (await store.get<SafeguardLedger>(LEDGER))! };
}

/** What must hold after any interleaving; the first broken rule is thrown. */
function checkBudget({ batches, maxDeletes, spentBefore }: Scenario, settled: Plan[], ledger: SafeguardLedger): void {
  const everyone = batches.flat(2).map((id) => `file:${id}`);
  const spent = Object.keys(ledger.spent);
  const deprovisions = settled.flatMap((plan) => plan.steps.filter(isDeprovision));
  const applied = deprovisions.filter((d) => !d.staged).map((d) => d.externalId);

  expect(spent.length).toBeLessThanOrEqual(maxDeletes);
  // The same count a sequential run gives: the budget is used up, and not a person more.
  expect(spent.length).toBe(Math.min(spentBefore + everyone.length, maxDeletes));
  // Each person is in exactly one of spent and held: none in both, none in neither.
  expect(everyone.filter((id) => (id in ledger.spent) === (id in ledger.held))).toEqual([]);
  // What the pushes were told to apply is exactly what the ledger counted for them.
  expect(applied.sort()).toEqual(spent.filter((id) => !id.startsWith('file:earlier-')).sort());
  expect(deprovisions.filter((d) => d.staged).map((d) => d.externalId).sort()).toEqual(Object.keys(ledger.held).sort());
}

describe('the deletion budget shared by concurrent pushes (every interleaving of their ledger updates)', () => {
  it('never spends more than the limit, and every deprovision is either counted once or held', async () => {
    let conflicts = 0;
    let runsWithConflicts = 0;
    await fc.assert(fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
      const store = new ScheduledCasStore(s);
      const { settled, ledger } = await runPushes(s, store, sc);
      checkBudget(sc, settled, ledger);
      conflicts += store.conflicts;
      if (store.conflicts > 0) runsWithConflicts += 1;
    }), { numRuns: 300 });
    // Not vacuous: writers really collided and the compare-and-swap sent them round again.
    expect(conflicts).toBeGreaterThan(0);
    expect(runsWithConflicts).toBeGreaterThan(150);
  });

  it('is caught breaking the budget when the store writes without comparing versions (the lost update)', async () => {
    const details = await fc.check(fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
      const { settled, ledger } = await runPushes(s, new ScheduledCasStore(s, false), sc);
      checkBudget(sc, settled, ledger);
    }), { numRuns: 300 });
    expect(details.failed).toBe(true);
  });
});
