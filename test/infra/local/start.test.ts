/**
 * `npm start` as a person runs it: the local stack comes up on embedded defaults, syncs the directory
 * into the emulator, and follows an edit of the directory file through the queue into `push`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('npm start', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let output = '';
  const waitFor = (pattern: RegExp, ms = 30_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${output}`)), ms);
    const check = () => { if (pattern.test(output)) { clearTimeout(timer); resolve(); } };
    child!.stdout!.on('data', check);
    child!.stderr!.on('data', check);
    check();
  });

  beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'start-')); });
  afterAll(async () => {
    // Wait for the stack to finish its last writes (queue, emulator state) before removing them.
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('syncs the directory into the emulator, then follows an edit of the file', async () => {
    const directory = path.join(dir, 'directory.json');
    await copyFile(path.join(root, 'infra/sample/directory.json'), directory);
    child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/local/start.ts')], {
      cwd: root,
      env: { ...process.env, PORT: '0', EMULATOR_PORT: '0', STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '', FULL_SYNC_SCHEDULE: '0 0 3 * * *', FULL_SYNC_TIMEZONE: 'Asia/Shanghai' },
    });
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });

    await waitFor(/Ready\. Edit /);
    expect(output).toMatch(/functions\s+full-sync, push/);
    expect(output).toMatch(/RAM\s+emulator at http:\/\/127\.0\.0\.1:\d+/);
    // The reconcile is scheduled, not run at start (the only full sync is the one-click push below).
    expect(output).toMatch(/timers\s+.*full-sync reconcile \(0 0 3 \* \* \* in Asia\/Shanghai, next \d{4}-\d\d-\d\d 03:00:00\)/);
    expect(output.match(/"action":"reconcile"/g)).toBeNull();
    expect(output).toMatch(/plan: 12 to create/);
    expect(output).toMatch(/done: created 12, updated 0,.* failed 0, staged 0/);

    const doc = JSON.parse(await readFile(directory, 'utf8'));
    doc.people[0].displayName = 'Alice Wang-Li';
    await writeFile(directory, JSON.stringify(doc));
    await waitFor(/directory changed: 1 change\(s\) published/);
    // push's own provisioning line, from the bundle's JSON log on stdout
    await waitFor(/"msg":"provisioning".*"action":"update","status":"succeeded".*"externalId":"file:e1001"|"msg":"provisioning".*"externalId":"file:e1001".*"action":"update".*"status":"succeeded"/);
  }, 60_000);
});
