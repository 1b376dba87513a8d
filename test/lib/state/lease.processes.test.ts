/**
 * Leases across real processes, each with its own FileStateStore on one directory (FC instances on
 * one NAS): mutual exclusion around a read-modify-write that has no atomicity of its own, takeover of
 * a lease whose holder died without releasing it, and a holder learning that it lost its lease.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import { Leases } from '../../../functions/lib/state/lease';
import { importPath, startTsxProcess } from '../../support/tsxProcess';


/** argv: stateDir, mode (count | crash | take), name. Prints one JSON line. */
const SCRIPT = `
import { FileStateStore } from ${importPath('functions/lib/state/FileStateStore.ts')};
import { Leases } from ${importPath('functions/lib/state/lease.ts')};

const [dir, mode, name] = process.argv.slice(2) as string[];
const state = new FileStateStore(dir!);
(async () => {
  console.log('ready');
  if (mode === 'count') {
    // A plain get-then-put: only the lease keeps increments from being lost.
    const leases = new Leases(state, { ttlMs: 10_000, owner: name });
    const generations: number[] = [];
    for (let i = 0; i < 10; i++) {
      const lease = await leases.acquire('counter', { timeoutMs: 30_000, pollMs: 2 });
      if (!lease) throw new Error('timed out');
      const n = (await state.get<number>('test/counter')) ?? 0;
      await new Promise((r) => setTimeout(r, 3));
      await state.put('test/counter', n + 1);
      generations.push(lease.generation);
      await lease.release();
    }
    console.log(JSON.stringify({ generations }));
  } else if (mode === 'crash') {
    const lease = await new Leases(state, { ttlMs: 400, owner: name }).tryAcquire('crashy');
    console.log(JSON.stringify({ generation: lease?.generation }));
    process.exit(0); // dies holding it
  } else {
    const lease = await new Leases(state, { ttlMs: 10_000, owner: name }).acquire('contested', { timeoutMs: 10_000, pollMs: 10 });
    console.log(JSON.stringify({ generation: lease?.generation }));
  }
})().catch((err) => { console.error(err); process.exit(1); });
`;

async function run(script: string, args: string[]): Promise<Record<string, unknown>> {
  const { code, out } = await startTsxProcess(script, args).done;
  if (code !== 0) throw new Error(`exited ${code}: ${out}`);
  return JSON.parse(out) as Record<string, unknown>;
}

describe('leases shared by processes on one state directory', () => {
  let dir: string;
  let script: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lease-proc-'));
    script = join(dir, 'holder.ts');
    await writeFile(script, SCRIPT);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('four processes: one holder at a time, so no read-modify-write under the lease is lost', async () => {
    const state = join(dir, 'nas');
    const reports = await Promise.all(['a', 'b', 'c', 'd'].map((name) => run(script, [state, 'count', name])));
    expect(await new FileStateStore(state).get('test/counter')).toBe(40);
    // Each acquisition got its own generation: 1..40, none twice.
    const generations = reports.flatMap((r) => r.generations as number[]).sort((x, y) => x - y);
    expect(generations).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  }, 60_000);

  it('a lease whose holder died is taken over once it expires, and not before', async () => {
    const state = join(dir, 'nas');
    expect(await run(script, [state, 'crash', 'dead'])).toEqual({ generation: 1 });
    const leases = new Leases(new FileStateStore(state), { ttlMs: 1_000, owner: 'next' });
    expect(await leases.tryAcquire('crashy')).toBeUndefined();
    const lease = await leases.acquire('crashy', { timeoutMs: 5_000, pollMs: 20 });
    expect(lease?.generation).toBe(2);
  }, 30_000);

  it('a holder whose lease expired and was taken by another process cannot renew it', async () => {
    const state = join(dir, 'nas');
    const mine = (await new Leases(new FileStateStore(state), { ttlMs: 300, owner: 'slow' }).tryAcquire('contested'))!;
    // The other process waits for the expiry and takes it.
    expect(await run(script, [state, 'take', 'other'])).toEqual({ generation: 2 });
    expect(await mine.renew()).toBe(false);
    await mine.release();
    expect(await new Leases(new FileStateStore(state), { ttlMs: 300 }).tryAcquire('contested')).toBeUndefined();
  }, 30_000);
});
