/**
 * The RAM emulator's own CPU per request at an account of N users (one run): the emulator in its own
 * process, driven by the product's RamClient (unlimited rate) with the per-person calls of an initial
 * sync (re-check by externalId, create, join a group for 1 in 3). CPU from /proc/<pid>/stat (Linux).
 * Usage: tsx test/bench/emulatorCost.bench.ts [users=20000] [measured window=1000]; run on its own, not by npm run bench (a minute of seeding).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRamClient } from '../../functions/lib/ram/RamClient';
import { parseRamConfig } from '../../functions/lib/ram/config';
import { emulatorEnv } from '../../infra/emulator/env';

const N = Number(process.argv[2] ?? 20000);
const WINDOW = Number(process.argv[3] ?? 1000);
const ROOT = path.resolve(__dirname, '../..');
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime+stime in 100 Hz ticks
};
async function main() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/emulator/main.ts')], {
    cwd: ROOT, env: { ...process.env, EMULATOR_PORT: '0', EMULATOR_STATE_FILE: '' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve) => child.stdout!.on('data', (d: Buffer) => {
    out += d.toString(); const m = /listening on (http:\/\/\S+)/.exec(out); if (m) resolve(m[1]!);
  }));
  const ram = createRamClient(parseRamConfig({ ...emulatorEnv(url), RAM_RATE_LIMIT: '1000000', RAM_CONCURRENCY: '16' }));
  await ram.createGroup({ groupName: 'engineering' });
  const person = async (i: number) => {
    const externalId = `file:p${i}`;
    await ram.findUserByExternalId(externalId);
    await ram.createUser({ userName: `person.${i}`, displayName: `Person ${i}`, externalId });
    if (i % 3 === 0) await ram.addUserToGroup('engineering', `person.${i}`);
  };
  const pool = async (from: number, to: number) => {
    let next = from;
    await Promise.all(Array.from({ length: 16 }, async () => { while (next < to) await person(next++); }));
  };
  const t0 = performance.now(); const c0 = cpuMs(child.pid!);
  await pool(0, N - WINDOW);
  const t1 = performance.now(); const c1 = cpuMs(child.pid!);
  await pool(N - WINDOW, N);
  const t2 = performance.now(); const c2 = cpuMs(child.pid!);
  const writes = WINDOW + Math.ceil(WINDOW / 3);
  const requests = writes + WINDOW;
  console.log(JSON.stringify({
    users: N, seedSeconds: +((t1 - t0) / 1000).toFixed(1), seedEmulatorCpuSeconds: (c1 - c0) / 1000,
    lastWindow: WINDOW, windowSeconds: +((t2 - t1) / 1000).toFixed(2),
    emulatorCpuMsPerRequest: +((c2 - c1) / requests).toFixed(3), emulatorCpuMsPerWrite: +((c2 - c1) / writes).toFixed(3),
  }));
  child.kill();
}
main().catch((e) => { console.error(e); process.exit(1); });
