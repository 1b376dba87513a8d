/**
 * `npm run sync` and an unfinished full sync (one that stopped half-way: killed, Ctrl-C, or an
 * invocation's deadline): the next `npm run sync` continues it from its checkpoint and says so;
 * `--discard-unfinished` drops it instead, so the next sync plans afresh.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRamEmulator } from '../../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../../infra/emulator/env';
import { parseSyncArgs } from '../../../infra/cli/sync';
import { parseRamConfig } from '../../../functions/lib/ram/config';
import { createRamClient } from '../../../functions/lib/ram/RamClient';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { createFileSource } from '../../../functions/lib/sources/file';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import { runFullSync } from '../../../functions/lib/sync/fullSync';
import { FullSyncRuns } from '../../../functions/lib/sync/fullSyncRun';
import { writeCompany } from '../../support/companyDirectory';
import { runCli } from '../../support/cliProcess';

describe('npm run sync with an unfinished full sync', () => {
  let stateDir: string;
  let directory: string;
  const env = () => ({ ...process.env, STATE_DIR: stateDir, EMULATOR_PORT: '1', RAM_OAUTH_CLIENT_ID: '', DIRECTORY_FILE: directory });

  /** A full sync of the company that stops (checkpointed) after its first 10 steps, on the CLI's own emulator account. */
  async function interruptedSync(): Promise<string> {
    const emulator = await startRamEmulator({ stateFile: path.join(stateDir, 'emulator.json') });
    try {
      const ram = createRamClient(parseRamConfig({ ...emulatorEnv(emulator.url), RAM_RATE_LIMIT: '10000' }), {});
      let done = 0;
      const report = await runFullSync({
        sources: [createFileSource(directory)], target: ram, state: new FileStateStore(stateDir), dryRun: false, runId: 'interrupted',
        settings: { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
        log: () => undefined, chunkSteps: 10, deadline: 1, now: () => (done >= 10 ? 10_000 : -10_000), onStep: () => { done++; },
      });
      expect(report.progress).toMatchObject({ done: 10, finished: false });
      return report.runId;
    } finally {
      await emulator.close();
    }
  }

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'sync-resume-cli-'));
    directory = path.join(stateDir, 'directory.json');
    writeCompany(directory, { people: 30 });
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  it('continues it from its checkpoint, saying so, and finishes it', async () => {
    const runId = await interruptedSync();
    const { code, out } = await runCli('infra/cli/sync.ts', [], env());
    expect(code).toBe(0);
    expect(out).toContain(`an unfinished full sync (${runId}, 10/30 steps) will be continued`);
    expect(out).toContain(`continuing the unfinished full sync ${runId} from its checkpoint: 10/30 steps were done`);
    expect(out).toMatch(new RegExp(`sync ${runId}: created 30, .* failed 0`));
    expect(await new FullSyncRuns(new FileStateStore(stateDir)).current()).toBeUndefined();
  }, 60_000);

  it('--discard-unfinished drops it, and says when there is none', async () => {
    const runId = await interruptedSync();
    const first = await runCli('infra/cli/sync.ts', ['--discard-unfinished'], env());
    expect(first).toEqual({ code: 0, out: expect.stringContaining(`discarded the unfinished full sync ${runId} (10/30 steps were done)`) });
    expect(await new FileStateStore(stateDir).list('full-sync/')).toEqual([]);
    const again = await runCli('infra/cli/sync.ts', ['--discard-unfinished'], env());
    expect(again).toEqual({ code: 0, out: expect.stringContaining('no unfinished full sync') });
  }, 60_000);

  it('--discard-unfinished takes no other flag than --remote (the deployed system\'s run: sync.remote.test.ts)', () => {
    expect(parseSyncArgs(['--discard-unfinished'])).toMatchObject({ mode: 'discard-unfinished', remote: false });
    expect(parseSyncArgs(['--discard-unfinished', '--remote'])).toMatchObject({ mode: 'discard-unfinished', remote: true });
    expect(() => parseSyncArgs(['--discard-unfinished', '--json'])).toThrow('--json does not apply to --discard-unfinished');
  });
});
