/**
 * RAM requests per second achieved by a fleet of push processes against one emulator account
 * limited to the configured rate, as a ratio of that rate, for three ways to hold RAM_RATE_LIMIT:
 * - shared: one bucket in the state store (what the product does);
 * - split: each instance RAM_RATE_LIMIT / instances (a static share);
 * - per-process: each instance the whole RAM_RATE_LIMIT (the former behaviour).
 * With every instance busy, and with one busy instance (the others idle: a full sync or a small
 * burst). Hires in batches of 10, so every person costs a lookup and a create.
 * Usage: tsx test/bench/fleet.bench.ts [RATE] [HIRES] [INSTANCES] [BUDGETS, e.g. shared,split]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangeBatch, Identity } from '../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../functions/lib/core/rules';
import { startRamEmulator } from '../../infra/emulator/RamEmulator';
import { type FleetOptions, runFleet } from '../support/pushFleet';

const rate = Number(process.argv[2] ?? 400);
const hires = Number(process.argv[3] ?? 1600);
const instances = Number(process.argv[4] ?? 4);
const budgets = (process.argv[5] ?? 'shared,split,per-process').split(',') as FleetOptions['budget'][];
const BATCH = 10;
const settings = { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD };

const person = (i: number): Identity => ({
  source: 'file', sourceId: `h${i}`, userName: `hire${i}`, displayName: `Hire ${i}`, departmentIds: [], status: 'active',
});

async function variant(budget: FleetOptions['budget'], busy: number) {
  const people = Array.from({ length: hires }, (_, i) => person(i));
  const batches: ChangeBatch[] = [];
  for (let i = 0; i < hires; i += BATCH) {
    batches.push({
      v: 1, id: `hires-${i}`, emittedAt: new Date().toISOString(),
      changes: people.slice(i, i + BATCH).map((p) => ({ source: 'file', kind: 'user', sourceId: p.sourceId, reason: 'user_add_org' })),
    });
  }
  const perInstance = Array.from({ length: instances }, (_, n) => (n < busy ? batches.filter((_, i) => i % busy === n) : []));
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
  const emulator = await startRamEmulator({ rateLimit: { requestsPerSecond: rate } });
  try {
    const report = await runFleet({ dir, emulatorUrl: emulator.url, rateLimit: rate, budget, people, settings, batches: perInstance });
    const { reads, writes, throttled } = emulator.counters;
    const answered = reads + writes;
    return {
      budget, busy, instances, elapsedMs: report.elapsedMs,
      requests: answered, throttled,
      achievedPerSecond: Math.round((answered / report.elapsedMs) * 1000),
      ratioToRate: Number(((answered / report.elapsedMs) * 1000 / rate).toFixed(2)),
      applied: emulator.state.users().length,
      retries: report.instances.reduce((n, r) => n + r.retries, 0),
      deadLettered: report.instances.reduce((n, r) => n + r.deadLettered, 0),
    };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  const results = [];
  for (const budget of budgets) {
    results.push(await variant(budget, instances));
    if (budget !== 'per-process') results.push(await variant(budget, 1));
  }
  console.log(JSON.stringify({ bench: 'fleet', rate, hires, instances, results }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
