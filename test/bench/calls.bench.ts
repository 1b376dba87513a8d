/**
 * RAM calls per user, counted by the emulator: a full sync with nothing to do, a full sync with K
 * changed people, and a push of the same K changes. Usage: tsx test/bench/calls.bench.ts [N] [K]
 */
import type { Identity } from '../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../functions/lib/core/rules';
import { syncChanges } from '../../functions/lib/sync/changeSync';
import { type SyncSettings, runFullSync } from '../../functions/lib/sync/fullSync';
import { ArraySource } from '../support/ArraySource';
import { startRamHarness } from '../support/ramHarness';

const n = Number(process.argv[2] ?? 1000);
const k = Number(process.argv[3] ?? 100);
const settings: SyncSettings = { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD };
const person = (i: number, title = ''): Identity => ({
  source: 'file', sourceId: `e${i}`, userName: `user${i}`, displayName: `User ${i}${title}`, departmentIds: [], status: 'active',
});

async function main() {
  const h = await startRamHarness();
  const people = Array.from({ length: n }, (_, i) => person(i));
  const common = { target: h.ram, state: h.state, settings, runId: 'bench', log: () => undefined };
  await runFullSync({ ...common, sources: [new ArraySource('file', people)], dryRun: false });
  const pages = () => h.emulator.counters.byAction['SCIM GET /Users'] ?? 0;

  h.emulator.counters.reset();
  await runFullSync({ ...common, sources: [new ArraySource('file', people)], dryRun: false });
  const idle = { reads: h.emulator.counters.reads, writes: h.emulator.counters.writes, listPages: pages() };

  const changed = people.map((p, i) => (i < k ? person(i, ' (moved)') : p));
  h.emulator.counters.reset();
  await runFullSync({ ...common, sources: [new ArraySource('file', changed)], dryRun: false });
  const full = { reads: h.emulator.counters.reads, writes: h.emulator.counters.writes, listPages: pages() };

  const pushed = people.map((p, i) => (i < k ? person(i, ' (pushed)') : p));
  h.emulator.counters.reset();
  await syncChanges({
    ...common, sources: [new ArraySource('file', pushed)],
    changes: pushed.slice(0, k).map((p) => ({ source: 'file', kind: 'user', sourceId: p.sourceId, reason: 'bench' })),
  });
  const push = { reads: h.emulator.counters.reads, writes: h.emulator.counters.writes };
  await h.close();

  console.log(JSON.stringify({
    bench: 'calls', users: n, changed: k,
    unchangedFullSync: { ...idle, callsPerUserBeyondListing: (idle.reads - idle.listPages + idle.writes) / n },
    changedFullSync: { ...full, lookupsPerChanged: (full.reads - full.listPages) / k, writesPerChanged: full.writes / k },
    push: { ...push, lookupsPerChanged: push.reads / k, writesPerChanged: push.writes / k },
  }));
}

main().catch((error) => { console.error(error); process.exit(1); });
