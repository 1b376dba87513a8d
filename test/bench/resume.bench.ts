/**
 * The resumable full sync at scale (issue 17): an initial full sync of N people against the RAM
 * emulator (its own process) with the product's limiter at RATE requests/s; achieved writes/s as a
 * ratio of RATE, and this process's peak memory. Then the same sync stopped at ~50 % (checkpointed, as
 * an invocation's deadline stops it) and finished two ways, each on a fresh account: resumed from the
 * checkpoint (no planning; one RAM listing for the re-check) or restarted (the unfinished run
 * discarded, everything listed and planned again, as before issue 17).
 * Usage: [RAM_CONCURRENCY=16] tsx test/bench/resume.bench.ts [N=100000] [RATE=2000] [initial|all=all]
 * (`initial` measures only the first sync: rate and memory for sizes where the rest takes too long).
 * RAM_CONCURRENCY: RAM calls in flight (16 here, the product's default 8): at 2,000/s, 16 leave the
 * rate short of reach (one run at 100,000: ×0.76 with 16, ×0.89 with 48).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RamTarget, StateStore } from '../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../functions/lib/core/rules';
import { createRamClient } from '../../functions/lib/ram/RamClient';
import { parseRamConfig } from '../../functions/lib/ram/config';
import { createFileSource } from '../../functions/lib/sources/file';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { type FullSyncRun, type SyncSettings, discardUnfinished, runFullSync } from '../../functions/lib/sync/fullSync';
import { emulatorEnv } from '../../infra/emulator/env';
import { COMPANY_GROUPS, writeCompany } from '../support/companyDirectory';

const people = Number(process.argv[2] ?? 100_000);
const rate = Number(process.argv[3] ?? 2000);
const phases = process.argv[4] ?? 'all';
const ROOT = path.resolve(__dirname, '../..');
const WRITES = new Set(['createUser', 'replaceUser', 'deleteUser', 'createGroup', 'addUserToGroup', 'removeUserFromGroup']);
const settings: SyncSettings = {
  rules: { ...DEFAULT_MAPPING_RULES, groups: COMPANY_GROUPS }, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD,
};

/** The emulator in a process of its own, so it does not share this one's event loop or memory. */
async function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/emulator/main.ts')], {
    cwd: ROOT, env: { ...process.env, EMULATOR_PORT: '0', EMULATOR_STATE_FILE: '' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`emulator ended: ${out}`)));
  });
  return { url, child };
}

/** A process's CPU seconds so far (Linux /proc; undefined elsewhere). */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in 100 Hz ticks
  } catch {
    return undefined;
  }
}

/**
 * The RAM client at the configured rate, counting calls per method. Its budget is the account's
 * bucket in the state store, as in FC (every instance on the NAS shares RAM_RATE_LIMIT).
 */
function countedTarget(url: string, state: StateStore): { target: RamTarget; calls: Record<string, number> } {
  const ram = createRamClient(parseRamConfig({ ...emulatorEnv(url), RAM_RATE_LIMIT: String(rate), RAM_CONCURRENCY: process.env.RAM_CONCURRENCY || '16' }), { stateStore: state });
  const calls: Record<string, number> = {};
  const target = new Proxy(ram, {
    get(t, name, receiver) {
      const value = Reflect.get(t, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => { calls[String(name)] = (calls[String(name)] ?? 0) + 1; return value.apply(t, args); };
    },
  }) as RamTarget;
  return { target, calls };
}

const sum = (calls: Record<string, number>, pick: (name: string) => boolean) =>
  Object.entries(calls).filter(([n]) => pick(n)).reduce((a, [, c]) => a + c, 0);

/** One account and one state directory, torn down after `work`. */
async function onFreshAccount<T>(
  work: (run: Omit<FullSyncRun, 'runId' | 'dryRun'>, calls: Record<string, number>, emulatorPid?: number) => Promise<T>,
): Promise<T> {
  const { url, child } = await startEmulator();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'resume-bench-state-'));
  try {
    const state = new FileStateStore(stateDir);
    const { target, calls } = countedTarget(url, state);
    return await work({
      sources: [createFileSource(directory)], target, state, settings, log: () => undefined,
      concurrency: 32, chunkSteps: 200,
    }, calls, child.pid);
  } finally {
    child.kill();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Runs until half the plan's steps are done, then stops at a chunk boundary, checkpointed. */
async function halfWay(run: Omit<FullSyncRun, 'runId' | 'dryRun'>): Promise<number> {
  let done = 0;
  let total = Infinity;
  const report = await runFullSync({
    ...run, runId: 'half', dryRun: false, onPlan: (plan) => { total = plan.steps.length; }, onStep: () => { done++; },
    deadline: 1, now: () => (done >= total / 2 ? 10_000 : -10_000),
  });
  if (report.progress?.finished) throw new Error('the half-way run finished');
  return report.progress!.done;
}

const dir = mkdtempSync(path.join(tmpdir(), 'resume-bench-'));
const directory = path.join(dir, 'directory.json');

async function main() {
  writeCompany(directory, { people });

  const initial = await onFreshAccount(async (run, calls, emulatorPid) => {
    let plannedAt = 0;
    let cpuAtPlan = process.cpuUsage();
    let emulatorCpuAtPlan: number | undefined;
    const began = performance.now();
    const report = await runFullSync({ ...run, runId: 'initial', dryRun: false, onPlan: () => {
      plannedAt = performance.now(); cpuAtPlan = process.cpuUsage(); emulatorCpuAtPlan = cpuSecondsOf(emulatorPid);
    } });
    const ended = performance.now();
    const cpu = process.cpuUsage(cpuAtPlan);
    const emulatorCpu = (cpuSecondsOf(emulatorPid) ?? NaN) - (emulatorCpuAtPlan ?? NaN);
    const applySeconds = (ended - plannedAt) / 1000;
    const writes = sum(calls, (n) => WRITES.has(n));
    return {
      steps: report.plan.steps.length, created: report.result!.summary.created, failed: report.result!.summary.failed,
      planSeconds: round((plannedAt - began) / 1000), applySeconds: round(applySeconds), totalSeconds: round((ended - began) / 1000),
      writes, writesPerSecond: round(writes / applySeconds), ratioToRate: round(writes / applySeconds / rate, 3),
      // The sync's own CPU while applying, as a share of the wall time: well under 1 means it waits on
      // the rate limit or on the emulator, not on itself.
      syncCpuShare: round((cpu.user + cpu.system) / 1e6 / applySeconds, 2),
      // The emulator's (its own process): with the sync's, what the rate asks of this machine's cores.
      emulatorCpuShare: round(emulatorCpu / applySeconds, 2),
    };
  });
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  if (phases === 'initial') {
    console.log(JSON.stringify({ bench: 'resume', people, rate, initial, peakRssMb }));
    return;
  }

  const resumed = await onFreshAccount(async (run, calls) => {
    const stoppedAt = await halfWay(run);
    const before = { ...calls };
    const began = performance.now();
    const report = await runFullSync({ ...run, runId: 'resume', dryRun: false });
    const seconds = (performance.now() - began) / 1000;
    const delta = Object.fromEntries(Object.entries(calls).map(([n, c]) => [n, c - (before[n] ?? 0)]));
    return {
      stoppedAt, seconds: round(seconds), finished: report.progress?.finished, created: report.result!.summary.created,
      writes: sum(delta, (n) => WRITES.has(n)), reads: sum(delta, (n) => !WRITES.has(n)),
    };
  });

  const restarted = await onFreshAccount(async (run, calls) => {
    const stoppedAt = await halfWay(run);
    await discardUnfinished(run.state);
    const before = { ...calls };
    const began = performance.now();
    const report = await runFullSync({ ...run, runId: 'restart', dryRun: false });
    const seconds = (performance.now() - began) / 1000;
    const delta = Object.fromEntries(Object.entries(calls).map(([n, c]) => [n, c - (before[n] ?? 0)]));
    return {
      stoppedAt, seconds: round(seconds), finished: report.progress?.finished, created: report.result!.summary.created,
      writes: sum(delta, (n) => WRITES.has(n)), reads: sum(delta, (n) => !WRITES.has(n)),
    };
  });

  console.log(JSON.stringify({
    bench: 'resume', people, rate, initial, peakRssMb, resumed, restarted,
    savedSeconds: round(restarted.seconds - resumed.seconds), resumedToRestarted: round(resumed.seconds / restarted.seconds, 3),
  }));
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

main().then(() => rmSync(dir, { recursive: true, force: true }), (error) => { console.error(error); process.exit(1); });
