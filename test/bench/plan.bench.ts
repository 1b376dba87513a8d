/**
 * Planning at scale: N source people against N RAM users (90% unchanged, 5% renamed display names,
 * 5% gone, 5% new). Run in a fresh process per size so peak memory is this run's alone.
 * Usage: tsx test/bench/plan.bench.ts 100000  → one JSON line.
 */
import { mapIdentities } from '../../functions/lib/core/mapping';
import type { Identity, RamUser } from '../../functions/lib/core/model';
import { buildPlan } from '../../functions/lib/core/plan';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../functions/lib/core/rules';
import { settlePlan } from '../../functions/lib/core/safeguard';

const n = Number(process.argv[2] ?? 100_000);
const departments = Array.from({ length: 200 }, (_, i) => ({ source: 'file' as const, sourceId: `d${i}`, name: `Dept ${i}`, parentId: i ? `d${Math.floor(i / 10)}` : undefined }));

function person(i: number): Identity {
  const chinese = i % 17 === 0;
  return {
    source: 'file', sourceId: `e${i}`, userName: chinese ? undefined : `user${i}`,
    displayName: chinese ? `张伟${i}` : `User Number ${i}`, email: chinese ? undefined : `User.${i}@corp.example.com`,
    departmentIds: [`d${i % 200}`], status: i % 50 === 0 ? 'disabled' : 'active',
  };
}

const identities: Identity[] = [];
const actual: RamUser[] = [];
for (let i = 0; i < n; i++) {
  const gone = i % 20 === 1;
  const fresh = i % 20 === 2;
  if (!gone) identities.push(person(i));
  if (fresh) continue;
  const p = person(i);
  const userName = p.email ? `user.${i}` : `e${i}`;
  actual.push({ id: `r${i}`, userName, displayName: i % 20 === 3 ? 'Old Name' : (p.displayName ?? userName), externalId: `file:e${i}` });
}
for (let i = 0; i < n / 100; i++) actual.push({ id: `c${i}`, userName: `console${i}`, displayName: 'Console user' });

const baseline = process.memoryUsage().rss;
const started = process.hrtime.bigint();
const mapped = mapIdentities({ identities, departments, rules: DEFAULT_MAPPING_RULES, actual });
const planned = buildPlan({
  desired: mapped.desired, actual, coverage: { kind: 'sources', sources: ['file'] }, policy: DEFAULT_DEPROVISION_POLICY,
  conflicts: mapped.conflicts,
});
const { plan } = settlePlan(undefined, planned, {
  rules: DEFAULT_SAFEGUARD, now: new Date(), managed: planned.managed, mode: 'all', covered: () => true,
  origin: { path: 'full-sync', runId: 'bench' },
});
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const maxRssMb = process.resourceUsage().maxRSS / 1024;

console.log(JSON.stringify({
  bench: 'plan', people: n, ramUsers: actual.length, ms: Math.round(ms), maxRssMb: Math.round(maxRssMb),
  rssBeforePlanMb: Math.round(baseline / 1048576), summary: plan.summary,
}));
