/**
 * `npm run queue -- <command>`: the local change queue (QUEUE_SQLITE_PATH, default
 * `.state/queue.sqlite`) for an operator. Prints counts, ids and failure reasons; never a
 * change's hint.
 *
 *   npm run queue -- status            ready / leased / delayed / dead counts
 *   npm run queue -- dead              the dead letters: id, attempts, changes, failed at, last reason
 *   npm run queue -- replay --all      every dead letter back to the queue, attempts reset
 *   npm run queue -- replay ID…        those dead letters only
 *   npm run queue -- failed            changes push gave up on (STATE_DIR's failed list), with what to do
 *   npm run queue -- dlq               the deployed push's dead letters in MNS (infra/cli/dlq.ts)
 *   npm run queue -- replay --dlq (--all | ID…)   those back to the deployed push
 */
import { existsSync } from 'node:fs';
import { queueSqlitePath } from '../../functions/lib/queue/config';
import { SqliteQueue, type DeadLetter } from '../../functions/lib/queue/SqliteQueue';
import { renderFailedTable } from '../../functions/lib/core/render';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { FailedChanges } from '../../functions/lib/sync/failedChanges';
import { localStateDir } from '../local/runtime';
import { listDeadLetters, replayDeadLetters } from './dlq';
import { reportCliError } from './failure';

const USAGE = 'usage: queue status | dead | replay (--all | ID…) | failed | dlq | replay --dlq (--all | ID…)';

export interface CliResult {
  code: number;
  out: string;
}

/** Runs one command; returns what to print and the exit code (0 ok, 1 nothing found, 2 usage). */
export async function runQueueCli(argv: readonly string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const [command, ...rest] = argv;
  const path = queueSqlitePath(env);
  if (command === undefined || command === '--help' || command === '-h') return { code: command ? 0 : 2, out: USAGE };
  if (!['status', 'dead', 'replay', 'failed', 'dlq'].includes(command)) return { code: 2, out: `unknown command "${command}"\n${USAGE}` };
  // The deployed system's dead letters live in MNS, not in the local queue file.
  if (command === 'dlq') return listDeadLetters(env);
  if (command === 'replay' && rest.includes('--dlq')) return replayDeadLetters(rest.filter((a) => a !== '--dlq'), env);
  if (command === 'failed') {
    // The queue's dead letters never reached push; these did, and push gave up on them (final failures).
    const list = await new FailedChanges(new FileStateStore(localStateDir(env))).list();
    return { code: 0, out: renderFailedTable(list.entries, list.dropped) };
  }
  if (command === 'replay' && rest.length === 0) return { code: 2, out: `replay needs --all or batch ids\n${USAGE}` };
  // Reading must not create an empty queue where the operator mistyped a path.
  if (!existsSync(path)) return { code: command === 'status' ? 0 : 1, out: `no local queue at ${path} (nothing was published there)` };

  const queue = new SqliteQueue({ path });
  try {
    if (command === 'status') return { code: 0, out: formatStatus(path, queue) };
    if (command === 'dead') return { code: 0, out: formatDead(queue.deadLetters()) };
    return replay(queue, rest);
  } finally {
    queue.close();
  }
}

function formatStatus(path: string, queue: SqliteQueue): string {
  const s = queue.stats();
  return [`queue ${path}`, `ready    ${s.ready}`, `leased   ${s.leased}`, `delayed  ${s.delayed}`, `dead     ${s.dead}`].join('\n');
}

function formatDead(dead: DeadLetter[]): string {
  if (dead.length === 0) return 'no dead letters';
  const rows = [['ID', 'ATTEMPTS', 'CHANGES', 'FAILED AT', 'LAST REASON'],
    ...dead.map((d) => [d.id, String(d.attempts), String(d.changeCount), d.failedAt, d.lastReason])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  return [...table, `${dead.length} dead letter(s); replay with: npm run queue -- replay --all`].join('\n');
}

function replay(queue: SqliteQueue, args: string[]): CliResult {
  const all = args.includes('--all');
  const ids = args.filter((a) => a !== '--all');
  if (all && ids.length > 0) return { code: 2, out: `give either --all or ids, not both\n${USAGE}` };
  const replayed = queue.replay(all ? 'all' : ids);
  const missing = ids.filter((id) => !replayed.includes(id));
  const lines = [`replayed ${replayed.length} batch(es)${replayed.length ? `: ${replayed.join(', ')}` : ''}`];
  if (missing.length > 0) lines.push(`not dead letters: ${missing.join(', ')}`);
  return { code: missing.length > 0 ? 1 : 0, out: lines.join('\n') };
}

if (require.main === module) {
  try {
    runQueueCli(process.argv.slice(2), process.env).then(({ code, out }) => {
      (code === 0 ? process.stdout : process.stderr).write(`${out}\n`);
      process.exit(code);
    }, fail);
  } catch (error) {
    fail(error);
  }
}

/** A thrown error is never a usage error here (runQueueCli answers those): its reason and fix, exit 1. */
function fail(error: unknown): never {
  process.exit(reportCliError('queue', error));
}
