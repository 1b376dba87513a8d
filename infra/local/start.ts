/**
 * `npm start` — the local stack on embedded defaults: the RAM emulator on EMULATOR_PORT (9100), a full
 * sync of the configured sources (the shipped sample directory by default) into it, and a re-sync
 * whenever the directory file changes. Real RAM instead when RAM credentials are configured.
 */
import { randomUUID } from 'node:crypto';
import { watchFile } from 'node:fs';
import path from 'node:path';
import { renderPlanTable } from '../../functions/lib/core/render';
import { runFullSync } from '../../functions/lib/sync/fullSync';
import { summaryText } from '../cli/sync';
import { EMULATOR_DEFAULT_PORT } from '../emulator/env';
import { SAMPLE_DIRECTORY, openLocalRuntime } from './runtime';

async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT || EMULATOR_DEFAULT_PORT);
  const runtime = await openLocalRuntime(process.env, { emulatorPort: port });
  console.log('ram-scim-sync local stack');
  for (const note of runtime.notes) console.log(`  ${note}`);
  console.log(`  state: ${runtime.stateDir}`);

  let running: Promise<void> = Promise.resolve();
  const syncOnce = (why: string) => {
    running = running.then(async () => {
      const runId = randomUUID();
      console.log(`\nsync ${runId} (${why})`);
      const report = await runFullSync({
        ...runtime, dryRun: false, runId,
        log: (line) => { if (line.status === 'failed') console.log(`  failed: ${JSON.stringify(line)}`); },
      });
      console.log(renderPlanTable(report.plan));
      if (report.result) console.log(`sync ${runId}: ${summaryText(report.result.summary)}`);
    }).catch((error: unknown) => console.error(`sync failed: ${error instanceof Error ? error.message : String(error)}`));
    return running;
  };

  await syncOnce('start');
  const file = path.resolve(process.env.DIRECTORY_FILE || SAMPLE_DIRECTORY);
  watchFile(file, { interval: 1000 }, () => void syncOnce(`${path.basename(file)} changed`));
  console.log(`\nwatching ${path.relative(process.cwd(), file)}; edit it to see RAM follow. ` +
    `Try: npm run sync -- --dry-run (in another terminal). Ctrl-C stops.`);

  const stop = async () => {
    await running;
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
