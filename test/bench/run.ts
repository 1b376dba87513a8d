/**
 * `npm run bench`: every benchmark, each in a fresh process (so peak memory is its own), with the
 * ratios that matter printed beside the raw figures. Absolute times depend on the machine; ratios
 * measured in one run are what to compare.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const here = __dirname;
const tsx = path.resolve(here, '../../node_modules/.bin/tsx');

function run(script: string, ...args: string[]): Record<string, unknown> {
  const out = execFileSync(tsx, [path.join(here, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const plan100k = run('plan.bench.ts', '100000');
const plan200k = run('plan.bench.ts', '200000');
console.log('planning (map + plan + safeguard), fresh process each:');
for (const r of [plan100k, plan200k]) {
  console.log(`  ${String(r.people).padStart(7)} people vs ${r.ramUsers} RAM users: ${r.ms} ms, peak RSS ${r.maxRssMb} MB (${r.rssBeforePlanMb} MB before planning: runtime and inputs)`);
}
console.log(`  ratio 200k/100k: time ×${(Number(plan200k.ms) / Number(plan100k.ms)).toFixed(2)}, ` +
  `peak RSS ×${(Number(plan200k.maxRssMb) / Number(plan100k.maxRssMb)).toFixed(2)} (linear scaling is ×2.00)`);

const calls = run('calls.bench.ts', '1000', '100') as {
  users: number; changed: number;
  unchangedFullSync: { reads: number; writes: number; listPages: number; callsPerUserBeyondListing: number };
  changedFullSync: { lookupsPerChanged: number; writesPerChanged: number; listPages: number };
  push: { lookupsPerChanged: number; writesPerChanged: number };
};
console.log(`RAM calls (emulator counters), ${calls.users} users, ${calls.changed} changed:`);
console.log(`  full sync, nothing changed: ${calls.unchangedFullSync.listPages} listing pages, ` +
  `${calls.unchangedFullSync.callsPerUserBeyondListing} calls per unchanged user beyond them, ${calls.unchangedFullSync.writes} writes`);
console.log(`  full sync, ${calls.changed} changed: ${calls.changedFullSync.lookupsPerChanged} lookups and ` +
  `${calls.changedFullSync.writesPerChanged} writes per changed user`);
console.log(`  push of the ${calls.changed} changes: ${calls.push.lookupsPerChanged} lookups and ${calls.push.writesPerChanged} writes per changed user`);
