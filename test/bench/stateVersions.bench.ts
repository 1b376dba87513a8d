/**
 * What pruning old versions costs a FileStateStore `update` (the floor read before and after each
 * link, and every 128th writer's round of removals) against the same store never pruning, on one
 * hot record updated without flushes (as leases and the account's rate bucket are). The two take
 * turns in blocks, the order swapped every block, each on its own fresh temp directory, so machine
 * noise falls on both alike. Also: files left in each record's directory, and a fresh process's
 * first `get` (probing from the floor, or from version 1).
 * Usage: tsx test/bench/stateVersions.bench.ts [N updates per variant]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { versionedDirNameForKey } from '../../functions/lib/state/keys';

const n = Number(process.argv[2] ?? 5_000);
const BLOCK = 250;
const KEY = 'ram/rate-budget';
const bump = (c: { n: number } | undefined) => ({ n: (c?.n ?? 0) + 1, at: Date.now() });

interface Variant { name: string; dir: string; store: FileStateStore; ms: number[] }
const variants: Variant[] = [
  { name: 'pruned', options: { pruneGraceMs: 0 } },
  { name: 'unpruned', options: { pruneEvery: 0 } },
].map(({ name, options }) => {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-state-${name}-`));
  return { name, dir, store: new FileStateStore(dir, options), ms: [] };
});

async function main(): Promise<void> {
  try {
    for (const v of variants) for (let i = 0; i < 20; i++) await v.store.update(KEY, bump, { durable: false }); // warm-up
    for (let block = 0; block * BLOCK < n; block++) {
      for (const v of block % 2 ? [...variants].reverse() : variants) {
        for (let i = 0; i < BLOCK && block * BLOCK + i < n; i++) {
          const start = performance.now();
          await v.store.update(KEY, bump, { durable: false });
          v.ms.push(performance.now() - start);
        }
      }
    }
    const figures = Object.fromEntries(await Promise.all(variants.map(async (v) => {
      const sorted = [...v.ms].sort((a, b) => a - b);
      const fresh = new FileStateStore(v.dir);
      const start = performance.now();
      await fresh.get(KEY);
      const firstGetMs = performance.now() - start;
      return [v.name, {
        meanUs: Math.round((v.ms.reduce((s, x) => s + x, 0) / v.ms.length) * 1000),
        p50Us: Math.round(sorted[Math.floor(sorted.length / 2)]! * 1000),
        p99Us: Math.round(sorted[Math.floor(sorted.length * 0.99)]! * 1000),
        maxMs: Math.round(sorted.at(-1)! * 10) / 10,
        files: readdirSync(path.join(v.dir, versionedDirNameForKey(KEY))).length,
        firstGetMs: Math.round(firstGetMs * 100) / 100,
      }];
    })));
    const ratio = figures.pruned!.meanUs / figures.unpruned!.meanUs;
    console.log(JSON.stringify({ updates: n, ...figures, meanRatio: Math.round(ratio * 100) / 100 }));
  } finally {
    for (const v of variants) rmSync(v.dir, { recursive: true, force: true });
  }
}

void main();
