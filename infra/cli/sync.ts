/**
 * `npm run sync` — the operator's one-click push, and the deletion safeguard's held list.
 *   npm run sync -- --dry-run            print the plan, change nothing
 *   npm run sync                          apply it, with progress and a summary
 *   npm run sync -- --source file         only that source
 *   npm run sync -- --allow-deletes 25    release a plan the deletion safeguard held (for this run)
 *   npm run sync -- --json                the plan (and result) as JSON on stdout
 *   npm run sync -- --dry-run --html F    also write the plan report, one self-contained HTML file, to F
 *                                         (without --dry-run: what was applied and what failed)
 *   npm run sync -- --dry-run --html F --remote   the same for the deployed system (full-sync {"report": true})
 *   npm run sync -- --held [--json]       who the safeguard holds, since when, and why
 *   npm run sync -- --release ID… | all   apply their deprovisions now
 *   npm run sync -- --failed [--json]     the changes push gave up on (final failures), with what to do
 *   npm run sync -- --retry-failed KEY… | all   run them again once the cause is fixed
 *   npm run sync -- --discard-unfinished [--remote]  drop a full sync that stopped half-way (the next one plans afresh)
 *   npm run sync -- --migrate-ids lark    re-link every RAM user of the source to the configured kind of id
 *                                         (LARK_USER_ID_TYPE changed), then record it; --dry-run, --json
 *   … --held / --release / --failed / --retry-failed / --migrate-ids / --discard-unfinished … --remote   the same against the deployed system (invokes full-sync)
 * With no RAM credentials configured it targets the local RAM emulator.
 * A sync that was interrupted (Ctrl-C, a crash) is continued by the next `npm run sync` from its last
 * checkpoint, without planning again; a progress bar (a progress line when not on a terminal) shows
 * done / total, the rate and the time left.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { renderFailedTable, renderHeldTable, renderPlanJson, renderPlanTable, summaryLine } from '../../functions/lib/core/render';
import { type ReportInput, renderPlanReport } from '../../functions/lib/core/report';
import { type ReportPayload, reportConfigOf, reportInputOf } from '../../functions/lib/core/reportPayload';
import type { HeldEntry } from '../../functions/lib/core/safeguard';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import type { ApplySummary } from '../../functions/lib/sync/apply';
import { discardUnfinished, runFullSync } from '../../functions/lib/sync/fullSync';
import { parseFullSyncPacing } from '../../functions/lib/sync/fullSyncConfig';
import { FullSyncRuns } from '../../functions/lib/sync/fullSyncRun';
import { type FullSyncProgress, formatDuration } from '../../functions/lib/sync/progress';
import { HeldList } from '../../functions/lib/sync/heldList';
import { migrateIdentifiers } from '../../functions/lib/sync/migrateIds';
import type { DiscardResult, FailedListResult, FullSyncResult } from '../../functions/lib/sync/entrances';
import { FailedChanges } from '../../functions/lib/sync/failedChanges';
import { releaseHeld } from '../../functions/lib/sync/release';
import { retryFailed } from '../../functions/lib/sync/retryFailed';
import { type LocalRuntime, localStateDir, openLocalRuntime } from '../local/runtime';
import { UsageError, reportCliError } from './failure';
import { invokeRemote, remoteFromEnv } from './remote';

const USAGE = [
  'usage: npm run sync -- [--dry-run] [--source NAME]... [--allow-deletes [N]] [--json] [--all] [--html FILE [--remote]]',
  '       npm run sync -- --held [--json] [--remote]',
  '       npm run sync -- --release EXTERNAL_ID... | all [--json] [--remote]',
  '       npm run sync -- --failed [--json] [--remote]',
  '       npm run sync -- --retry-failed KEY... | all [--json] [--remote]',
  '       npm run sync -- --migrate-ids SOURCE [--dry-run] [--json] [--remote]',
  '       npm run sync -- --discard-unfinished [--remote]',
].join('\n');

export interface SyncArgs {
  mode: 'sync' | 'held' | 'release' | 'failed' | 'retry-failed' | 'migrate-ids' | 'discard-unfinished';
  dryRun: boolean;
  sources?: string[];
  allowDeletes?: number | boolean;
  /** For `release`: externalIds, or all. */
  release?: string[] | 'all';
  /** For `retry-failed`: failed-list keys, or all. */
  retryFailed?: string[] | 'all';
  /** For `migrate-ids`: the source whose people are re-linked. */
  migrateIds?: string;
  remote: boolean;
  /** For a sync: where to write the plan report (HTML). */
  html?: string;
  json: boolean;
  all: boolean;
  help: boolean;
}

/** The flags each mode takes; any other is refused rather than silently ignored. */
const MODE_FLAGS = {
  // --remote on a sync only produces the plan report: a remote apply is `s invoke full-sync`.
  sync: ['dry-run', 'source', 'allow-deletes', 'json', 'all', 'html', 'remote'],
  held: ['json', 'remote'],
  release: ['json', 'remote'],
  failed: ['json', 'remote'],
  'retry-failed': ['json', 'remote'],
  'migrate-ids': ['dry-run', 'json', 'remote'],
  'discard-unfinished': ['remote'],
} as const;

export function parseSyncArgs(argv: string[]): SyncArgs {
  try {
    return parseSyncArgv(argv);
  } catch (error) {
    // node:util's own refusals (an unknown flag, a missing value) are usage errors too.
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
}

function parseSyncArgv(argv: string[]): SyncArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'dry-run': { type: 'boolean' },
      source: { type: 'string', multiple: true },
      'allow-deletes': { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      held: { type: 'boolean' },
      release: { type: 'boolean' },
      failed: { type: 'boolean' },
      'retry-failed': { type: 'boolean' },
      'discard-unfinished': { type: 'boolean' },
      remote: { type: 'boolean' },
      'migrate-ids': { type: 'string' },
      html: { type: 'string' },
      help: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const modes = [
    values.held && 'held', values.release && 'release', values.failed && 'failed', values['retry-failed'] && 'retry-failed',
    values['migrate-ids'] !== undefined && 'migrate-ids', values['discard-unfinished'] && 'discard-unfinished',
  ].filter((m): m is Exclude<SyncArgs['mode'], 'sync'> => Boolean(m));
  if (modes.length > 1) throw new UsageError(`--${modes[0]} and --${modes[1]}: choose one`);
  const mode = modes[0] ?? 'sync';
  const allowed: readonly string[] = MODE_FLAGS[mode];
  for (const flag of ['dry-run', 'source', 'allow-deletes', 'json', 'all', 'remote', 'html'] as const) {
    if (values[flag] !== undefined && !allowed.includes(flag)) throw new UsageError(`--${flag} does not apply to --${mode}`);
  }
  if (mode === 'sync' && values.remote && values.html === undefined) {
    throw new UsageError('--remote works with --held, --release, --failed, --retry-failed, --migrate-ids, --discard-unfinished or a sync\'s --html report ' +
      '(a full sync runs remotely with: s invoke full-sync)');
  }
  if (values.html !== undefined && (values.html === '' || values.html.startsWith('--'))) throw new UsageError('--html needs the file to write, e.g. --html plan.html');
  if (mode !== 'release' && mode !== 'retry-failed' && positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return {
    mode, dryRun: values['dry-run'] ?? false, sources: values.source, allowDeletes: allowDeletesOf(values['allow-deletes']),
    ...(mode === 'release' && { release: idsOrAll('--release', positionals, 'the externalIds to release (see --held)', 'releases everyone') }),
    ...(mode === 'retry-failed' && { retryFailed: idsOrAll('--retry-failed', positionals, 'the keys to retry (see --failed)', 'retries every entry') }),
    ...(mode === 'migrate-ids' && { migrateIds: migrateSourceOf(values['migrate-ids']!) }),
    ...(values.html !== undefined && { html: values.html }),
    remote: values.remote ?? false, json: values.json ?? false, all: values.all ?? false, help: values.help ?? false,
  };
}

/** `--allow-deletes` alone (or `all`) releases any count; with N, at most N. */
function allowDeletesOf(raw: string | undefined): number | boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === '' || raw === 'all') return true;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--allow-deletes ${raw}: expected a whole number of deprovisions, or nothing for all`);
  return Number(raw);
}

function idsOrAll(flag: string, ids: string[], what: string, all: string): string[] | 'all' {
  if (ids.length === 0) throw new UsageError(`${flag} needs ${what}, or all`);
  if (ids.includes('all')) {
    if (ids.length > 1) throw new UsageError(`${flag} all ${all}: give it alone, or give ids without it`);
    return 'all';
  }
  return [...new Set(ids)];
}

function migrateSourceOf(source: string): string {
  if (!source || source.startsWith('--')) throw new UsageError('--migrate-ids needs the source whose ids changed, e.g. --migrate-ids lark');
  return source;
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
  if (args.mode === 'failed') return showFailed(args);
  if (args.mode === 'retry-failed') return retryFailedChanges(args);
  if (args.mode === 'migrate-ids') return migrateIds(args);
  if (args.mode === 'discard-unfinished') return discard(args);
  if (args.remote) return remoteReport(args);
  return sync(args);
}

async function sync(args: SyncArgs): Promise<number> {
  const pacing = parseFullSyncPacing(process.env);
  const runtime = await openLocalRuntime(process.env, { only: args.sources });
  const runId = randomUUID();
  const logFile = path.join(runtime.stateDir, 'logs', `sync-${runId}.jsonl`);
  const log = provisioningLog(logFile);
  const say = (line: string) => (args.json ? console.error(line) : console.log(line));
  for (const note of runtime.notes) say(note);

  const unfinished = args.dryRun ? undefined : await new FullSyncRuns(runtime.state).current();
  if (unfinished) say(`an unfinished full sync (${unfinished.runId}, ${unfinished.next}/${unfinished.total} steps) will be continued; if it was interrupted, its lease lapses within ${pacing.leaseSeconds} s`);
  const madeAt = new Date().toISOString();
  const bar = process.stderr.isTTY && !args.dryRun && !args.json
    ? new SingleBar({
      format: 'applying [{bar}] {value}/{total} | {rate} steps/s | {eta_left} left | {action} {user}', hideCursor: true, stream: process.stderr,
    })
    : undefined;
  let started = false;
  const progress = (p: FullSyncProgress) => {
    const shown = { rate: p.rate, eta_left: p.etaSeconds === undefined ? '?' : formatDuration(p.etaSeconds) };
    if (!started) {
      started = true;
      if (p.resumed) say(`continuing the unfinished full sync ${p.runId} from its checkpoint: ${p.done}/${p.total} steps were done (npm run sync -- --discard-unfinished drops it)`);
      bar?.start(p.total, p.done, { ...shown, action: '', user: '' });
    } else if (bar) bar.update(p.done, shown);
    else if (!args.json && p.done < p.total) say(`progress ${p.done}/${p.total} steps, ${p.rate} steps/s, ${shown.eta_left} left`);
  };
  try {
    const report = await runFullSync({
      ...runtime, dryRun: args.dryRun, allowDeletes: args.allowDeletes, runId, log: log.write,
      onPlan: (plan) => {
        if (!args.json) say(renderPlanTable(plan, { includeNoop: args.all }));
      },
      onStep: (o) => bar?.increment({ action: o.step.action, user: o.step.kind === 'user' ? o.step.userName : o.step.groupName }),
      onProgress: progress, progressEvery: { everySteps: 1000, everyMs: 10_000 },
      // An interrupted run's lease lapses after FULL_SYNC_LEASE_SECONDS: wait that out, then continue it.
      chunkSteps: pacing.chunkSteps, leaseTtlMs: pacing.leaseSeconds * 1000, leaseWaitMs: pacing.leaseSeconds * 1000 + 5_000,
    });
    bar?.stop();
    if (args.json) console.log(args.dryRun ? renderPlanJson(report.plan) : JSON.stringify(report, null, 2));
    if (args.html) {
      say(writeReport(args.html, {
        plan: report.plan, runId, madeAt, dryRun: args.dryRun, outcomes: report.result?.outcomes,
        config: reportConfigOf(runtime.settings, runtime.sources.map((s) => s.name)),
      }));
    }
    if (report.result) {
      say('');
      say(`sync ${report.runId}: ${summaryText(report.result.summary)}`);
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

/** The plan report of the deployed system: full-sync plans (and, without --dry-run, applies) and answers its steps. */
async function remoteReport(args: SyncArgs): Promise<number> {
  const say = (line: string) => (args.json ? console.error(line) : console.log(line));
  const payload = { dryRun: args.dryRun, report: true, ...(args.sources && { sources: args.sources }), ...(args.allowDeletes !== undefined && { allowDeletes: args.allowDeletes }) };
  const answer = (await invokeRemote(remoteFromEnv(process.env), payload)) as FullSyncResult & { report: ReportPayload };
  if (args.json) console.log(JSON.stringify(answer, null, 2));
  say(summaryLine(answer.plan));
  if (answer.result) say(`sync ${answer.runId}: ${summaryText(answer.result)}`);
  if (answer.progress && !answer.progress.finished) {
    say(`unfinished: ${answer.progress.done}/${answer.progress.total} steps done; ${answer.continuation ?? 'the next full sync continues it'}`);
    for (const line of followRemoteRun(answer.progress.runId)) say(line);
  }
  if (answer.report.stepsOmitted > 0) say(`${answer.report.stepsOmitted} unchanged or later steps did not fit FC's 32 MB answer and are counted, not listed`);
  say(writeReport(args.html!, reportInputOf(answer)));
  return answer.result && answer.result.failed > 0 ? 1 : 0;
}

/**
 * How the operator follows a deployed run that outlives this invocation: its `full-sync progress`
 * lines in the function's log store (the same runId in every invocation that carries it on).
 */
export function followRemoteRun(runId: string): string[] {
  return [
    'follow it in the full-sync function\'s logs (SLS, the FC_LOG_PROJECT / FC_LOG_STORE of s.yaml) with the query',
    `  message.msg: "full-sync progress" and message.runId: "${runId}"`,
    '  each line has done, total, rate (steps/s) and etaSeconds; the one that ends the run says finished: true.',
    'The plan report holds this invocation\'s outcomes only; npm run sync -- --discard-unfinished --remote drops the run.',
  ];
}

function writeReport(file: string, input: ReportInput): string {
  writeFileSync(file, renderPlanReport(input));
  return `plan report: ${file}`;
}

/** Drops the unfinished full sync (the local one, or the deployed system's with --remote), so the next one plans afresh. */
async function discard(args: SyncArgs): Promise<number> {
  let dropped: DiscardResult['discarded'];
  if (args.remote) {
    dropped = ((await invokeRemote(remoteFromEnv(process.env), { discardUnfinished: true })) as DiscardResult).discarded;
  } else {
    const run = await discardUnfinished(new FileStateStore(localStateDir(process.env)));
    dropped = run && { runId: run.runId, startedAt: run.startedAt, sources: run.sources, done: run.next, total: run.total };
  }
  const next = args.remote ? 'the next full sync (the reconcile timer, or invoke full-sync {"dryRun": false})' : 'the next npm run sync';
  console.log(dropped
    ? `discarded the unfinished full sync ${dropped.runId} (${dropped.done}/${dropped.total} steps were done); ${next} plans afresh`
    : 'no unfinished full sync');
  return 0;
}

/** The held list, read from the local state directory or asked of the deployed full-sync. */
async function showHeld(args: SyncArgs): Promise<number> {
  const entries = args.remote
    ? ((await invokeRemote(remoteFromEnv(process.env), { held: true })) as { held: HeldEntry[] }).held
    : await new HeldList(new FileStateStore(localStateDir(process.env))).entries();
  console.log(args.json ? JSON.stringify(entries, null, 2) : renderHeldTable(entries));
  return 0;
}

/** Push's failed list, read from the local state directory or asked of the deployed full-sync. */
async function showFailed(args: SyncArgs): Promise<number> {
  const list = args.remote
    ? (await invokeRemote(remoteFromEnv(process.env), { failed: true })) as FailedListResult
    : await new FailedChanges(new FileStateStore(localStateDir(process.env))).list();
  console.log(args.json ? JSON.stringify(list.entries, null, 2) : renderFailedTable(list.entries, list.dropped));
  return 0;
}

async function retryFailedChanges(args: SyncArgs): Promise<number> {
  const { result, logNote } = await hereOrRemote(args, 'retry-failed', { retryFailed: args.retryFailed },
    (runtime, run) => retryFailed(runtime, args.retryFailed!, run));
  if (args.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    for (const key of result.unknown) console.log(`not on the failed list: ${key}`);
    for (const key of result.forgotten) console.log(`taken off the list (nothing to run again): ${key}`);
    for (const f of result.failures) {
      console.log(`failed again ${f.action} ${f.externalId ?? f.departmentId ?? f.groupName}: ${f.reason}${f.recommendedAction ? ` → ${f.recommendedAction}` : ''}`);
    }
    console.log(`retry-failed ${result.runId}: ${result.retried.length} retried; ${summaryText(result.summary)}`);
    console.log(logNote);
  }
  return result.failures.length > 0 || result.unknown.length > 0 ? 1 : 0;
}

async function release(args: SyncArgs): Promise<number> {
  const { result, logNote } = await hereOrRemote(args, 'release', { release: args.release },
    (runtime, run) => releaseHeld(runtime, args.release!, run));
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

/** Re-links the source's RAM users to the configured kind of id (locally, or --remote); one line per person. */
async function migrateIds(args: SyncArgs): Promise<number> {
  const say = (line: string) => (args.json ? console.error(line) : console.log(line));
  const { result: report, logNote } = await hereOrRemote(args, 'migrate-ids', { migrateIds: args.migrateIds, dryRun: args.dryRun },
    (runtime, run) => migrateIdentifiers(runtime, args.migrateIds!, { ...run, dryRun: args.dryRun }));
  if (args.json) console.log(JSON.stringify(report, null, 2));
  if (report.from === report.to) {
    say(`${report.source}: people are already linked by ${report.to}; nothing to migrate`);
    return 0;
  }
  for (const p of report.people) {
    say(`${p.status.padEnd(9)} ${p.userName} (${p.newExternalId ?? p.externalId}): ${p.reason}` +
      `${p.recommendedAction ? ` → ${p.recommendedAction}` : ''}`);
  }
  for (const f of report.failed.filter((x) => !report.people.some((p) => p.externalId === x.externalId))) {
    say(`failed    ${f.userName} (${f.externalId}): ${f.reason}${f.recommendedAction ? ` → ${f.recommendedAction}` : ''}`);
  }
  say(`${args.dryRun ? 'dry run' : 'migrate-ids'} ${report.runId}: ${report.source} ${report.from} → ${report.to}: ` +
    `${args.dryRun ? 'would re-link' : 're-linked'} ${report.relinked}, unchanged ${report.unchanged}, failed ${report.failed.length}`);
  say(args.dryRun ? 'nothing was changed'
    : report.recorded ? `${report.to} is recorded for ${report.source}: push and full-sync plan again`
      : `the migration to ${report.to} is in progress, so push and full-sync keep refusing to plan: fix the failures, then run this again`);
  say(logNote);
  return report.failed.length > 0 ? 1 : 0;
}

/**
 * Runs `work` against the local runtime (with its own provisioning log file), or, with --remote, asks
 * the deployed full-sync function to do it with `payload`.
 */
async function hereOrRemote<R>(
  args: SyncArgs, kind: string, payload: object,
  work: (runtime: LocalRuntime, run: { runId: string; log: (line: object) => void }) => Promise<R>,
): Promise<{ result: R; logNote: string }> {
  if (args.remote) {
    const result = (await invokeRemote(remoteFromEnv(process.env), payload)) as R;
    return { result, logNote: 'provisioning log: in the deployed function\'s log store (runId above)' };
  }
  const runtime = await openLocalRuntime(process.env);
  const runId = randomUUID();
  const logFile = path.join(runtime.stateDir, 'logs', `${kind}-${runId}.jsonl`);
  const log = provisioningLog(logFile);
  try {
    for (const note of runtime.notes) (args.json ? console.error : console.log)(note);
    return { result: await work(runtime, { runId, log: log.write }), logNote: `provisioning log: ${path.relative(process.cwd(), logFile)}` };
  } finally {
    await log.close();
    await runtime.close();
  }
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
  main().then((code) => process.exit(code), (error: unknown) => process.exit(reportCliError('sync', error, USAGE)));
}
