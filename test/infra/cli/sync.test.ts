/**
 * The operator's command end to end, as a separate process on the shipped sample directory, against
 * the emulator it starts itself (its state kept in STATE_DIR between runs).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startRamEmulator } from '../../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../../infra/emulator/env';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

describe('npm run sync', () => {
  let stateDir: string;
  const sync = async (...args: string[]) => {
    const env = { ...process.env, STATE_DIR: stateDir, EMULATOR_PORT: '1', RAM_OAUTH_CLIENT_ID: '', DIRECTORY_FILE: '' };
    try {
      const { stdout, stderr } = await run(tsx, [path.join(root, 'infra/cli/sync.ts'), ...args], { env, cwd: root });
      return { code: 0, out: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  beforeAll(async () => { stateDir = await mkdtemp(path.join(tmpdir(), 'sync-cli-')); });
  afterAll(() => rm(stateDir, { recursive: true, force: true }));

  it('--dry-run prints the plan table and changes nothing; --html writes the plan report too', async () => {
    const { code, out } = await sync('--dry-run', '--html', path.join(stateDir, 'plan.html'));
    expect(code).toBe(0);
    expect(out).toMatch(/ACTION\s+USER\s+EXTERNAL ID\s+CHANGES\s+REASON/);
    expect(out).toMatch(/create\s+alice\.wang\s+file:e1001/);
    expect(out).toMatch(/name conflict: "li\.na"/);
    expect(out).toMatch(/dry run .*: nothing was changed/);
    expect(out).not.toMatch(/@example\.(com|cn)|13800000/);
    expect(out).toMatch(/plan report: .*plan\.html/);
    const html = await readFile(path.join(stateDir, 'plan.html'), 'utf8');
    expect(html).toMatch(/<title>Plan [0-9a-f-]{36}<\/title>/);
    expect(html).toContain('"alice.wang"');
    expect(html).toContain('li.na');
    expect(html).not.toMatch(/@example\.(com|cn)|13800000/);
  }, 60_000);

  it('applies the sample, then a second run reports everything unchanged', async () => {
    const first = await sync('--html', path.join(stateDir, 'run.html'));
    expect(first.code).toBe(0);
    expect(await readFile(path.join(stateDir, 'run.html'), 'utf8')).toMatch(/What was applied<\/h2><p>\d+ changes applied, 0 failed/);
    const created = Number(/created (\d+)/.exec(first.out)?.[1]);
    expect(created).toBeGreaterThanOrEqual(11);
    expect(first.out).toMatch(/failed 0, staged 0/);

    const second = await sync();
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/created 0, updated 0, deprovisioned 0 .* restored 0, unchanged 12, failed 0, staged 0/);
    const emulator = JSON.parse(await readFile(path.join(stateDir, 'emulator.json'), 'utf8'));
    expect(JSON.stringify(emulator)).toContain('alice.wang');
  }, 60_000);

  it('keeps a searchable provisioning log per run without personal data', async () => {
    const logs = await readdir(path.join(stateDir, 'logs'));
    expect(logs.length).toBe(3);
    const text = (await Promise.all(logs.map((f) => readFile(path.join(stateDir, 'logs', f), 'utf8')))).join('');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.action === 'create' && l.status === 'succeeded' && l.externalId === 'file:e1001')).toBe(true);
    expect(text).not.toMatch(/@example\.(com|cn)|13800000/);
  });

  it('names the variable when configuration is wrong', async () => {
    const env = { ...process.env, STATE_DIR: stateDir, EMULATOR_PORT: '1', DEPROVISION_DELETED: 'shred' };
    await expect(run(tsx, [path.join(root, 'infra/cli/sync.ts'), '--dry-run'], { env, cwd: root }))
      .rejects.toMatchObject({ stderr: expect.stringMatching(/DEPROVISION_DELETED/) });
  }, 60_000);

  it('prints an OAuth failure and its fix, not the usage text', async () => {
    const ram = await startRamEmulator();
    try {
      const env = { ...process.env, ...emulatorEnv(ram.url), RAM_OAUTH_CLIENT_SECRET: 'not-the-secret', STATE_DIR: stateDir };
      const failed = await run(tsx, [path.join(root, 'infra/cli/sync.ts'), '--dry-run'], { env, cwd: root })
        .then(() => undefined, (error: unknown) => error as { code: number; stderr: string });
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(/^sync: client authentication failed\nfix: check RAM_OAUTH_CLIENT_ID/m);
      expect(failed?.stderr).not.toMatch(/usage:/);
    } finally {
      await ram.close();
    }
  }, 60_000);

  it('prints the usage for a bad flag, with exit code 2', async () => {
    const { code, out } = await sync('--dry-rn');
    expect(code).toBe(2);
    expect(out).toMatch(/^sync: Unknown option '--dry-rn'[\s\S]*^usage: npm run sync/m);
  });
});
