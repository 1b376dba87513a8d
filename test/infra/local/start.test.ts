/**
 * `npm start` as a person runs it: the local stack comes up on embedded defaults, syncs the directory
 * into the emulator, and follows an edit of the directory file.
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
    check();
  });

  beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'start-')); });
  afterAll(async () => {
    child?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs the directory into the emulator, then follows an edit of the file', async () => {
    const directory = path.join(dir, 'directory.json');
    await copyFile(path.join(root, 'infra/sample/directory.json'), directory);
    child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/local/start.ts')], {
      cwd: root, env: { ...process.env, EMULATOR_PORT: '0', STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '' },
    });
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });

    await waitFor(/watching /);
    expect(output).toMatch(/using the local RAM emulator at http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/created 12, updated 0,.* failed 0, staged 0/);

    const doc = JSON.parse(await readFile(directory, 'utf8'));
    doc.people[0].displayName = 'Alice Wang-Li';
    await writeFile(directory, JSON.stringify(doc));
    await waitFor(/created 0, updated 1, .* unchanged 11, failed 0/);
    expect(output).toMatch(/update\s+alice\.wang\s+file:e1001\s+displayName: Alice Wang → Alice Wang-Li/);
  }, 60_000);
});
