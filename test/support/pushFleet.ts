/**
 * Several push instances as FC runs them: one Node process each, each with its own state store on
 * one directory (the NAS), its own RAM client and its own copy of the vendor, taking its queue
 * batches one at a time (instance concurrency 1). A batch that fails retryably is retried the way
 * FC retries an async event (maxAsyncRetryAttempts 3 in s.yaml), then counted as dead-lettered.
 * For the fleet test and the fleet/burst benches.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeBatch, Identity } from '../../functions/lib/core/model';
import type { SyncSettings } from '../../functions/lib/sync/fullSync';
import { importPath, startTsxProcess } from './tsxProcess';

export interface FleetOptions {
  /** A scratch directory: the state directory, the world file and the scripts go here. */
  dir: string;
  emulatorUrl: string;
  /** The account-wide rate each instance is configured with (RAM_RATE_LIMIT). */
  rateLimit: number;
  /**
   * `shared` (the product): the budget in the state store. `per-process`: each instance its own
   * bucket at rateLimit (the former behaviour). `split`: each instance rateLimit / instances.
   */
  budget: 'shared' | 'per-process' | 'split';
  /** The vendor's people as push reads them. */
  people: Identity[];
  settings: SyncSettings;
  /** Per instance, its batches in the order its queue hands them over. */
  batches: ChangeBatch[][];
}

export interface InstanceReport {
  started: number;
  ended: number;
  /** Vendor reads per source id. */
  reads: Record<string, number>;
  pushed: number;
  coalesced: number;
  /** Final failures reported by push (listed, not retried). */
  failures: number;
  /** FC retries of a batch (a retryable failure). */
  retries: number;
  deadLettered: number;
}

export interface FleetReport {
  instances: InstanceReport[];
  /** From the go signal to the last instance done (ms). */
  elapsedMs: number;
}

const FC_RETRIES = 3;

const INSTANCE_SCRIPT = `
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pushBatch } from ${importPath('functions/lib/sync/push.ts')};
import { FileStateStore } from ${importPath('functions/lib/state/FileStateStore.ts')};
import { createRamClient } from ${importPath('functions/lib/ram/RamClient.ts')};
import { parseRamConfig } from ${importPath('functions/lib/ram/config.ts')};
import { emulatorEnv } from ${importPath('infra/emulator/env.ts')};
import { ArraySource } from ${importPath('test/support/ArraySource.ts')};

const [stateDir, url, worldFile, goFile, index] = process.argv.slice(2) as string[];
(async () => {
  const world = JSON.parse(await readFile(worldFile!, 'utf8'));
  const n = world.batches.length;
  const rate = world.budget === 'split' ? world.rateLimit / n : world.rateLimit;
  const state = new FileStateStore(stateDir!);
  const target = createRamClient(parseRamConfig({ ...emulatorEnv(url!), RAM_RATE_LIMIT: String(Math.max(1, Math.floor(rate))) }),
    world.budget === 'shared' ? { stateStore: state } : {});
  const inner = new ArraySource('file', world.people);
  const reads: Record<string, number> = {};
  const source = Object.assign(Object.create(inner), {
    async getUser(id: string) { reads[id] = (reads[id] ?? 0) + 1; return inner.getUser(id); },
  });
  const engine = { settings: world.settings, sources: [source], state, target };
  console.log('ready');
  while (!existsSync(goFile!)) await new Promise((r) => setTimeout(r, 2));
  const report = { started: Date.now(), ended: 0, reads, pushed: 0, coalesced: 0, failures: 0, retries: 0, deadLettered: 0 };
  for (const batch of world.batches[Number(index)]) {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await pushBatch(engine, batch, { runId: 'fleet-' + index, log: () => undefined });
        report.pushed++;
        report.coalesced += result.coalesced;
        report.failures += result.failures.length;
        break;
      } catch (error) {
        if (!(error as { retryable?: boolean }).retryable || attempt >= ${FC_RETRIES}) { report.deadLettered++; break; }
        report.retries++;
      }
    }
  }
  report.ended = Date.now();
  console.log(JSON.stringify(report));
})().catch((err) => { console.error(err); process.exit(1); });
`;

export async function runFleet(options: FleetOptions): Promise<FleetReport> {
  const script = join(options.dir, 'push-instance.ts');
  const worldFile = join(options.dir, 'world.json');
  const goFile = join(options.dir, 'go');
  const stateDir = join(options.dir, 'nas');
  await writeFile(script, INSTANCE_SCRIPT);
  await writeFile(worldFile, JSON.stringify({
    people: options.people, settings: options.settings, batches: options.batches, rateLimit: options.rateLimit, budget: options.budget,
  }));
  const instances = options.batches.map((_, i) => startTsxProcess(script, [stateDir, options.emulatorUrl, worldFile, goFile, String(i)]));
  await Promise.all(instances.map((p) => p.ready));
  const go = Date.now();
  await writeFile(goFile, '');
  const reports = await Promise.all(instances.map(async (p, i) => {
    const { code, out } = await p.done;
    if (code !== 0) throw new Error(`push instance ${i} exited with ${code}: ${out}`);
    return JSON.parse(out.split('\n').pop()!) as InstanceReport;
  }));
  return { instances: reports, elapsedMs: Math.max(...reports.map((r) => r.ended)) - go };
}

/** Reads per person over the whole fleet. */
export function readsPerPerson(report: FleetReport): Map<string, number> {
  const reads = new Map<string, number>();
  for (const r of report.instances) for (const [id, n] of Object.entries(r.reads)) reads.set(id, (reads.get(id) ?? 0) + n);
  return reads;
}
