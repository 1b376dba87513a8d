/**
 * `npm start` as a person runs it: the local stack comes up on embedded defaults, syncs the directory
 * into the emulator, and follows an edit of the directory file through the queue into `push`.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningEmulator, startRamEmulator } from '../../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../../infra/emulator/env';

const root = path.resolve(__dirname, '../../..');

/** `npm start [args]` as a child process, its stdout and stderr together in `output`. */
function npmStart(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/local/start.ts'), ...args], {
    cwd: root, env: { ...process.env, PORT: '0', EMULATOR_PORT: '0', ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const run = {
    output: '',
    exited,
    waitFor: (pattern: RegExp, ms = 30_000) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${run.output}`)), ms);
      const check = () => { if (pattern.test(run.output)) { clearTimeout(timer); resolve(); } };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      check();
    }),
    /** Waits for the stack to finish its last writes (queue, emulator state) before the test removes them. */
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  child.stdout.on('data', (d: Buffer) => { run.output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { run.output += d.toString(); });
  return run;
}

describe('npm start', () => {
  let dir: string;
  let stack: ReturnType<typeof npmStart> | undefined;

  beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'start-')); });
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('syncs the directory into the emulator, then follows an edit of the file', async () => {
    const directory = path.join(dir, 'directory.json');
    await copyFile(path.join(root, 'infra/sample/directory.json'), directory);
    const run = npmStart([], {
      STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '', FULL_SYNC_SCHEDULE: '0 0 3 * * *', FULL_SYNC_TIMEZONE: 'Asia/Shanghai',
    });
    stack = run;
    const { waitFor } = run;
    await waitFor(/Ready\. Edit /);
    expect(run.output).toMatch(/functions\s+full-sync, push/);
    expect(run.output).toMatch(/RAM\s+emulator at http:\/\/127\.0\.0\.1:\d+/);
    // The reconcile is scheduled, not run at start (the only full sync is the one-click push below).
    expect(run.output).toMatch(/timers\s+.*full-sync reconcile \(0 0 3 \* \* \* in Asia\/Shanghai, next \d{4}-\d\d-\d\d 03:00:00\)/);
    expect(run.output.match(/"action":"reconcile"/g)).toBeNull();
    expect(run.output).toMatch(/plan: 12 to create/);
    expect(run.output).toMatch(/done: created 12, updated 0,.* failed 0, staged 0/);
    expect(run.output).toMatch(/^ {2}created {2}alice\.wang \(file:e1001\): new at the source$/m);
    // Functions that are merely not configured: one "off" line naming what turns each on, no error lines.
    expect(run.output).toMatch(/^ {2}off {12}.*ad-poll: set AD_URL;.*lark-webhook: set LARK_APP_ID;/m);
    expect(run.output).not.toMatch(/"level":"error"|error/);

    const doc = JSON.parse(await readFile(directory, 'utf8'));
    doc.people[0].displayName = 'Alice Wang-Li';
    await writeFile(directory, JSON.stringify(doc));
    await waitFor(/directory changed: 1 change\(s\) published/);
    // push's outcome for a person; its JSON line goes to the log file the banner names
    await waitFor(/^ {2}updated {2}alice\.wang \(file:e1001\): .+$/m);
    expect(run.output).toMatch(/log\s+.*logs\/functions\.jsonl/);
    const logged = (await readFile(path.join(dir, 'state/logs/functions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'provisioning', function: 'push', action: 'update', status: 'succeeded', externalId: 'file:e1001' }));
  }, 60_000);
});

/** Real RAM, as far as `npm start` can tell: a separate emulator reached only through the RAM variables. */
describe('npm start with RAM credentials configured', () => {
  let dir: string;
  let ram: RunningEmulator;
  let stack: ReturnType<typeof npmStart> | undefined;
  const start = (args: string[]) => {
    stack = npmStart(args, {
      ...emulatorEnv(ram.url), STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: path.join(dir, 'directory.json'), FULL_SYNC_SCHEDULE: '0 0 3 * * *',
    });
    return stack;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'start-ram-'));
    await copyFile(path.join(root, 'infra/sample/directory.json'), path.join(dir, 'directory.json'));
    ram = await startRamEmulator();
  });
  afterAll(async () => {
    await stack?.stop();
    await ram.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('refuses an unknown flag with its usage', async () => {
    const refused = start(['--aply']);
    expect(await refused.exited).toBe(2);
    expect(refused.output).toMatch(/^start: Unknown option '--aply'[\s\S]*usage: npm start/m);
  });

  it('prints the dry run\'s plan and stops, writing nothing, until started with --apply', async () => {
    const dry = start([]);
    expect(await dry.exited).toBe(0);
    expect(dry.output).toMatch(/dry run: real RAM, started without --apply/);
    expect(dry.output).toMatch(/^ {2}would create alice\.wang \(file:e1001\): new at the source$/m);
    expect(dry.output).toMatch(/plan: 12 to create/);
    expect(dry.output).toMatch(/Nothing was written to RAM[\s\S]*npm start -- --apply/);
    expect(dry.output).not.toMatch(/Ready\./);
    expect(ram.counters.reads).toBeGreaterThan(0);
    expect(ram.counters.writes).toBe(0);
    expect(ram.state.users()).toHaveLength(0);

    const applied = start(['--apply']);
    await applied.waitFor(/Ready\. Edit /);
    expect(applied.output).toMatch(/done: created 12,/);
    expect(ram.state.users()).toHaveLength(12);
    const doc = JSON.parse(await readFile(path.join(dir, 'directory.json'), 'utf8'));
    doc.people[0].displayName = 'Alice Wang-Li';
    await writeFile(path.join(dir, 'directory.json'), JSON.stringify(doc));
    await applied.waitFor(/^ {2}updated {2}alice\.wang \(file:e1001\): .+$/m);
    expect(ram.state.userByName('alice.wang')?.displayName).toBe('Alice Wang-Li');
  }, 90_000);
});
