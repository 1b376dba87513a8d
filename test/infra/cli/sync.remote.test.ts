/**
 * `npm run sync … --remote` and a full sync that outlives one invocation of the deployed full-sync, on
 * the local stack (built bundles behind FC's invoke API, the RAM emulator, file state):
 * - `--discard-unfinished --remote` drops the deployed system's unfinished run (full-sync
 *   `{"discardUnfinished": true}`), and says when there is none;
 * - a remote apply (`--html F --remote`) that stops at its deadline says how to follow the run: the
 *   log query it prints finds the `full-sync progress` lines the function wrote for that run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { parseRamConfig } from '../../../functions/lib/ram/config';
import { createRamClient } from '../../../functions/lib/ram/RamClient';
import { createFileSource } from '../../../functions/lib/sources/file';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import { runFullSync } from '../../../functions/lib/sync/fullSync';
import { FullSyncRuns } from '../../../functions/lib/sync/fullSyncRun';
import { emulatorEnv } from '../../../infra/emulator/env';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { runCli } from '../../support/cliProcess';
import { writeCompany } from '../../support/companyDirectory';

describe('npm run sync --remote and an unfinished full sync', () => {
  let dir: string;
  let stack: LocalStack;
  const functionLines: string[] = [];
  const remote = () => ({
    ...process.env, FC_INVOKE_ENDPOINT: stack.url, FULL_SYNC_FUNCTION_NAME: 'full-sync',
    ALIBABA_CLOUD_ACCESS_KEY_ID: stack.credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.credentials.accessKeySecret,
  });
  const runs = () => new FullSyncRuns(new FileStateStore(stack.stateDir));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sync-remote-'));
    const directory = path.join(dir, 'directory.json');
    writeCompany(directory, { people: 300 });
    stack = await startLocalStack({
      // 20 RAM requests/s and 10 s per invocation: one invocation cannot apply 300 people.
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '',
        RAM_RATE_LIMIT: '20', FULL_SYNC_RUN_SECONDS: '10', FULL_SYNC_CHUNK_STEPS: '50', FULL_SYNC_PROGRESS_STEPS: '25',
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20, timers: {},
      functionLog: (line) => { functionLines.push(line); },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('--discard-unfinished --remote drops the deployed system\'s unfinished run, and says when there is none', async () => {
    // Planned by "an earlier invocation" on the stack's state and RAM, stopped before its first step.
    const ram = createRamClient(parseRamConfig({ ...emulatorEnv(stack.ramUrl), RAM_RATE_LIMIT: '10000' }), {});
    const stopped = await runFullSync({
      sources: [createFileSource(stack.directoryFile)], target: ram, state: new FileStateStore(stack.stateDir), dryRun: false, runId: 'stopped-1',
      settings: { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
      log: () => undefined, deadline: 1, now: () => 10_000,
    });
    expect(stopped.progress).toMatchObject({ done: 0, finished: false });

    const first = await runCli('infra/cli/sync.ts', ['--discard-unfinished', '--remote'], remote());
    expect(first).toEqual({ code: 0, out: expect.stringContaining(`discarded the unfinished full sync stopped-1 (0/${stopped.progress!.total} steps were done); the next full sync`) });
    expect(await runs().current()).toBeUndefined();
    expect(await runCli('infra/cli/sync.ts', ['--discard-unfinished', '--remote'], remote())).toEqual({ code: 0, out: expect.stringContaining('no unfinished full sync') });
  }, 60_000);

  it('a remote apply that stops at its deadline prints the log query that follows it, and that query finds its progress lines', async () => {
    const report = path.join(dir, 'applied.html');
    const { code, out } = await runCli('infra/cli/sync.ts', ['--html', report, '--remote', '--json'], remote());
    expect(code).toBe(0);
    // stdout (the answer, pretty-printed) comes first, then what was said on stderr.
    const answer = JSON.parse(out.slice(0, out.indexOf('\n}\n') + 2)) as { runId: string; progress: { done: number; total: number; finished: boolean } };
    expect(answer.progress.finished).toBe(false);
    expect(answer.progress.done).toBeLessThan(answer.progress.total);
    const query = `message.msg: "full-sync progress" and message.runId: "${answer.runId}"`;
    expect(out).toContain(query);

    // What the query selects in SLS: the function's lines with that msg and runId.
    const progress = functionLines.map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'full-sync progress' && l.runId === answer.runId);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ done: answer.progress.done, total: answer.progress.total, finished: false });
    expect(progress[0]).toEqual(expect.objectContaining({ done: 0, total: answer.progress.total, rate: expect.any(Number) }));
  }, 90_000);
});
