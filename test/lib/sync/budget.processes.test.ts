/**
 * The shared deletion budget across real processes, as FC runs push: four instances at once, each
 * with its own FileStateStore on one directory (the NAS) and its own RAM client, deprovisioning
 * people who left. Whatever the operating system's interleaving, the window never holds more than
 * the limit and everyone else waits on the held list. Several rounds, since one lucky schedule
 * proves little.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES } from '../../../functions/lib/core/rules';
import type { SafeguardLedger } from '../../../functions/lib/core/safeguard';
import { createRamClient } from '../../../functions/lib/ram/RamClient';
import { parseRamConfig } from '../../../functions/lib/ram/config';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import type { SyncSettings } from '../../../functions/lib/sync/fullSync';
import { runFullSync } from '../../../functions/lib/sync/fullSync';
import { HeldList } from '../../../functions/lib/sync/heldList';
import { startRamEmulator } from '../../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../../infra/emulator/env';
import { ArraySource } from '../../support/ArraySource';
import { importPath, startTsxProcess } from '../../support/tsxProcess';

const ROUNDS = 5;
const PUSHES = 4;
const LEAVERS_PER_PUSH = 10;
const BATCH = 2;
const MAX_DELETES = 20;

const settings: SyncSettings = {
  rules: { ...DEFAULT_MAPPING_RULES, userName: ['{userName}'] },
  policy: DEFAULT_DEPROVISION_POLICY,
  safeguard: { maxDeletes: MAX_DELETES, maxDeletePercent: 100, windowMinutes: 60 },
};
const person = (i: number): Identity => ({
  source: 'file', sourceId: `p${String(i).padStart(2, '0')}`, userName: `person-${i}`, displayName: `Person ${i}`,
  departmentIds: [], status: 'active',
});
const people = Array.from({ length: 60 }, (_, i) => person(i));
/** Push n's leavers: ten people no other push names. */
const leaversOf = (n: number) => people.slice(n * LEAVERS_PER_PUSH, (n + 1) * LEAVERS_PER_PUSH);
const leavers = people.slice(0, PUSHES * LEAVERS_PER_PUSH);
const stayers = people.slice(PUSHES * LEAVERS_PER_PUSH);
const externalId = (p: Identity) => `file:${p.sourceId}`;

/**
 * One push instance: builds its clients, says "ready", waits for the go file, then runs its batches
 * through syncChanges one after another and prints what each step came to.
 * argv: stateDir, emulator url, world file, go file, name, leaver source ids…
 */
const PUSH_SCRIPT = `
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { syncChanges } from ${importPath('functions/lib/sync/changeSync.ts')};
import { FileStateStore } from ${importPath('functions/lib/state/FileStateStore.ts')};
import { createRamClient } from ${importPath('functions/lib/ram/RamClient.ts')};
import { parseRamConfig } from ${importPath('functions/lib/ram/config.ts')};
import { emulatorEnv } from ${importPath('infra/emulator/env.ts')};
import { ArraySource } from ${importPath('test/support/ArraySource.ts')};

const [stateDir, url, worldFile, goFile, name, ...ids] = process.argv.slice(2) as string[];
(async () => {
  const world = JSON.parse(await readFile(worldFile!, 'utf8'));
  const target = createRamClient(parseRamConfig({ ...emulatorEnv(url!), RAM_RATE_LIMIT: '10000' }));
  const state = new FileStateStore(stateDir!);
  const source = new ArraySource('file', world.people);
  console.log('ready');
  while (!existsSync(goFile!)) await new Promise((r) => setTimeout(r, 2));
  const outcomes: unknown[] = [];
  const started = Date.now();
  for (let b = 0; b * ${BATCH} < ids.length; b++) {
    const changes = ids.slice(b * ${BATCH}, (b + 1) * ${BATCH}).map((sourceId) => ({ source: 'file' as const, kind: 'user' as const, sourceId, reason: 'user_leave_org' }));
    const report = await syncChanges({
      changes, sources: [source], target, state, settings: world.settings,
      runId: 'push-' + name, changeId: 'msg-' + name + '-' + b, log: () => undefined,
    });
    for (const o of report.result.outcomes) if (o.step.kind === 'user') outcomes.push({ externalId: o.step.externalId, action: o.step.action, status: o.status });
  }
  console.log(JSON.stringify({ started, ended: Date.now(), outcomes }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface PushReport {
  started: number;
  ended: number;
  outcomes: { externalId: string; action: string; status: string }[];
}

/** Starts one push process; resolves `ready` once it is set up, `done` with its report when it exits 0. */
function startPush(script: string, args: string[]) {
  const { ready, done } = startTsxProcess(script, args);
  return {
    ready,
    done: done.then(({ code, out }) => {
      if (code !== 0) throw new Error(`push ${args[4]} exited with ${code}: ${out}`);
      return JSON.parse(out) as PushReport;
    }),
  };
}

describe('the deletion budget shared by four push processes on one state directory', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'budget-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it(`spends exactly the limit of ${MAX_DELETES} and holds the other ${PUSHES * LEAVERS_PER_PUSH - MAX_DELETES}, in each of ${ROUNDS} rounds`, async () => {
    const script = join(dir, 'push.ts');
    await writeFile(script, PUSH_SCRIPT);
    let overlappingRounds = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const emulator = await startRamEmulator();
      try {
        const roundDir = join(dir, `round-${round}`);
        const stateDir = join(roundDir, 'nas');
        const worldFile = join(roundDir, 'world.json');
        const goFile = join(roundDir, 'go');
        const ram = createRamClient(parseRamConfig({ ...emulatorEnv(emulator.url), RAM_RATE_LIMIT: '10000' }));

        // Everyone provisioned by a full sync, which also records the managed count for push.
        const full = await runFullSync({
          sources: [new ArraySource('file', people)], target: ram, state: new FileStateStore(stateDir), settings,
          dryRun: false, runId: `full-${round}`, log: () => undefined,
        });
        expect(full.result?.summary).toMatchObject({ created: 60, failed: 0 });

        // Then 40 leave at once; four instances each get ten of them, in batches of two.
        await writeFile(worldFile, JSON.stringify({ people: stayers, settings }));
        const pushes = Array.from({ length: PUSHES }, (_, n) => startPush(script, [
          stateDir, emulator.url, worldFile, goFile, `${round}-${n}`, ...leaversOf(n).map((p) => p.sourceId),
        ]));
        await Promise.all(pushes.map((p) => p.ready));
        await writeFile(goFile, '');
        const reports = await Promise.all(pushes.map((p) => p.done));

        const remaining = new Set(emulator.state.users().map((u) => u.externalId));
        const deleted = leavers.map(externalId).filter((id) => !remaining.has(id));
        const held = (await new HeldList(new FileStateStore(stateDir)).entries()).map((e) => e.externalId);
        const ledger = await new FileStateStore(stateDir).get<SafeguardLedger>('safeguard/ledger');

        expect(deleted).toHaveLength(MAX_DELETES);
        expect([...deleted, ...held].sort()).toEqual(leavers.map(externalId).sort());
        expect(deleted.filter((id) => held.includes(id))).toEqual([]);
        expect(Object.keys(ledger?.spent ?? {}).sort()).toEqual([...deleted].sort());
        for (const p of stayers) expect(remaining.has(externalId(p))).toBe(true);

        // Each instance was told the same story: what it deleted is gone, what it staged is held.
        const outcomes = reports.flatMap((r) => r.outcomes);
        expect(outcomes.filter((o) => o.action === 'delete' && o.status === 'succeeded').map((o) => o.externalId).sort()).toEqual([...deleted].sort());
        expect(outcomes.filter((o) => o.action === 'delete' && o.status === 'staged').map((o) => o.externalId).sort()).toEqual([...held].sort());
        expect(outcomes).toHaveLength(PUSHES * LEAVERS_PER_PUSH);

        if (Math.max(...reports.map((r) => r.started)) < Math.min(...reports.map((r) => r.ended))) overlappingRounds += 1;
      } finally {
        await emulator.close();
      }
    }
    // The scenario is only worth its time if the instances really ran at the same time.
    expect(overlappingRounds).toBeGreaterThan(0);
  }, 120_000);
});
