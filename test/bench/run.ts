/**
 * `npm run bench`: every benchmark, each in a fresh process (so peak memory is its own), with the
 * ratios that matter printed beside the raw figures. Absolute times depend on the machine; ratios
 * measured in one run are what to compare.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DepartmentBench, departmentTable } from './departmentTable';

const here = __dirname;
const tsx = path.resolve(here, '../../node_modules/.bin/tsx');

/** Runs one benchmark; its stdout (function log lines, then the figures) goes to a file, as FC's logs would. */
function run(script: string, ...args: string[]): Record<string, unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-'));
  const out = path.join(dir, 'stdout');
  try {
    execFileSync(tsx, [path.join(here, script), ...args], { stdio: ['ignore', openSync(out, 'w'), 'inherit'] });
    return JSON.parse(readFileSync(out, 'utf8').trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

// 20,000 people: the largest that runs in about three minutes on the 2-core CI machine (100,000: pass it
// as RESUME_BENCH_PEOPLE; the initial sync alone with `initial` as the third argument). RESUME_BENCH_RATE:
// a rate this machine's cores can drive (at 2,000/s the sync and the emulator together need about two).
const resumePeople = process.env.RESUME_BENCH_PEOPLE ?? '20000';
const resume = run('resume.bench.ts', resumePeople, process.env.RESUME_BENCH_RATE ?? '2000') as {
  people: number; rate: number; peakRssMb: number; savedSeconds: number; resumedToRestarted: number;
  initial: {
    steps: number; planSeconds: number; applySeconds: number; writes: number; writesPerSecond: number; ratioToRate: number;
    syncCpuShare: number; emulatorCpuShare: number;
  };
  resumed: { stoppedAt: number; seconds: number; writes: number }; restarted: { seconds: number; writes: number };
};
console.log(`resumable full sync, ${resume.people} new people against the emulator, RAM_RATE_LIMIT ${resume.rate}/s (the account's bucket on a FileStateStore):`);
console.log(`  initial sync: ${resume.initial.steps} steps planned in ${resume.initial.planSeconds} s, applied in ${resume.initial.applySeconds} s: ` +
  `${resume.initial.writes} writes, ${resume.initial.writesPerSecond}/s = ×${resume.initial.ratioToRate} of the rate (goal ≥ 0.9); peak RSS ${resume.peakRssMb} MB; ` +
  `CPU while applying: sync ×${resume.initial.syncCpuShare}, emulator ×${resume.initial.emulatorCpuShare} of a core`);
console.log(`  stopped at ${resume.resumed.stoppedAt}/${resume.initial.steps} steps: resumed in ${resume.resumed.seconds} s (${resume.resumed.writes} writes), ` +
  `restarted in ${resume.restarted.seconds} s (${resume.restarted.writes} writes): ${resume.savedSeconds} s saved (×${resume.resumedToRestarted})`);

type BudgetFigures = {
  withMs: number; withP90Ms: number; withoutMs: number; withoutP90Ms: number; addedMs: number; noLeaseMs: number; leaseAddedMs: number;
};
const budget = run('budget.bench.ts', '400') as {
  people: number; changes: number; stateDir: string; update: BudgetFigures; deprovision: BudgetFigures;
};
console.log(`deletion budget bookkeeping on push (the ledger on a FileStateStore in ${budget.stateDir}), ${budget.people} people, ` +
  `${budget.changes} pushes of one change per variant and kind, interleaved; median (p90) per change:`);
for (const kind of ['update', 'deprovision'] as const) {
  const f = budget[kind];
  console.log(`  ${kind.padEnd(11)} with ${f.withMs} ms (${f.withP90Ms}), without ${f.withoutMs} ms (${f.withoutP90Ms}): ` +
    `+${f.addedMs} ms added per change (target: under 5 ms added per change)`);
}
console.log('person lease on push (lease/person/<externalId>, taken and released by compare-and-swap), same run; median per change:');
for (const kind of ['update', 'deprovision'] as const) {
  const f = budget[kind];
  console.log(`  ${kind.padEnd(11)} with ${f.withMs} ms, without the lease ${f.noLeaseMs} ms: +${f.leaseAddedMs} ms per change`);
}

type VersionsFigures = { meanUs: number; p50Us: number; p99Us: number; maxMs: number; files: number; firstGetMs: number };
const versions = run('stateVersions.bench.ts', '5000') as { updates: number; pruned: VersionsFigures; unpruned: VersionsFigures; meanRatio: number };
console.log(`versioned state record (FileStateStore update, not flushed, as leases and the rate bucket), ${versions.updates} updates each, interleaved:`);
for (const name of ['pruned', 'unpruned'] as const) {
  const f = versions[name];
  console.log(`  ${name.padEnd(8)} mean ${f.meanUs} µs, p50 ${f.p50Us} µs, p99 ${f.p99Us} µs, max ${f.maxMs} ms; ${f.files} files left; a fresh process's first get ${f.firstGetMs} ms`);
}
console.log(`  pruning costs ×${versions.meanRatio} per update (mean) and keeps the record at ${versions.pruned.files} files instead of ${versions.unpruned.files}`);

const fns = run('functions.bench.ts', '200') as {
  bareNodeMs: number;
  goal: { maxKiB: number; maxRatio: number };
  functions: { name: string; kib: number; coldStartMs: number; overBareNodeMs: number; ratioToBare: number; withinGoal: boolean }[];
  publishToRam: { samples: number; p50Ms: number; p99Ms: number };
};
console.log(`function bundles (cold start = a fresh node requiring the bundle, alternated with bare \`node -e ""\`, ${fns.bareNodeMs} ms, ` +
  `in the same run; goal: ≤ ${fns.goal.maxKiB} KiB and ≤ ×${fns.goal.maxRatio}):`);
for (const f of fns.functions) {
  console.log(`  ${f.name.padEnd(16)} ${String(f.kib).padStart(5)} KiB, cold start ${f.coldStartMs} ms (+${f.overBareNodeMs} ms, ×${f.ratioToBare} bare node)` +
    `${f.withinGoal ? '' : '  ← over the goal'}`);
}
const over = fns.functions.filter((f) => !f.withinGoal).map((f) => f.name);
console.log(`  ${over.length === 0 ? 'every bundle within the goal' : `over the goal: ${over.join(', ')}`}`);
console.log(`publish → RAM on the local stack (FC invoke API → SQLite queue → push → emulator; RAM_RATE_LIMIT 1000), ${fns.publishToRam.samples} changes: ` +
  `p50 ${fns.publishToRam.p50Ms} ms, p99 ${fns.publishToRam.p99Ms} ms`);

for (const source of ['dingtalk', 'lark', 'wecom']) {
  const r = run(`${source}.bench.ts`, '20000');
  console.log(`${source} webhook (verify + decrypt + parse per event, ours against the vendor library in one run): ${JSON.stringify(r)}`);
}

const okta = run('oktaWebhook.bench.ts', '5000') as {
  events: number; publishedDeliveries: number;
  checkAndParse: { oursUs: number; sdkLogEventDeserializeUs: number; sdkOverOurs: number };
  handlerInProcessUsPerEvent: { withPublish: number; withoutPublish: number; batchedBy100: number };
};
console.log(`okta webhook (${okta.events} events): header check + parse ${okta.checkAndParse.oursUs} µs per event ` +
  `(the Okta SDK's LogEvent deserialize alone ${okta.checkAndParse.sdkLogEventDeserializeUs} µs, ×${okta.checkAndParse.sdkOverOurs}); handler in process ` +
  `${okta.handlerInProcessUsPerEvent.withoutPublish} µs per event without a publish, ${okta.handlerInProcessUsPerEvent.withPublish} µs with one publish per event ` +
  `(${okta.publishedDeliveries} deliveries), ${okta.handlerInProcessUsPerEvent.batchedBy100} µs per event in deliveries of 100`);

const entra = run('entraWebhook.bench.ts', '5000') as {
  notifications: number; publishedCollections: number;
  checkAndRead: { oursUs: number; jsonParseOnlyUs: number; oursOverParse: number };
  handlerInProcessUsPerNotification: { withPublish: number; forgedWithoutPublish: number; batchedBy100: number };
};
const eh = entra.handlerInProcessUsPerNotification;
console.log(`entra webhook (${entra.notifications} Graph notifications): clientState check + read ${entra.checkAndRead.oursUs} µs per notification ` +
  `(JSON.parse alone ${entra.checkAndRead.jsonParseOnlyUs} µs, ×${entra.checkAndRead.oursOverParse}); handler in process ` +
  `${eh.forgedWithoutPublish} µs per forged notification (read, discarded, 202), ${eh.withPublish} µs with one publish per notification ` +
  `(${entra.publishedCollections} collections), ${eh.batchedBy100} µs per notification in collections of 100`);

const oktaPoll = run('okta.bench.ts', '10000', '10') as {
  users: number; changes: number; groups: number;
  full: { ms: number; calls: number; people: number };
  incremental: { ms: number; calls: number; usersRead: number; logEvents: number; changesPublished: number };
  ratio: { time: number; calls: number };
};
console.log(`okta-poll (local Okta, ${oktaPoll.users} users in ${oktaPoll.groups} groups, ${oktaPoll.changes} changed since the last poll, two deleted for good; medians of one run):`);
console.log(`  incremental poll (users by lastUpdated + System Log): ${oktaPoll.incremental.calls} calls, ${oktaPoll.incremental.usersRead} users and ` +
  `${oktaPoll.incremental.logEvents} log events read, ${oktaPoll.incremental.changesPublished} changes published, ${oktaPoll.incremental.ms} ms`);
console.log(`  full listing (OktaSource.listUsers, group departments): ${oktaPoll.full.calls} calls, ${oktaPoll.full.people} people, ${oktaPoll.full.ms} ms; ` +
  `full / incremental: calls ×${oktaPoll.ratio.calls}, time ×${oktaPoll.ratio.time}`);

type EntraRound = { full: { ms: number; calls: number; people: number }; incremental: { ms: number; calls: number; pages: number; changesPublished: number }; ratio: { time: number; calls: number } };
const entraPoll = run('entra.bench.ts', '10000', '10') as {
  users: number; changes: number; groups: number;
  byDepartments: { attribute: EntraRound; both: EntraRound };
};
console.log(`entra-poll (local Graph, ${entraPoll.users} users in ${entraPoll.groups} groups, ${entraPoll.changes} changed since the last round, two deleted; medians of one run):`);
for (const [label, r] of [['department attribute', entraPoll.byDepartments.attribute], ['attribute + groups', entraPoll.byDepartments.both]] as const) {
  console.log(`  ${label}: delta round ${r.incremental.calls} calls (${r.incremental.pages} pages), ${r.incremental.changesPublished} changes, ${r.incremental.ms} ms; ` +
    `full listing (EntraSource.listUsers) ${r.full.calls} calls, ${r.full.people} people, ${r.full.ms} ms; full / delta: calls ×${r.ratio.calls}, time ×${r.ratio.time}`);
}

const report = run('report.bench.ts', '100000', '10000') as {
  generation: { people: number; steps: number; ms: number; htmlMb: number; gzipMb: number; remoteAnswerMb: number };
  browser: { steps: number; firstRenderMs: number; showAllMs: number; rowsAll: number; filterActionMs: number; searchMs: number } | null;
};
const g = report.generation;
console.log(`plan report (one self-contained HTML file), ${g.people} planned people (${g.steps} steps): generated in ${g.ms} ms, ` +
  `${g.htmlMb} MB (${g.gzipMb} MB gzipped); full-sync's {"report": true} answer ${g.remoteAnswerMb} MB of FC's 32 MB`);
const b = report.browser;
console.log(b ? `  headless Chromium, ${b.steps} steps: first render ${b.firstRenderMs} ms, showing all ${b.rowsAll} rows ${b.showAllMs} ms, ` +
  `filter by action ${b.filterActionMs} ms, search ${b.searchMs} ms` : '  headless Chromium: skipped (no Chromium; set CHROMIUM_PATH)');


type FleetVariant = { budget: string; busy: number; instances: number; requests: number; throttled: number; achievedPerSecond: number; ratioToRate: number; deadLettered: number };
const fleet = run('fleet.bench.ts', '100', '400', '4') as { rate: number; hires: number; instances: number; results: FleetVariant[] };
console.log(`RAM rate across ${fleet.instances} push processes (emulator account limited to ${fleet.rate} requests/s, RAM_RATE_LIMIT the same; ` +
  `${fleet.hires} hires, batches of 10): achieved requests/s as a ratio of the rate (goal ≥ 0.9 with no throttling):`);
for (const v of fleet.results) {
  console.log(`  ${v.budget.padEnd(11)} ${v.busy} of ${v.instances} busy: ${v.achievedPerSecond}/s, ×${v.ratioToRate} of the rate, ` +
    `${v.throttled} throttled answers, ${v.deadLettered} dead-lettered`);
}
type BurstFigures = {
  changes: number; people: number; instances: number; rate: number; elapsedMs: number; vendorReadsPerPerson: number; maxVendorReadsPerPerson: number;
  ramReadsPerPerson: number; ramWritesPerPerson: number; coalesced: number; throttled: number; settled: number; deadLettered: number;
};
const burst = run('burst.bench.ts', '10000', '2000', '4', '500') as BurstFigures;
const uncoalesced = run('burst.bench.ts', '10000', '2000', '4', '500', 'off') as BurstFigures;
console.log(`burst of ${burst.changes} changes for ${burst.people} people (one per batch, the queue a minute behind) on ${burst.instances} push processes at ${burst.rate} requests/s:`);
for (const [label, b] of [['coalesced', burst], ['not coalesced (no emittedAt)', uncoalesced]] as const) {
  console.log(`  ${label}: per person ${b.vendorReadsPerPerson} vendor reads (max ${b.maxVendorReadsPerPerson}), ${b.ramReadsPerPerson} RAM reads, ${b.ramWritesPerPerson} RAM writes; ` +
    `${b.coalesced} changes coalesced, ${b.throttled} throttled, ${b.deadLettered} dead-lettered, ${b.settled} of ${b.people} settled, ${b.elapsedMs} ms`);
}
console.log(`  RAM requests coalesced / not: ×${((burst.ramReadsPerPerson + burst.ramWritesPerPerson) / (uncoalesced.ramReadsPerPerson + uncoalesced.ramWritesPerPerson)).toFixed(2)}`);

for (const line of departmentTable(run('department.bench.ts', '500', '50') as unknown as DepartmentBench)) console.log(line);

if (existsSync('/usr/sbin/slapd')) {
  const ldap = run('ldap.bench.ts', '10000', '10') as {
    users: number; changes: number; deletions: number;
    full: { listMs: number; users: number };
    incremental: Record<'accesslog' | 'listing', { pollMs: number; entriesRead: number; changesPublished: number; gone: number; searches: number }>;
    gate: { pollMs: number; searches: number };
    ratio: { accesslog: number; listing: number; gate: number };
  };
  console.log(`OpenLDAP polling (throwaway slapd, ${ldap.users} users, ${ldap.changes} changed since the last poll of which ${ldap.deletions} deleted; medians of one run):`);
  console.log(`  full listing (LdapSource.listUsers): ${ldap.full.users} users in ${ldap.full.listMs} ms`);
  for (const mode of ['accesslog', 'listing'] as const) {
    const i = ldap.incremental[mode];
    console.log(`  incremental poll, deletions by ${mode}: ${i.entriesRead} entries read in ${i.searches} searches, ${i.changesPublished} changes (${i.gone} gone), ` +
      `${i.pollMs} ms: ×${ldap.ratio[mode]} faster than the full listing`);
  }
  console.log(`  nothing written (the contextCSN gate): ${ldap.gate.searches} search, ${ldap.gate.pollMs} ms (×${ldap.ratio.gate})`);
} else {
  console.log('OpenLDAP polling: skipped (no /usr/sbin/slapd; apt-get install slapd ldap-utils, as .ci/run does)');
}

if (process.env.AD_TEST_URL) {
  const ad = run('ad.bench.ts', '10000', '10') as {
    users: number; changes: number; ou: string;
    full: { listMs: number; entries: number; pollMs: number; pollEntriesRead: number };
    incremental: { pollMs: number; entriesRead: number; changesPublished: number; emptyUsnRangeSearchMs: number };
    pushReads?: { people: number; ownConnectionMs: number; sharedConnectionMs: number };
    ratio: number;
  };
  console.log(`AD polling (Samba DC, ${ad.users} users in ${ad.ou}, ${ad.changes} changed since the last poll; medians of one run):`);
  console.log(`  full listing (AdSource users + groups): ${ad.full.entries} entries in ${ad.full.listMs} ms; ` +
    `full poll: ${ad.full.pollEntriesRead} entries read in ${ad.full.pollMs} ms`);
  console.log(`  incremental poll: ${ad.incremental.entriesRead} entries read, ${ad.incremental.changesPublished} changes published, ` +
    `${ad.incremental.pollMs} ms (its uSNChanged-range search costs ${ad.incremental.emptyUsnRangeSearchMs} ms on Samba even when it matches nothing)`);
  console.log(`  ratio full listing / incremental poll: ×${ad.ratio} (aim: entries read = ${ad.changes} changed, ×50 or more)`);
  if (ad.pushReads) {
    console.log(`  push reading the ${ad.pushReads.people} changed people over StartTLS: ${ad.pushReads.ownConnectionMs} ms with a connection each, ` +
      `${ad.pushReads.sharedConnectionMs} ms over one shared connection (×${(ad.pushReads.ownConnectionMs / ad.pushReads.sharedConnectionMs).toFixed(1)})`);
  }
} else {
  console.log('AD polling: skipped (set AD_TEST_URL=ldap://127.0.0.1 with the Samba DC running; see test/support/sambaAd.ts)');
}
