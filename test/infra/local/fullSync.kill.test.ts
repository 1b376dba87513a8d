/**
 * Issue 17's test: `npm run sync` killed with SIGKILL at random points (after a random number of its
 * writes reached RAM: between a write and its checkpoint, in the middle of a step, while checkpointing)
 * and run again until it
 * finishes, ends in exactly the state an uninterrupted run reaches, having sent RAM exactly the same
 * writes: none repeated, none lost. The emulator runs in this process and counts every write; the
 * CLI runs as its own process on a file source and a state directory, as an operator runs it.
 *
 * SEEDS=1,2,… picks the seeds (default 10); PEOPLE the company's size (default 240).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningEmulator, startRamEmulator } from '../../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../../infra/emulator/env';
import { mulberry32 } from '../../../infra/emulator/faults';
import { COMPANY_GROUPS, writeCompany } from '../../support/companyDirectory';

const ROOT = path.resolve(__dirname, '../../..');
const SEEDS = (process.env.SEEDS ?? '1,2,3,4,5,6,7,8,9,10').split(',').map(Number);
const PEOPLE = Number(process.env.PEOPLE ?? 240);

/** What RAM holds, without its ids. */
function ramView(emu: RunningEmulator): unknown {
  return {
    users: emu.state.users().map((u) => `${u.externalId} ${u.userName} ${u.displayName}`).sort(),
    groups: emu.state.snapshot().groups.map((g) => `${g.groupName}: ${[...g.members].sort().join(',')}`).sort(),
  };
}

describe('a full sync killed at random points', () => {
  let dir: string;
  let clean: { view: unknown; writes: Record<string, number> };

  const env = (emu: RunningEmulator, stateDir: string, directory: string): NodeJS.ProcessEnv => ({
    ...process.env, ...emulatorEnv(emu.url), STATE_DIR: stateDir, DIRECTORY_FILE: directory,
    RAM_RATE_LIMIT: '5000', RAM_CONCURRENCY: '8', SYNC_GROUP_RULES: COMPANY_GROUPS.map((r) => `${r.department}=${r.group}`).join(','),
    DEPROVISION_DELETED: 'delete', SAFEGUARD_MAX_DELETES: '1000', SAFEGUARD_MAX_DELETE_PERCENT: '100',
    // A killed run's lease lapses after a second, so the next attempt continues without a long wait.
    FULL_SYNC_LEASE_SECONDS: '1', FULL_SYNC_CHUNK_STEPS: '20',
  });
  const start = (e: NodeJS.ProcessEnv): { child: ChildProcess; exit: Promise<number | null>; output: () => string } => {
    let output = '';
    // node itself with tsx's loader: the tsx command would run the CLI in a grandchild that SIGKILL misses.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/cli/sync.ts')], { env: e, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    return { child, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))), output: () => output };
  };
  /** Writes by action, only the writes (the emulator counts reads in byAction too). */
  const writes = (emu: RunningEmulator, before: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [action, n] of Object.entries(emu.counters.byAction)) {
      const d = n - (before[action] ?? 0);
      if (d > 0 && /POST|PUT|PATCH|DELETE|Create|Add|Remove|Update|Delete|Set/.test(action)) out[action] = d;
    }
    return out;
  };
  /** An emulator holding the company before the change, and a state directory that synced it. */
  const before = async (name: string) => {
    const stateFile = path.join(dir, `${name}-emulator.json`);
    cpSync(path.join(dir, 'base-emulator.json'), stateFile);
    const emu = await startRamEmulator({ stateFile });
    const stateDir = path.join(dir, name);
    cpSync(path.join(dir, 'base-state'), stateDir, { recursive: true });
    return { emu, stateDir };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fullsync-kill-'));
    writeCompany(path.join(dir, 'a.json'), { people: PEOPLE });
    writeCompany(path.join(dir, 'b.json'), { people: PEOPLE, renameEvery: 7, leftEvery: 10, hires: PEOPLE / 4 });
    const emu = await startRamEmulator({});
    try {
      const run = start(env(emu, path.join(dir, 'base-state'), path.join(dir, 'a.json')));
      expect(await run.exit).toBe(0);
      writeFileSync(path.join(dir, 'base-emulator.json'), JSON.stringify(emu.state));
    } finally {
      await emu.close();
    }
    const { emu: fresh, stateDir } = await before('clean');
    try {
      const counted = { ...fresh.counters.byAction };
      const run = start(env(fresh, stateDir, path.join(dir, 'b.json')));
      expect(await run.exit).toBe(0);
      expect(run.output()).toMatch(/failed 0, staged 0/);
      clean = { view: ramView(fresh), writes: writes(fresh, counted) };
    } finally {
      await fresh.close();
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the change from a to b is a real mix of writes: renames, deletions, creations, group joins and leaves', () => {
    expect(Object.keys(clean.writes).length).toBeGreaterThanOrEqual(4);
  });

  it.each(SEEDS)('seed %i: killed up to 3 times, then finished: the uninterrupted end state, each write sent once', async (seed) => {
    const next = mulberry32(seed); // deterministic: a failing seed can be run again
    const { emu, stateDir } = await before(`seed-${seed}`);
    try {
      const counted = { ...emu.counters.byAction };
      const total = Object.values(clean.writes).reduce((a, b) => a + b, 0);
      let kills = 0;
      for (let attempt = 0; ; attempt++) {
        const run = start(env(emu, stateDir, path.join(dir, 'b.json')));
        if (attempt < 3) {
          // Kill once the account has seen a random number of this seed's writes (or while planning: 0).
          const done = Object.values(writes(emu, counted)).reduce((a, b) => a + b, 0);
          const target = done + Math.floor(next() * (total - done + 1) * 0.8);
          const killed = await new Promise<boolean>((resolve) => {
            const poll = setInterval(() => {
              const now = Object.values(writes(emu, counted)).reduce((a, b) => a + b, 0);
              if (now >= target && target > done) { clearInterval(poll); resolve(run.child.kill('SIGKILL')); }
            }, 1);
            run.exit.then(() => { clearInterval(poll); resolve(false); }, () => undefined);
          });
          await run.exit;
          if (killed) { kills++; continue; }
        }
        const code = await run.exit;
        expect({ code, output: code === 0 ? '' : run.output() }).toEqual({ code: 0, output: '' });
        break;
      }
      expect(ramView(emu)).toEqual(clean.view);
      expect(writes(emu, counted)).toEqual(clean.writes);
      expect(kills).toBeGreaterThan(0);
    } finally {
      await emu.close();
    }
  }, 120_000);
});
