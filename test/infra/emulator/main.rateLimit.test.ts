/**
 * `npm run emulator` with EMULATOR_RATE_LIMIT: the account-wide rate comes from the environment,
 * is printed at start, and a bad value stops it naming the variable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { scimToken } from './helpers';

const root = path.resolve(__dirname, '../../..');

function startMain(env: Record<string, string>): { child: ChildProcess; banner: Promise<string>; exit: Promise<{ code: number | null; err: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'infra/emulator/main.ts')], {
    cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, EMULATOR_PORT: '0', EMULATOR_STATE_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const banner = new Promise<string>((resolve) => child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    if (out.includes('Ctrl-C')) resolve(out);
  }));
  const exit = new Promise<{ code: number | null; err: string }>((resolve) => child.once('exit', (code) => resolve({ code, err })));
  return { child, banner, exit };
}

describe('npm run emulator with EMULATOR_RATE_LIMIT', () => {
  it('throttles the account at the rate it prints', async () => {
    const { child, banner, exit } = startMain({ EMULATOR_RATE_LIMIT: '0.5' });
    try {
      const text = await banner;
      expect(text).toContain('rate      0.5 requests/s for the account (EMULATOR_RATE_LIMIT)');
      const url = /listening on (http:\/\/\S+)/.exec(text)![1]!;
      const emu = { tokenUrl: `${url}/v1/token` } as Parameters<typeof scimToken>[0];
      const token = await scimToken(emu);
      const get = () => fetch(`${url}/Users`, { headers: { authorization: `Bearer ${token}` } });
      // One request's worth in the bucket, the next in two seconds.
      expect((await get()).status).toBe(200);
      const refused = await get();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      child.kill('SIGTERM');
      await exit;
    }
  }, 30_000);

  it('refuses a rate that is not a positive number, naming the variable', async () => {
    const { exit } = startMain({ EMULATOR_RATE_LIMIT: 'fast' });
    const { code, err } = await exit;
    expect(code).toBe(1);
    expect(err).toContain('EMULATOR_RATE_LIMIT must be a number of requests per second above 0');
  }, 30_000);
});
