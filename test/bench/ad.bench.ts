/**
 * Issue 7: with N users in Samba and M changed since the last poll, the entries read and the time of
 * one incremental poll against one full listing, in the same run. Aim: entries read equal to what
 * changed, and over 50 times faster than the full listing.
 *
 * Usage: AD_TEST_URL=ldap://127.0.0.1 tsx test/bench/ad.bench.ts [N=10000] [M=10]
 * Needs the Samba AD DC (test/support/sambaAd.ts for the variables). Users live in the bench's own
 * OU, `OU=bench-<N>,<NC>`, populated on the first run and reused after (see adPopulate.ts).
 *
 * The incremental poll searches the whole naming context by design, so writes by anything else on
 * the DC during a round are read too: each round also reports how many of the entries in its USN
 * range lie outside the bench OU (re-read after the poll, untimed). Run it when nothing else writes.
 * Progress goes to stderr; the last stdout line is the JSON figures.
 */
import type { Client, Control, Filter } from 'ldapts';
import { Attribute, Change as LdapChange } from 'ldapts';
import type { Change, ChangeBatch } from '../../functions/lib/core/model';
import type { ChangeQueue } from '../../functions/lib/core/ports';
import { AdSource, UsnPoller } from '../../functions/lib/sources/ad';
import { openAdClient, readDcState } from '../../functions/lib/sources/ad/connection';
import { showDeletedControl } from '../../functions/lib/sources/ad/controls';
import { and, usersAndGroups, usnRange } from '../../functions/lib/sources/ad/filters';
import { MemoryStateStore } from '../../functions/lib/state';
import { AD_NC, adTestCa, adTestConfig } from '../support/sambaAd';
import { type BenchOu, ensureBenchOu } from './adPopulate';

const n = Number(process.argv[2] ?? 10_000);
const m = Number(process.argv[3] ?? 10);
const FULL_ROUNDS = 3;
const INCREMENTAL_ROUNDS = 5;
const progress = (line: string) => console.error(`[ad.bench] ${line}`);

/** publish() only records: the bench measures the poll, not a queue. */
class CollectingQueue implements ChangeQueue {
  readonly published: Change[] = [];
  async publish(changes: Change[]): Promise<ChangeBatch[]> {
    this.published.push(...changes);
    return [{ v: 1, id: String(this.published.length), emittedAt: new Date().toISOString(), changes }];
  }
}

interface IncrementalRound { ms: number; mode: string; entriesRead: number; changes: number; outsideBenchOu?: number }

async function main() {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(m) || m < 1 || m * INCREMENTAL_ROUNDS > n) {
    throw new Error(`usage: ad.bench.ts [users >= 1] [changes >= 1, changes × ${INCREMENTAL_ROUNDS} <= users]`);
  }
  await ensureReachable();
  const ou = await ensureBenchOu(n, progress);
  progress(`population: ${ou.usersCreated} users and ${ou.groupsCreated} groups added in ${(ou.populateMs / 1000).toFixed(1)} s`);
  const config = adTestConfig({ baseDn: ou.dn, pageSize: 500 });

  const listings: { ms: number; users: number; departments: number }[] = [];
  for (let r = 0; r < FULL_ROUNDS; r++) listings.push(await timedListing(new AdSource(config)));
  progress(`full listing: ${listings.map((l) => `${l.ms.toFixed(0)} ms`).join(', ')} (${listings[0]!.users} users, ${listings[0]!.departments} groups)`);

  // Each full poll starts from an empty store (first-poll mode); the last one leaves the watermark
  // the incremental rounds start from.
  const fullPolls: { ms: number; mode: string; entriesRead: number; changes: number }[] = [];
  let poller!: UsnPoller;
  let queue!: CollectingQueue;
  for (let r = 0; r < FULL_ROUNDS; r++) {
    queue = new CollectingQueue();
    poller = new UsnPoller({ config, state: new MemoryStateStore(), queue });
    fullPolls.push(await timed(() => poller.poll()));
  }
  progress(`full poll: ${fullPolls.map((p) => `${p.ms.toFixed(0)} ms/${p.mode}/${p.entriesRead} read`).join(', ')}`);

  const rounds: IncrementalRound[] = [];
  let scanMs = 0;
  const writer = await openAdClient(adTestConfig());
  try {
    for (let r = 0; r < INCREMENTAL_ROUNDS; r++) {
      await modifyUsers(writer, ou, r);
      const report = await timed(() => poller.poll());
      rounds.push({ ...report, outsideBenchOu: await entriesOutside(writer, ou.dn, report) });
    }
    scanMs = await emptyRangeSearchMs(writer);
  } finally {
    await writer.unbind().catch(() => undefined);
  }
  progress(`one uSNChanged-range search matching nothing: ${scanMs.toFixed(1)} ms (the floor of each range search on this DC)`);
  progress(`incremental: ${rounds.map((p) => `${p.ms.toFixed(1)} ms/${p.mode}/${p.entriesRead} read (${p.outsideBenchOu ?? '?'} outside)`).join(', ')}`);
  const reads = await pushReads(ou.dn, queue.published.slice(-m).map((c) => c.sourceId));
  if (reads) progress(`push reads of the ${m} changed people over StartTLS: ${reads.ownConnectionMs} ms with a connection each, ${reads.sharedConnectionMs} ms sharing one`);

  const full = {
    listMs: round(median(listings.map((l) => l.ms))), entries: listings[0]!.users + listings[0]!.departments,
    users: listings[0]!.users, departments: listings[0]!.departments,
    pollMs: round(median(fullPolls.map((p) => p.ms))), pollEntriesRead: median(fullPolls.map((p) => p.entriesRead)),
    rounds: { listMs: listings.map((l) => round(l.ms)), pollMs: fullPolls.map((p) => round(p.ms)), pollModes: fullPolls.map((p) => p.mode) },
  };
  const incremental = {
    pollMs: round(median(rounds.map((p) => p.ms))), entriesRead: median(rounds.map((p) => p.entriesRead)),
    changesPublished: median(rounds.map((p) => p.changes)), rounds: rounds.map((p) => ({ ...p, ms: round(p.ms) })),
    emptyUsnRangeSearchMs: round(scanMs),
  };
  console.log(JSON.stringify({
    bench: 'ad', users: n, changes: m, ou: ou.dn,
    population: { usersCreated: ou.usersCreated, groupsCreated: ou.groupsCreated, ms: Math.round(ou.populateMs) },
    full, incremental, pushReads: reads,
    ratio: round(full.listMs / incremental.pollMs), pollRatio: round(full.pollMs / incremental.pollMs),
  }));
}

/**
 * What push pays to read the changed people back over StartTLS (the Samba CA is needed): a new
 * connection per read, as AdSource did before AdConnection, against one shared connection. Medians of 5.
 */
async function pushReads(baseDn: string, ids: string[]): Promise<{ people: number; ownConnectionMs: number; sharedConnectionMs: number } | undefined> {
  const ca = adTestCa();
  if (!ca || ids.length === 0) return undefined;
  const config = adTestConfig({ baseDn, transport: 'starttls', tlsCa: ca, tlsServerName: 'dc1.example.test' });
  const own: number[] = [];
  const shared: number[] = [];
  for (let r = 0; r < 5; r++) {
    own.push((await timed(async () => {
      await Promise.all(ids.map(async (id) => {
        const source = new AdSource(config);
        await source.getUser(id);
        await source.close();
      }));
      return {};
    })).ms);
    shared.push((await timed(async () => {
      const source = new AdSource(config);
      await Promise.all(ids.map((id) => source.getUser(id)));
      await source.close();
      return {};
    })).ms);
  }
  return { people: ids.length, ownConnectionMs: round(median(own)), sharedConnectionMs: round(median(shared)) };
}

async function ensureReachable(): Promise<void> {
  const config = adTestConfig();
  try {
    await (await openAdClient(config)).unbind();
  } catch (error) {
    progress(`the Samba AD DC at ${config.url} is unreachable: ${error instanceof Error ? error.message : String(error)}`);
    progress('start it as root with `/work/shared/reference/samba-ad-harness.sh start` and set AD_TEST_URL (test/support/sambaAd.ts)');
    process.exit(2);
  }
}

async function timedListing(source: AdSource) {
  const started = performance.now();
  let users = 0;
  let departments = 0;
  for await (const _ of source.listUsers()) users++;
  for await (const _ of source.listDepartments()) departments++;
  return { ms: performance.now() - started, users, departments };
}

async function timed<T extends object>(work: () => Promise<T>): Promise<T & { ms: number }> {
  const started = performance.now();
  const result = await work();
  return { ...result, ms: performance.now() - started };
}

/** Round r gives M users not touched in earlier rounds a new title; they are spread over the OU. */
async function modifyUsers(client: Client, ou: BenchOu, r: number): Promise<void> {
  const stamp = Date.now();
  const stride = Math.floor(n / (m * INCREMENTAL_ROUNDS));
  for (let k = 0; k < m; k++) {
    const i = (r * m + k) * stride;
    await client.modify(ou.userDn(i), new LdapChange({
      operation: 'replace', modification: new Attribute({ type: 'title', values: [`Engineer ${stamp}-${r}`] }),
    }));
  }
}

/**
 * Re-runs the poll's search over its USN range (users and groups, tombstones included, from the NC
 * root) and counts entries whose DN is outside the bench OU: what other writers added to the round.
 * Entries written again after the poll have left the range, so this is a lower bound.
 */
async function entriesOutside(client: Client, ouDn: string, report: object): Promise<number | undefined> {
  const { fromUsn, toUsn } = report as { fromUsn?: string; toUsn?: string };
  if (fromUsn === undefined || toUsn === undefined) return undefined;
  const inRange = usnRange(BigInt(fromUsn), BigInt(toUsn));
  const suffix = `,${ouDn}`.toLowerCase();
  let outside = 0;
  const count = async (filter: Filter, ...controls: Control[]) => {
    for await (const page of client.searchPaginated(AD_NC, { scope: 'sub', filter, attributes: ['objectGUID'], paged: { pageSize: 500 } }, controls.length ? controls : undefined)) {
      outside += page.searchEntries.filter((e) => !e.dn.toLowerCase().endsWith(suffix)).length;
    }
  };
  await count(and(usersAndGroups(), inRange), showDeletedControl());
  return outside;
}

/**
 * Samba's ldb indexes equality, not ranges, so a uSNChanged range search walks every user and group
 * whatever it returns (Windows AD keeps a B-tree on uSNChanged). This times one that matches
 * nothing (a range above highestCommittedUSN), median of 5: what the poll's range search costs
 * before reading a single entry.
 */
async function emptyRangeSearchMs(client: Client): Promise<number> {
  const { highestCommittedUsn, namingContext } = await readDcState(client);
  const above = usnRange(highestCommittedUsn + 1_000_000_000n, highestCommittedUsn + 2_000_000_000n);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    await client.search(namingContext, { scope: 'sub', filter: and(usersAndGroups(), above), attributes: ['objectGUID'], paged: { pageSize: 500 } });
    times.push(performance.now() - started);
  }
  return median(times);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

main().catch((error) => { console.error(error); process.exit(1); });
