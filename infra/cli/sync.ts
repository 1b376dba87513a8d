/**
 * `npm run sync` — the operator's one-click push.
 *   npm run sync -- --dry-run            print the plan, change nothing
 *   npm run sync                          apply it, with progress and a summary
 *   npm run sync -- --source file         only that source
 *   npm run sync -- --allow-deletes 25    release a plan the deletion safeguard held (for this run)
 *   npm run sync -- --json                the plan (and result) as JSON on stdout
 * With no RAM credentials configured it targets the local RAM emulator.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { renderPlanJson, renderPlanTable } from '../../functions/lib/core/render';
import type { ApplySummary } from '../../functions/lib/sync/apply';
import { runFullSync } from '../../functions/lib/sync/fullSync';
import { openLocalRuntime } from '../local/runtime';

const USAGE = 'usage: npm run sync -- [--dry-run] [--source NAME]... [--allow-deletes [N]] [--json] [--all]';

export function parseSyncArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'dry-run': { type: 'boolean', default: false },
      source: { type: 'string', multiple: true },
      'allow-deletes': { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
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
  return { dryRun: values['dry-run'], sources: values.source, allowDeletes, json: values.json, all: values.all, help: values.help };
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
  const runtime = await openLocalRuntime(process.env, { only: args.sources });
  const runId = randomUUID();
  const logDir = path.join(runtime.stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `sync-${runId}.jsonl`);
  const logStream = createWriteStream(logFile);
  const say = (line: string) => (args.json ? console.error(line) : console.log(line));
  for (const note of runtime.notes) say(note);

  const bar = process.stderr.isTTY && !args.dryRun && !args.json
    ? new SingleBar({ format: 'applying [{bar}] {value}/{total} {action} {user}', hideCursor: true, stream: process.stderr })
    : undefined;
  try {
    const report = await runFullSync({
      ...runtime, dryRun: args.dryRun, allowDeletes: args.allowDeletes, runId,
      log: (line) => logStream.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`),
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
    await new Promise((resolve) => logStream.end(resolve));
    await runtime.close();
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code), (error: unknown) => {
    console.error(`sync: ${error instanceof Error ? error.message : String(error)}`);
    console.error(USAGE);
    process.exit(2);
  });
}
