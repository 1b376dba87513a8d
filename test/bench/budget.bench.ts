/**
 * What the deletion budget's bookkeeping (the `safeguard/ledger` record, read and written with the
 * FileStateStore's atomic update) and the person's lease (`lease/person/<externalId>`, taken and
 * released the same way) add to a push, per change: the same pushes with everything, without the
 * ledger, and without the lease,
 * one change per `syncChanges` call (as a burst of webhook events arrives), against the emulator and
 * a FileStateStore on a fresh temp directory. "Without" hides only the ledger: suspensions, the
 * managed count and the identifier types are read from the same store; "no lease" grants every lease
 * without storing it. The variants take turns, in an order rotated every round, so machine noise
 * falls on all alike.
 * Usage: tsx test/bench/budget.bench.ts [N people] [changes per variant and kind]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Identity } from '../../functions/lib/core/model';
import type { StateStore, UpdateOptions } from '../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES } from '../../functions/lib/core/rules';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { syncChanges } from '../../functions/lib/sync/changeSync';
import { type SyncSettings, runFullSync } from '../../functions/lib/sync/fullSync';
import { ArraySource } from '../support/ArraySource';
import { startRamHarness } from '../support/ramHarness';

const n = Number(process.argv[2] ?? 400);
const changes = Number(process.argv[3] ?? Math.floor(n / 8));
/** Unmeasured rounds first: JIT, the first probe for the ledger's newest version, the RAM client's token. */
const WARMUP = 5;
const LEDGER = 'safeguard/ledger';

// A budget no run of this bench can spend: every deprovision applies, so both variants do the same RAM work.
const settings: SyncSettings = {
  rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY,
  safeguard: { maxDeletes: 10 * n, maxDeletePercent: 100, windowMinutes: 60 },
};
const person = (i: number, title = ''): Identity => ({
  source: 'file', sourceId: `e${i}`, userName: `user${i}`, displayName: `User ${i}${title}`, departmentIds: [], status: 'active',
});

/** The store as it is, except that the ledger is never read or written: settle still runs, in memory, on an empty ledger. */
class WithoutLedger implements StateStore {
  constructor(private readonly inner: StateStore) {}
  get<T>(key: string) { return key === LEDGER ? Promise.resolve(undefined) : this.inner.get<T>(key); }
  put<T>(key: string, value: T) { return this.inner.put(key, value); }
  delete(key: string) { return this.inner.delete(key); }
  list(prefix: string) { return this.inner.list(prefix); }
  async update<T>(key: string, change: (current: T | undefined) => T | undefined, options?: UpdateOptions): Promise<T | undefined> {
    if (key !== LEDGER) return this.inner.update(key, change, options);
    change(undefined);
    return undefined;
  }
}

/** The store as it is, except that leases are granted without being stored (one holder always). */
class WithoutLeases implements StateStore {
  constructor(private readonly inner: StateStore) {}
  get<T>(key: string) { return this.inner.get<T>(key); }
  put<T>(key: string, value: T) { return this.inner.put(key, value); }
  delete(key: string) { return this.inner.delete(key); }
  list(prefix: string) { return this.inner.list(prefix); }
  async update<T>(key: string, change: (current: T | undefined) => T | undefined, options?: UpdateOptions): Promise<T | undefined> {
    return key.startsWith('lease/') ? change(undefined) : this.inner.update(key, change, options);
  }
}

type Variant = 'with' | 'without' | 'noLease';
const VARIANTS: Variant[] = ['with', 'without', 'noLease'];
type Kind = 'update' | 'deprovision';

async function main() {
  if (!(changes > 0 && 6 * (changes + WARMUP) <= n)) throw new Error(`need 6 × (changes + ${WARMUP}) ≤ people, got ${changes} changes for ${n} people`);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-budget-'));
  const h = await startRamHarness();
  try {
    const file = new FileStateStore(dir);
    const stores: Record<Variant, StateStore> = { with: file, without: new WithoutLedger(file), noLease: new WithoutLeases(file) };
    // What the source says right now: a push reads the changed person from it.
    const people = new Map(Array.from({ length: n }, (_, i) => [i, person(i)]));
    const source = () => new ArraySource('file', [...people.values()]);
    const common = { target: h.ram, settings, log: () => undefined };
    await runFullSync({ ...common, state: file, sources: [source()], dryRun: false, runId: 'bench-full' });

    const push = async (variant: Variant, i: number, round: number): Promise<number> => {
      const started = process.hrtime.bigint();
      const report = await syncChanges({
        ...common, state: stores[variant], sources: [source()], runId: `bench-${round}`, changeId: `${variant}-${i}`,
        changes: [{ source: 'file', kind: 'user', sourceId: `e${i}`, reason: 'bench' }],
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const done = report.result.outcomes.filter((o) => o.status === 'succeeded').length;
      if (done !== 1 || report.plan.steps.some((s) => s.kind === 'user' && s.staged)) {
        throw new Error(`push of e${i} (${variant}) did not apply exactly one step: ${JSON.stringify(report.result.summary)}`);
      }
      return ms;
    };
    const update = (variant: Variant, i: number, round: number) => {
      people.set(i, person(i, ` (round ${round})`));
      return push(variant, i, round);
    };
    const deprovision = (variant: Variant, i: number, round: number) => {
      people.delete(i);
      return push(variant, i, round);
    };

    const samples: Record<Kind, Record<Variant, number[]>> = {
      update: { with: [], without: [], noLease: [] }, deprovision: { with: [], without: [], noLease: [] },
    };
    // Round r updates people 3r..3r+2 and deprovisions n-1-3r..n-3-3r: fresh people each round, never shared.
    for (let round = 0; round < WARMUP + changes; round += 1) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      const measured = round >= WARMUP;
      for (const [slot, variant] of order.entries()) {
        const ms = await update(variant, 3 * round + slot, round);
        if (measured) samples.update[variant].push(ms);
      }
      for (const [slot, variant] of order.entries()) {
        const ms = await deprovision(variant, n - 1 - 3 * round - slot, round);
        if (measured) samples.deprovision[variant].push(ms);
      }
    }

    const figures = (kind: Kind) => {
      const [w, wo, nl] = [samples[kind].with, samples[kind].without, samples[kind].noLease];
      return {
        withMs: round2(percentile(w, 50)), withP90Ms: round2(percentile(w, 90)),
        withoutMs: round2(percentile(wo, 50)), withoutP90Ms: round2(percentile(wo, 90)),
        addedMs: round2(percentile(w, 50) - percentile(wo, 50)),
        noLeaseMs: round2(percentile(nl, 50)), leaseAddedMs: round2(percentile(w, 50) - percentile(nl, 50)),
      };
    };
    console.log(JSON.stringify({
      bench: 'budget', people: n, changes, stateDir: tmpdir(),
      update: figures('update'), deprovision: figures('deprovision'),
    }));
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

main().catch((error) => { console.error(error); process.exit(1); });
