/**
 * A department change of `members` people through the local stack (the vendor's signed callback →
 * webhook bundle → FC invoke API → SQLite queue → push bundle → RAM emulator), for each vendor fake:
 * (a) a rename no rule names, which changes nobody (lookups only), and (b) a move under the
 * department a group rule names, which adds everyone to the group. Figures: time to settle (POST to
 * `stack.idle()`), vendor API calls per member (the fake's counters), RAM calls per member (the
 * emulator's). Then per-change isolation: RAM calls of one push of `batch` user changes against
 * `batch` × the cost of a push of one change. One in five members sit in a sub-department, so the
 * listing walks the tree. Ratios are what to compare; times depend on the machine.
 * Usage: tsx test/bench/department.bench.ts [members] [batch]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Change } from '../../functions/lib/core/model';
import { FcAsyncQueue } from '../../functions/lib/queue/FcAsyncQueue';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { VENDORS, type VendorDriver, type VendorName, type VendorRequest, startVendor } from '../support/departmentVendors';

const members = Number(process.argv[2] ?? 500);
const batch = Number(process.argv[3] ?? 50);
/** Single-change pushes averaged for the isolation baseline. */
const SINGLES = 10;
const PLATFORM = 2;
const GUILD = 3;
const GUILD_EAST = 4;
const GROUP = 'platform-team';

export interface ChangeFigures {
  settleMs: number;
  vendorCalls: number;
  /** The same, by API path: what the listing costs against what each person costs. */
  vendorCallsByPath: Record<string, number>;
  vendorCallsPerMember: number;
  ramCalls: number;
  ramWrites: number;
  ramCallsPerMember: number;
}

export interface VendorFigures {
  source: VendorName;
  rename: ChangeFigures;
  move: ChangeFigures;
  isolation: { batch: number; singleRamCalls: number; batchRamCalls: number; ratio: number };
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

async function benchVendor(name: VendorName, dir: string): Promise<VendorFigures> {
  const source = await startVendor(name);
  source.addDepartment(PLATFORM, 'Platform');
  source.addDepartment(GUILD, 'Guild');
  source.addDepartment(GUILD_EAST, 'Guild East', GUILD);
  for (let n = 1; n <= members; n++) source.addPerson(n, n % 5 === 0 ? GUILD_EAST : GUILD);
  const directory = path.join(dir, `${name}-directory.json`);
  await writeFile(directory, JSON.stringify({ departments: [], people: [] }));
  const stack = await startLocalStack({
    env: {
      ...process.env, STATE_DIR: path.join(dir, `${name}-state`), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '', ...source.env(),
      SYNC_GROUP_RULES: `Platform=${GROUP}`,
      // The client's own RAM rate limit (20/s by default) would be the measure otherwise, not the pipeline.
      RAM_RATE_LIMIT: '1000',
    },
    port: 0, emulatorPort: 0, outdir: path.join(dir, `${name}-dist`), pollMs: 5, timers: {},
  });
  try {
    const full = await stack.fullSync({ dryRun: false });
    if (full.result?.failed !== 0) throw new Error(`${name}: the full sync failed for ${full.result?.failed} people`);
    const emulator = stack.emulator!;
    const measure = async (run: () => Promise<void>): Promise<Omit<ChangeFigures, 'vendorCallsPerMember' | 'ramCallsPerMember'>> => {
      emulator.counters.reset();
      const before = source.calls();
      const started = process.hrtime.bigint();
      await run();
      await stack.idle(600_000);
      const settleMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
      const byPath = Object.fromEntries(Object.entries(source.calls()).map(([p, n]) => [p, n - (before[p] ?? 0)]).filter(([, n]) => n !== 0));
      return { settleMs, vendorCalls: total(byPath), vendorCallsByPath: byPath, ramCalls: emulator.counters.reads + emulator.counters.writes, ramWrites: emulator.counters.writes };
    };
    const send = async (request: VendorRequest) => {
      const answer = await fetch(`${stack.url}${request.url}`, { method: 'POST', headers: request.headers, body: request.body });
      if (answer.status !== 200) throw new Error(`${name}: the webhook answered ${answer.status}`);
    };
    const perMember = (f: Omit<ChangeFigures, 'vendorCallsPerMember' | 'ramCallsPerMember'>): ChangeFigures => ({
      ...f, vendorCallsPerMember: +(f.vendorCalls / members).toFixed(2), ramCallsPerMember: +(f.ramCalls / members).toFixed(2),
    });

    source.renameDepartment(GUILD, 'Guild Renamed');
    const rename = perMember(await measure(() => send(source.departmentCallback(GUILD, 'modified'))));
    if (rename.ramWrites !== 0) throw new Error(`${name}: a rename no rule names wrote to RAM ${rename.ramWrites} times`);

    source.moveDepartment(GUILD, PLATFORM);
    const move = perMember(await measure(() => send(source.departmentCallback(GUILD, 'modified'))));
    const grouped = emulator.state.usersForGroup(GROUP).length;
    if (grouped !== members) throw new Error(`${name}: ${grouped} of ${members} people in ${GROUP} after the move`);

    const isolation = await measureIsolation(stack, source, measure);
    return { source: name, rename, move, isolation };
  } finally {
    await stack.stop();
    await source.close();
  }
}

/** RAM calls of pushes that each change one person's display name: one at a time, then `batch` in one push. */
async function measureIsolation(
  stack: LocalStack, source: VendorDriver, measure: (run: () => Promise<void>) => Promise<{ ramCalls: number; ramWrites: number }>,
): Promise<VendorFigures['isolation']> {
  const queue = new FcAsyncQueue({ functionName: 'push', endpoint: () => stack.url, credentials: () => stack.credentials });
  const change = (n: number): Change => {
    source.setDisplayName(n, `Person ${n} (renamed)`);
    const [kind, ...id] = source.externalId(n).split(':');
    return { source: kind as VendorName, kind: 'user', sourceId: id.join(':'), reason: 'bench' };
  };
  let single = 0;
  for (let n = 1; n <= SINGLES; n++) {
    const f = await measure(async () => { await queue.publish([change(n)]); });
    if (f.ramWrites !== 1) throw new Error(`a push of one display-name change wrote ${f.ramWrites} times`);
    single += f.ramCalls;
  }
  const people = Array.from({ length: batch }, (_, i) => SINGLES + 1 + i);
  const many = await measure(async () => { await queue.publish(people.map(change)); });
  if (many.ramWrites !== batch) throw new Error(`a push of ${batch} display-name changes wrote ${many.ramWrites} times`);
  const singleRamCalls = +(single / SINGLES).toFixed(2);
  return { batch, singleRamCalls, batchRamCalls: many.ramCalls, ratio: +(many.ramCalls / (batch * singleRamCalls)).toFixed(2) };
}

async function main() {
  if (!(members >= SINGLES + batch)) throw new Error(`need members ≥ ${SINGLES} + batch, got ${members} and ${batch}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-department-'));
  try {
    const vendors: VendorFigures[] = [];
    for (const name of VENDORS) vendors.push(await benchVendor(name, dir));
    console.log(JSON.stringify({ bench: 'department', members, vendors }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
