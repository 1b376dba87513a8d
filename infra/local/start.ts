/**
 * `npm start` — the local stack on embedded defaults (no configuration needed): builds the function
 * bundles, starts the RAM emulator (unless RAM credentials are configured), serves the webhooks and
 * FC's invoke API on PORT (9000), drains the SQLite queue into `push`, syncs the sample directory
 * (or DIRECTORY_FILE) with the full-sync bundle, and follows edits of that file through the queue.
 */
import path from 'node:path';
import { summaryLine } from '../../functions/lib/core/render';
import { FcAsyncQueue } from '../../functions/lib/queue/FcAsyncQueue';
import type { AdPollResult } from '../../functions/lib/sync/adPoll';
import { summaryText } from '../cli/sync';
import { watchDirectory } from './directoryWatch';
import { RECONCILE, describeSchedule } from './schedule';
import { TIMER_SCHEDULES } from './timers';
import { WEBHOOK_ROUTES, startLocalStack } from './stack';
import { EMULATOR_DEFAULT_PORT } from '../emulator/env';

const rel = (p: string) => path.relative(process.cwd(), p) || '.';

async function main(): Promise<void> {
  const stack = await startLocalStack({
    emulatorPort: Number(process.env.EMULATOR_PORT || EMULATOR_DEFAULT_PORT),
    onTimer: (name, { error }) => { if (error) process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`); },
  });
  const say = (line = '') => process.stderr.write(`${line}\n`);
  say('ram-scim-sync local stack');
  say(`  functions      ${stack.functions.join(', ')} (built into dist/, the bundles FC runs)`);
  for (const [route, fn] of Object.entries(WEBHOOK_ROUTES)) {
    const state = stack.functions.includes(fn) ? `→ ${fn}`
      : stack.unconfigured.has(fn) ? `(${fn} off: ${stack.unconfigured.get(fn)?.replace(/^invalid configuration: /, '')})`
        : `(${fn} not built yet: its source has not landed)`;
    say(`  ${route.padEnd(14)} ${stack.url}${route} ${state}`);
  }
  const timerState = Object.keys(TIMER_SCHEDULES).map((name) => (stack.schedules[name]
    ? `${name} (${describeSchedule(stack.schedules[name])})`
    : `${name} off: ${stack.unconfigured.get(name)?.replace(/^invalid configuration: /, '') ?? 'not built'}`));
  const reconcile = stack.schedules['full-sync'];
  timerState.push(reconcile
    ? `full-sync reconcile (${describeSchedule(reconcile)})`
    : `full-sync reconcile off (${RECONCILE.variables.schedule} is empty or ${RECONCILE.off})`);
  say(`  timers         ${timerState.join('; ')}`);
  say(`  FC invoke API  ${stack.url}/2023-03-30/functions/<name>/invocations (async push → the local queue)`);
  say(`  queue          ${rel(path.join(stack.stateDir, 'queue.sqlite'))} (npm run queue -- status | dead | replay --all)`);
  say(`  RAM            ${stack.emulator ? `emulator at ${stack.ramUrl}, state in ${rel(path.join(stack.stateDir, 'emulator.json'))}` : stack.ramUrl}`);
  say(`  directory      ${rel(stack.directoryFile)}`);
  say();
  say('full sync (the one-click push) …');
  const first = await stack.fullSync({ dryRun: false });
  say(`  ${summaryLine(first.plan)}`);
  if (first.safeguard?.held) say(`  safeguard: ${first.safeguard.reason}`);
  if (first.safeguard?.heldTotal) say(`  held list: ${first.safeguard.heldTotal} waiting for release (npm run sync -- --held)`);
  if (first.result) say(`  done: ${summaryText(first.result)}`);
  for (const f of first.failures) say(`  failed: ${f.action} ${f.userName ?? f.groupName}: ${f.reason}${f.recommendedAction ? ` → ${f.recommendedAction}` : ''}`);

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

main().catch((error: unknown) => {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
