/**
 * `npm start` — the local stack on embedded defaults (no configuration needed): builds the function
 * bundles, starts the RAM emulator (unless RAM credentials are configured), serves the webhooks and
 * FC's invoke API on PORT (9000), drains the SQLite queue into `push`, syncs the sample directory
 * (or DIRECTORY_FILE) with the full-sync bundle, and follows edits of that file through the queue.
 * With real RAM credentials (RAM_OAUTH_CLIENT_ID) it only prints the dry run's plan and stops, unless
 * started with `npm start -- --apply`: the sample company must never land in a real account unasked.
 * The functions' JSON lines go to STATE_DIR/logs/functions.jsonl; people read one line per outcome.
 * EMULATOR_RATE_LIMIT (requests/s) gives the emulator it starts RAM's account-wide flow control.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { summaryLine } from '../../functions/lib/core/render';
import { FcAsyncQueue } from '../../functions/lib/queue/FcAsyncQueue';
import type { AdPollResult } from '../../functions/lib/sync/adPoll';
import type { LdapPollResult } from '../../functions/lib/sync/ldapPoll';
import type { OktaPollResult } from '../../functions/lib/sync/oktaPoll';
import type { EntraPollResult } from '../../functions/lib/sync/entraPoll';
import { summaryText } from '../cli/sync';
import { watchDirectory } from './directoryWatch';
import { RECONCILE, describeSchedule } from './schedule';
import { TIMER_SCHEDULES } from './timers';
import { type LocalStack, WEBHOOK_ROUTES, startLocalStack } from './stack';
import { EMULATOR_DEFAULT_PORT, emulatorRateLimit } from '../emulator/env';
import { UsageError, reportCliError } from '../cli/failure';
import { describeLogLine } from './outcomeLines';
import { localStateDir } from './runtime';

const USAGE = 'usage: npm start [-- --apply]   (--apply: write to real RAM; with the emulator it always applies)';

const rel = (p: string) => path.relative(process.cwd(), p) || '.';
const say = (line = '') => process.stderr.write(`${line}\n`);

function parseStartArgs(argv: string[]): { apply: boolean } {
  try {
    return { apply: parseArgs({ args: argv, options: { apply: { type: 'boolean' } } }).values.apply ?? false };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function main(): Promise<void> {
  const { apply } = parseStartArgs(process.argv.slice(2));
  const logFile = path.join(localStateDir(process.env), 'logs', 'functions.jsonl');
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const stack = await startLocalStack({
    apply,
    emulatorPort: Number(process.env.EMULATOR_PORT || EMULATOR_DEFAULT_PORT),
    onTimer: (name, { error }) => { if (error) say(`${name}: ${error instanceof Error ? error.message : String(error)}`); },
    functionLog: (line) => {
      log.write(`${line}\n`);
      const human = describeLogLine(line);
      if (human) say(`  ${human}`);
    },
  });
  printBanner(stack, logFile);
  if (stack.dryRun) {
    await dryRun(stack);
    await stack.stop();
    await new Promise((resolve) => { log.end(resolve); });
    return;
  }
  say('full sync (the one-click push) …');
  const first = await stack.fullSync({ dryRun: false });
  say(`  ${summaryLine(first.plan)}`);
  if (first.safeguard?.held) say(`  safeguard: ${first.safeguard.reason}`);
  if (first.safeguard?.heldTotal) say(`  held list: ${first.safeguard.heldTotal} waiting for release (npm run sync -- --held)`);
  if (first.result) say(`  done: ${summaryText(first.result)}`);

  if (stack.timers.includes('ad-poll')) {
    say('first AD poll …');
    try {
      const poll = await stack.tick('ad-poll') as AdPollResult;
      say(`  ${poll.mode} poll${poll.fullResyncReason ? ` (${poll.fullResyncReason})` : ''}: ${poll.entriesRead} entries read, ${poll.changes} change(s) queued`);
      if (poll.fullSync?.result) say(`  AD full sync: ${summaryText(poll.fullSync.result)}`);
    } catch (error) {
      say(`  ad-poll: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (stack.timers.includes('ldap-poll')) {
    say('first OpenLDAP poll …');
    try {
      const poll = await stack.tick('ldap-poll') as LdapPollResult;
      say(`  ${poll.mode} poll${poll.fullResyncReason ? ` (${poll.fullResyncReason})` : ''}, deletions by ${poll.deletes ?? 'n/a'}: ${poll.entriesRead} entries read, ${poll.changes} change(s) queued`);
      if (poll.fullSync?.result) say(`  OpenLDAP full sync: ${summaryText(poll.fullSync.result)}`);
    } catch (error) {
      say(`  ldap-poll: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (stack.timers.includes('entra-poll')) {
    say('first Entra delta round …');
    try {
      const poll = await stack.tick('entra-poll') as EntraPollResult;
      say(`  ${poll.mode} round${poll.resyncReason ? ` (${poll.resyncReason})` : ''}: ${poll.pages} page(s), ${poll.changes} change(s) queued`);
      if (poll.fullSync?.result) say(`  Entra full sync: ${summaryText(poll.fullSync.result)}`);
    } catch (error) {
      say(`  entra-poll: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (stack.timers.includes('okta-poll')) {
    say('first Okta poll …');
    try {
      const poll = await stack.tick('okta-poll') as OktaPollResult;
      say(`  ${poll.mode} poll${poll.fullResyncReason ? ` (${poll.fullResyncReason})` : ''}: ${poll.usersRead} user(s) and ${poll.logEvents} log event(s) read, ${poll.changes} change(s) queued`);
      if (poll.fullSync?.result) say(`  Okta full sync: ${summaryText(poll.fullSync.result)}`);
    } catch (error) {
      say(`  okta-poll: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const queue = new FcAsyncQueue({
    functionName: 'push',
    endpoint: () => stack.url,
    credentials: () => stack.credentials,
  });
  const unwatch = await watchDirectory(stack.directoryFile, queue, ({ published, error }) => {
    if (error) say(`directory: ${error instanceof Error ? error.message : String(error)} (waiting for the next save)`);
    else if (published) say(`directory changed: ${published} change(s) published to the queue → push`);
  });
  say();
  say(`Ready. Edit ${rel(stack.directoryFile)} and watch RAM follow; in another terminal: npm run sync -- --dry-run. Ctrl-C stops.`);

  const stop = async () => {
    unwatch();
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

function printBanner(stack: LocalStack, logFile: string): void {
  const problem = (fn: string) => stack.unconfigured.get(fn);
  const state = (fn: string) => (!problem(fn) ? 'not built yet: its source has not landed'
    : problem(fn)!.off ? 'off' : `error: ${problem(fn)!.message}`);
  say(`ram-scim-sync local stack${stack.dryRun ? ' (dry run: real RAM, started without --apply)' : ''}`);
  say(`  functions      ${stack.functions.join(', ')} (built into dist/, the bundles FC runs)`);
  for (const [route, fn] of Object.entries(WEBHOOK_ROUTES)) {
    const served = stack.functions.includes(fn) ? `→ ${fn}` : `(${fn} ${state(fn)})`;
    say(`  ${route.padEnd(14)} ${stack.url}${route} ${served}`);
  }
  const timerState = Object.keys(TIMER_SCHEDULES).map((name) => (stack.schedules[name]
    ? `${name} (${describeSchedule(stack.schedules[name])})`
    : `${name} ${stack.functions.includes(name) ? 'not started (dry run)' : state(name)}`));
  const reconcile = stack.schedules['full-sync'];
  timerState.push(reconcile ? `full-sync reconcile (${describeSchedule(reconcile)})`
    : stack.dryRun ? 'full-sync reconcile not started (dry run)'
      : `full-sync reconcile off (${RECONCILE.variables.schedule} is empty or ${RECONCILE.off})`);
  say(`  timers         ${timerState.join('; ')}`);
  const off = [...stack.unconfigured].filter(([, p]) => p.off);
  if (off.length) say(`  off            ${off.map(([fn, p]) => `${fn}: set ${p.switch}`).join('; ')}`);
  say(`  FC invoke API  ${stack.url}/2023-03-30/functions/<name>/invocations (async push → the local queue)`);
  say(`  queue          ${rel(path.join(stack.stateDir, 'queue.sqlite'))} (npm run queue -- status | dead | replay --all)`);
  const rate = emulatorRateLimit(process.env);
  const rateNote = rate ? `, ${rate.requestsPerSecond} requests/s for the account (EMULATOR_RATE_LIMIT)` : '';
  say(`  RAM            ${stack.emulator ? `emulator at ${stack.ramUrl}, state in ${rel(path.join(stack.stateDir, 'emulator.json'))}${rateNote}` : stack.ramUrl}`);
  say(`  directory      ${rel(stack.directoryFile)}`);
  say(`  log            ${rel(logFile)} (the functions' JSON lines; one line per outcome below)`);
  say();
}

/** Real RAM without --apply: the plan, and how to apply it; nothing that writes has started. */
async function dryRun(stack: LocalStack): Promise<void> {
  say('full sync, dry run (RAM credentials are configured: nothing is written without --apply) …');
  const plan = await stack.fullSync({ dryRun: true });
  say(`  ${summaryLine(plan.plan)}`);
  if (plan.safeguard?.held) say(`  safeguard: ${plan.safeguard.reason}`);
  say();
  say(`Nothing was written to RAM (${stack.ramUrl}). To apply this plan and keep the stack running`);
  say('(webhooks, queue → push, timers, edits of the directory file): npm start -- --apply');
}

main().catch((error: unknown) => {
  process.exit(reportCliError('start', error, USAGE));
});
