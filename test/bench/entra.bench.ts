/**
 * Issue 15: with N users in the local Graph (20 groups) and M changed since the last round (two of
 * them deleted), the calls and time of one incremental Graph delta round (DeltaPoller: users/delta
 * from the stored deltaLink, and groups/delta when departments come from groups) against one full
 * listing (EntraSource.listUsers, what a full sync reads), in the same run. (The entra-poll bundle's
 * size and module load are functions.bench.ts's, with every other function's.)
 *
 * Usage: tsx test/bench/entra.bench.ts [N=10000] [M=10]
 * Progress goes to stderr; the last stdout line is the JSON figures.
 */
import type { Change, ChangeBatch } from '../../functions/lib/core/model';
import type { ChangeQueue } from '../../functions/lib/core/ports';
import { DeltaPoller, EntraSource, type EntraSourceConfig, GraphApi, parseEntraSourceConfig } from '../../functions/lib/sources/entra';
import { MemoryStateStore } from '../../functions/lib/state';
import { graphEnv, graphGroup, graphUser, startGraphApi } from '../support/graphApi';

const n = Number(process.argv[2] ?? 10_000);
const m = Number(process.argv[3] ?? 10);
const ROUNDS = 5;
const GROUPS = 20;
const progress = (line: string) => console.error(`[entra.bench] ${line}`);
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
  if (!Number.isInteger(n) || n < 100 || !Number.isInteger(m) || m < 2 || 2 * m * ROUNDS > n) throw new Error('usage: entra.bench.ts [users >= 100] [changes >= 2]');
  const users = Array.from({ length: n }, (_, i) => graphUser(i + 1, { department: `Team ${i % GROUPS}` }));
  const per = Math.floor(n / GROUPS);
  // Graph's documented $top maximum for users; delta pages are server-sized (idp.md §1.2: [unconfirmed]), 200 here.
  const graph = await startGraphApi({
    users, maxPageSize: 999, deltaPageSize: 200,
    groups: Array.from({ length: GROUPS }, (_, g) => graphGroup(g + 1, { displayName: `Team ${g}`, members: users.slice(g * per, (g + 1) * per).map((u) => u.id) })),
  });
  const graphCalls = () => Object.entries(graph.calls).filter(([k]) => k.startsWith('GET ')).reduce((a, [, v]) => a + v, 0);
  let next = 0;
  try {
    const measure = async (departments: EntraSourceConfig['departments']) => {
      const config = parseEntraSourceConfig(graphEnv(graph, { ENTRA_DEPARTMENTS: departments }))!;
      const api = new GraphApi(config);
      const full = { ms: [] as number[], calls: 0, people: 0 };
      for (let r = 0; r < 3; r++) {
        const before = graphCalls();
        const started = performance.now();
        let count = 0;
        for await (const _ of new EntraSource(config, api).listUsers()) count++;
        full.ms.push(performance.now() - started);
        full.calls = graphCalls() - before;
        full.people = count;
      }
      progress(`${departments}: full listing ${full.people} people, ${full.calls} calls, median ${round1(median(full.ms))} ms`);

      const state = new MemoryStateStore();
      const queue = new CollectingQueue();
      const poller = new DeltaPoller({ api, config, state, queue, fullResync: async () => undefined });
      await poller.poll(); // the first round: links from $deltatoken=latest around a (no-op here) full resync
      const incremental = { ms: [] as number[], calls: [] as number[], pages: 0, changes: 0 };
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < m - 2; k++) graph.updateUser(users[next++]!.id, { jobTitle: `Title ${r}` });
        for (let k = 0; k < 2; k++) graph.deleteUser(users[next++]!.id, { hard: k === 1 });
        const before = graphCalls();
        const started = performance.now();
        const report = await poller.poll();
        incremental.ms.push(performance.now() - started);
        incremental.calls.push(graphCalls() - before);
        Object.assign(incremental, { pages: report.pages, changes: report.changes });
      }
      const incMs = median(incremental.ms);
      const fullMs = median(full.ms);
      progress(`${departments}: incremental round ${median(incremental.calls)} calls, ${incremental.changes} changes, median ${round1(incMs)} ms`);
      return {
        full: { ms: round1(fullMs), calls: full.calls, people: full.people },
        incremental: { ms: round1(incMs), calls: median(incremental.calls), pages: incremental.pages, changesPublished: incremental.changes },
        ratio: { time: round1(fullMs / incMs), calls: round1(full.calls / median(incremental.calls)) },
      };
    };
    const attribute = await measure('attribute');
    const groups = await measure('both');

    console.log(JSON.stringify({
      users: n, changes: m, groups: GROUPS, byDepartments: { attribute, both: groups },
    }));
  } finally {
    await graph.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
