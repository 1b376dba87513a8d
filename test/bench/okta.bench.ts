/**
 * Issue 15: with N users in the local Okta (20 groups) and M changed since the last poll (two of
 * them deleted for good), the calls and time of one incremental okta-poll (users by lastUpdated +
 * the System Log) against one full listing (OktaSource.listUsers with group departments, what a
 * full sync reads), in the same run. (The okta-poll bundle's size and module load are
 * functions.bench.ts's, with every other function's.)
 *
 * Usage: tsx test/bench/okta.bench.ts [N=10000] [M=10]
 * Progress goes to stderr; the last stdout line is the JSON figures.
 */
import type { Change, ChangeBatch } from '../../functions/lib/core/model';
import type { ChangeQueue } from '../../functions/lib/core/ports';
import { OktaApi, OktaPoller, OktaSource, parseOktaSourceConfig } from '../../functions/lib/sources/okta';
import { MemoryStateStore } from '../../functions/lib/state';
import { oktaGroupId, oktaUser, startOktaApi } from '../support/oktaApi';

const n = Number(process.argv[2] ?? 10_000);
const m = Number(process.argv[3] ?? 10);
const ROUNDS = 5;
const GROUPS = 20;
const progress = (line: string) => console.error(`[okta.bench] ${line}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

class CollectingQueue implements ChangeQueue {
  readonly published: Change[] = [];
  async publish(changes: Change[]): Promise<ChangeBatch[]> {
    this.published.push(...changes);
    return [];
  }
}

async function main() {
  if (!Number.isInteger(n) || n < 100 || !Number.isInteger(m) || m < 2 || m * ROUNDS > n) throw new Error('usage: okta.bench.ts [users >= 100] [changes >= 2]');
  const users = Array.from({ length: n }, (_, i) => oktaUser(i + 1));
  const per = Math.floor(n / GROUPS);
  const okta = await startOktaApi({
    now: Date.UTC(2026, 8, 1),
    users,
    groups: Array.from({ length: GROUPS }, (_, g) => ({ group: { id: oktaGroupId(g + 1), name: `Team ${g}` }, members: users.slice(g * per, (g + 1) * per).map((u) => u.id) })),
  });
  const totalCalls = () => Object.values(okta.calls).reduce((a, b) => a + b, 0);
  try {
    const config = parseOktaSourceConfig({ OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken })!;
    const api = new OktaApi(config);

    const full = { ms: [] as number[], calls: 0, users: 0 };
    for (let r = 0; r < 3; r++) {
      const before = totalCalls();
      const started = performance.now();
      let count = 0;
      for await (const _ of new OktaSource(config, api).listUsers()) count++;
      full.ms.push(performance.now() - started);
      full.calls = totalCalls() - before;
      full.users = count;
    }
    progress(`full listing: ${full.users} people, ${full.calls} calls, median ${round1(median(full.ms))} ms`);

    const state = new MemoryStateStore();
    const queue = new CollectingQueue();
    const poller = new OktaPoller({ config, api, state, queue, fullResync: async () => undefined, now: () => new Date(okta.now()) });
    await poller.poll(); // the first poll: a (no-op here) full resync that saves the watermark
    const incremental = { ms: [] as number[], calls: [] as number[], usersRead: 0, logEvents: 0, changes: 0 };
    let next = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // Changes a minute after the last poll, the poll 5 minutes after it: outside the next poll's
      // 120 s overlap, as most changes are (a change in the last 2 minutes before a poll is read twice).
      okta.advance(60_000);
      for (let k = 0; k < m - 2; k++) okta.updateUser(users[next++]!.id, { profile: { title: `Title ${r}` } });
      for (let k = 0; k < 2; k++) {
        const id = users[next++]!.id;
        okta.deleteUser(id);
        okta.deleteUser(id);
      }
      okta.advance(4 * 60_000);
      const before = totalCalls();
      const started = performance.now();
      const report = await poller.poll();
      incremental.ms.push(performance.now() - started);
      incremental.calls.push(totalCalls() - before);
      Object.assign(incremental, { usersRead: report.usersRead, logEvents: report.logEvents, changes: report.changes });
    }
    const incMs = median(incremental.ms);
    const fullMs = median(full.ms);
    progress(`incremental poll: ${median(incremental.calls)} calls, ${incremental.changes} changes, median ${round1(incMs)} ms`);

    console.log(JSON.stringify({
      users: n, changes: m, groups: GROUPS,
      full: { ms: round1(fullMs), calls: full.calls, people: full.users },
      incremental: { ms: round1(incMs), calls: median(incremental.calls), usersRead: incremental.usersRead, logEvents: incremental.logEvents, changesPublished: incremental.changes },
      ratio: { time: round1(fullMs / incMs), calls: round1(full.calls / median(incremental.calls)) },
    }));
  } finally {
    await okta.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
