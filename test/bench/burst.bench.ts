/**
 * A burst of CHANGES changes for PEOPLE people (each changed CHANGES / PEOPLE times, a reorg),
 * one change per queue batch as webhooks send them, interleaved, dealt to INSTANCES push processes
 * sharing one state directory, against an emulator account limited to RATE requests/s (the product
 * set to the same). Everyone is in RAM already; the vendor holds their final state. The queue is a
 * minute behind the burst. Reports vendor reads, RAM reads and RAM writes per person.
 * Usage: tsx test/bench/burst.bench.ts [CHANGES] [PEOPLE] [INSTANCES] [RATE] [off]
 * `off`: batches without a valid emittedAt, which push never coalesces (the behaviour before coalescing).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangeBatch, Identity } from '../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../functions/lib/core/rules';
import { createRamClient } from '../../functions/lib/ram/RamClient';
import { parseRamConfig } from '../../functions/lib/ram/config';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { runFullSync } from '../../functions/lib/sync/fullSync';
import { startRamEmulator } from '../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../infra/emulator/env';
import { ArraySource } from '../support/ArraySource';
import { readsPerPerson, runFleet } from '../support/pushFleet';

const changes = Number(process.argv[2] ?? 10_000);
const peopleCount = Number(process.argv[3] ?? 2_000);
const instances = Number(process.argv[4] ?? 4);
const rate = Number(process.argv[5] ?? 500);
const coalescing = process.argv[6] !== 'off';
const settings = { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD };
const person = (i: number, title: string): Identity => ({
  source: 'file', sourceId: `p${i}`, userName: `person${i}`, displayName: `Person ${i} ${title}`, departmentIds: [], status: 'active',
});

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'burst-bench-'));
  const emulator = await startRamEmulator();
  try {
    const before = Array.from({ length: peopleCount }, (_, i) => person(i, 'before'));
    await runFullSync({
      sources: [new ArraySource('file', before)], target: createRamClient(parseRamConfig({ ...emulatorEnv(emulator.url), RAM_RATE_LIMIT: '100000' })),
      state: new FileStateStore(join(dir, 'nas')), settings, dryRun: false, runId: 'seed', log: () => undefined,
    });
    emulator.counters.reset();
    emulator.setRateLimit({ requestsPerSecond: rate });

    // Change k of person i sits at position k * people + i: a person's changes are spread through the queue.
    const burstAt = Date.now() - 60_000;
    const queue: ChangeBatch[] = [];
    for (let c = 0; c < changes; c++) {
      queue.push({
        v: 1, id: `change-${c}`, emittedAt: coalescing ? new Date(burstAt + Math.floor((c / changes) * 10_000)).toISOString() : 'unknown',
        changes: [{ source: 'file', kind: 'user', sourceId: `p${c % peopleCount}`, reason: 'user_modify_org' }],
      });
    }
    const after = Array.from({ length: peopleCount }, (_, i) => person(i, 'after'));
    const batches = Array.from({ length: instances }, (_, n) => queue.filter((_, i) => i % instances === n));
    const report = await runFleet({ dir, emulatorUrl: emulator.url, rateLimit: rate, budget: 'shared', people: after, settings, batches });

    const reads = [...readsPerPerson(report).values()];
    const settled = emulator.state.users().filter((u) => u.displayName.endsWith(' after')).length;
    const { writes, reads: ramReads, throttled } = emulator.counters;
    console.log(JSON.stringify({
      bench: 'burst', coalescing, changes, people: peopleCount, instances, rate, elapsedMs: report.elapsedMs,
      vendorReadsPerPerson: reads.reduce((a, b) => a + b, 0) / peopleCount, maxVendorReadsPerPerson: Math.max(...reads),
      ramReadsPerPerson: ramReads / peopleCount, ramWritesPerPerson: writes / peopleCount,
      coalesced: report.instances.reduce((n, r) => n + r.coalesced, 0), throttled, settled,
      retries: report.instances.reduce((n, r) => n + r.retries, 0), deadLettered: report.instances.reduce((n, r) => n + r.deadLettered, 0),
      batchesPerSecond: Math.round((changes / report.elapsedMs) * 1000),
    }));
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
