/**
 * `npm run sync` — the operator's one-click push, and the deletion safeguard's held list.
 *   npm run sync -- --dry-run            print the plan, change nothing
 *   npm run sync                          apply it, with progress and a summary
 *   npm run sync -- --source file         only that source
 *   npm run sync -- --allow-deletes 25    release a plan the deletion safeguard held (for this run)
 *   npm run sync -- --json                the plan (and result) as JSON on stdout
 *   npm run sync -- --held [--json]       who the safeguard holds, since when, and why
 *   npm run sync -- --release ID… | all   apply their deprovisions now
 *   … --held / --release … --remote       the same against the deployed system (invokes full-sync)
 * With no RAM credentials configured it targets the local RAM emulator.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { renderHeldTable, renderPlanJson, renderPlanTable } from '../../functions/lib/core/render';
import type { HeldEntry } from '../../functions/lib/core/safeguard';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import type { ApplySummary } from '../../functions/lib/sync/apply';
import { runFullSync } from '../../functions/lib/sync/fullSync';
import { HeldList } from '../../functions/lib/sync/heldList';
import { type ReleaseResult, releaseHeld } from '../../functions/lib/sync/release';
import { REPO_ROOT, openLocalRuntime } from '../local/runtime';
import { invokeRemote, remoteFromEnv } from './remote';

const USAGE = [
  'usage: npm run sync -- [--dry-run] [--source NAME]... [--allow-deletes [N]] [--json] [--all]',
  '       npm run sync -- --held [--json] [--remote]',
  '       npm run sync -- --release EXTERNAL_ID... | all [--json] [--remote]',
].join('\n');

export interface SyncArgs {
  mode: 'sync' | 'held' | 'release';
  dryRun: boolean;
  sources?: string[];
  allowDeletes?: number | boolean;
  /** For `release`: externalIds, or all. */
  release?: string[] | 'all';
  remote: boolean;
  json: boolean;
  all: boolean;
  help: boolean;
}

export function parseSyncArgs(argv: string[]): SyncArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'dry-run': { type: 'boolean', default: false },
      source: { type: 'string', multiple: true },
      'allow-deletes': { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      held: { type: 'boolean', default: false },
      release: { type: 'boolean', default: false },
      remote: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  // `--allow-deletes` alone releases any count; with N, at most N.
  const raw = values['allow-deletes'];
  let allowDeletes: number | boolean | undefined;
  if (raw !== undefined) {
    allowDeletes = raw === '' || raw === 'all' ? true : Number(raw);
    if (typeof allowDeletes === 'number' && !(Number.isInteger(allowDeletes) && allowDeletes >= 0)) {
      throw new Error(`--allow-deletes ${raw}: expected a whole number of deprovisions, or nothing for all`);
    }
  }
  const mode = values.release ? 'release' : values.held ? 'held' : 'sync';
  if (values.held && values.release) throw new Error('--held and --release: choose one');
  if (mode !== 'release' && positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`);
  if (mode === 'release' && positionals.length === 0) throw new Error('--release needs the externalIds to release (see --held), or all');
  if (values.remote && mode === 'sync') throw new Error('--remote works with --held and --release (a full sync runs with: s invoke full-sync)');
  const release = mode !== 'release' ? undefined : positionals.includes('all') ? 'all' as const : positionals;
  return {
    mode, dryRun: values['dry-run'], sources: values.source, allowDeletes, release, remote: values.remote,
    json: values.json, all: values.all, help: values.help,
  };
}

/** Lets `--allow-deletes` stand without a value before another flag or at the end. */
function normalizeArgv(argv: string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    out.push(arg);
    const next = argv[i + 1];
    if (arg === '--allow-deletes' && (next === undefined || next.startsWith('--'))) out.push('');
  });
  return out;
}

export function summaryText(s: ApplySummary): string {
  return `created ${s.created}, updated ${s.updated}, deprovisioned ${s.deleted + s.suspended} ` +
    `(deleted ${s.deleted}, suspended ${s.suspended}), restored ${s.restored}, unchanged ${s.unchanged}, ` +
    `failed ${s.failed}, staged ${s.staged}` + (s.groupsCreated ? `, groups created ${s.groupsCreated}` : '');
}

async function main(): Promise<number> {
  const args = parseSyncArgs(normalizeArgv(process.argv.slice(2)));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.mode === 'held') return showHeld(args);
  if (args.mode === 'release') return release(args);
  return sync(args);
}

async function sync(args: SyncArgs): Promise<number> {
  const runtime = await openLocalRuntime(process.env, { only: args.sources });
  const runId = randomUUID();
  const logFile = path.join(runtime.stateDir, 'logs', `sync-${runId}.jsonl`);
  const log = provisioningLog(logFile);
  const say = (line: string) => (args.json ? console.error(line) : console.log(line));
  for (const note of runtime.notes) say(note);

  const bar = process.stderr.isTTY && !args.dryRun && !args.json
    ? new SingleBar({ format: 'applying [{bar}] {value}/{total} {action} {user}', hideCursor: true, stream: process.stderr })
    : undefined;
  try {
    const report = await runFullSync({
      ...runtime, dryRun: args.dryRun, allowDeletes: args.allowDeletes, runId, log: log.write,
      onPlan: (plan) => {
        if (!args.json) say(renderPlanTable(plan, { includeNoop: args.all }));
        bar?.start(plan.steps.length, 0, { action: '', user: '' });
      },
      onStep: (o) => bar?.increment({ action: o.step.action, user: o.step.kind === 'user' ? o.step.userName : o.step.groupName }),
    });
    bar?.stop();
    if (args.json) console.log(args.dryRun ? renderPlanJson(report.plan) : JSON.stringify(report, null, 2));
    if (report.result) {
      say('');
      say(`sync ${runId}: ${summaryText(report.result.summary)}`);
      for (const o of report.result.outcomes.filter((x) => x.status === 'failed')) {
        const who = o.step.kind === 'user' ? `${o.step.userName} (${o.step.externalId})` : `group ${o.step.groupName}`;
        say(`  failed: ${o.step.action} ${who}: ${o.failure?.reason}${o.failure?.recommendedAction ? ` → ${o.failure.recommendedAction}` : ''}`);
      }
    } else {
      say(`dry run ${runId}: nothing was changed`);
    }
    say(`provisioning log: ${path.relative(process.cwd(), logFile)}`);
    return report.result && report.result.summary.failed > 0 ? 1 : 0;
  } finally {
    bar?.stop();
    await log.close();
    await runtime.close();
  }
}

/** The held list, read from the local state directory or asked of the deployed full-sync. */
async function showHeld(args: SyncArgs): Promise<number> {
  const entries = args.remote
    ? ((await invokeRemote(remoteFromEnv(process.env), { held: true })) as { held: HeldEntry[] }).held
    : await new HeldList(new FileStateStore(localStateDir())).entries();
  console.log(args.json ? JSON.stringify(entries, null, 2) : renderHeldTable(entries));
  return 0;
}

async function release(args: SyncArgs): Promise<number> {
  let result: ReleaseResult;
  let logNote = '';
  if (args.remote) {
    result = (await invokeRemote(remoteFromEnv(process.env), { release: args.release })) as ReleaseResult;
    logNote = 'provisioning log: in the deployed function\'s log store (runId above)';
  } else {
    const runtime = await openLocalRuntime(process.env);
    const runId = randomUUID();
    const logFile = path.join(runtime.stateDir, 'logs', `release-${runId}.jsonl`);
    const log = provisioningLog(logFile);
    try {
      if (!args.json) for (const note of runtime.notes) console.log(note);
      result = await releaseHeld(runtime, args.release!, { runId, log: log.write });
    } finally {
      await log.close();
      await runtime.close();
    }
    logNote = `provisioning log: ${path.relative(process.cwd(), logFile)}`;
  }
  if (args.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    for (const id of result.unknown) console.log(`not on the held list: ${id}`);
    for (const p of result.people) {
      console.log(`${p.status.padEnd(14)} ${p.action.padEnd(8)} ${p.userName} (${p.externalId}, held: ${p.held}): ${p.reason}` +
        `${p.recommendedAction ? ` → ${p.recommendedAction}` : ''}`);
    }
    console.log(`release ${result.runId}: ${summaryText(result.summary)}; ${result.stillHeld} still held`);
    console.log(logNote);
  }
  return result.summary.failed > 0 || result.unknown.length > 0 ? 1 : 0;
}

function localStateDir(): string {
  return path.resolve(process.env.STATE_DIR || path.join(REPO_ROOT, '.state'));
}

/** One JSON line per provisioning step, in a file per run. */
function provisioningLog(file: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  const stream = createWriteStream(file);
  return {
    write: (line: object) => { stream.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`); },
    close: () => new Promise<void>((resolve) => { stream.end(resolve); }),
  };
}

if (require.main === module) {
  main().then((code) => process.exit(code), (error: unknown) => {
    console.error(`sync: ${error instanceof Error ? error.message : String(error)}`);
    console.error(USAGE);
    process.exit(2);
  });
}
