import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateStore } from '../../../functions/lib/core/ports';
import { FileStateStore, MemoryStateStore } from '../../../functions/lib/state';
import { Leases, type LeaseRecord } from '../../../functions/lib/state/lease';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe.each([
  ['FileStateStore', async (): Promise<StateStore> => {
    const dir = await mkdtemp(join(tmpdir(), 'lease-'));
    dirs.push(dir);
    return new FileStateStore(dir);
  }],
  ['MemoryStateStore', async (): Promise<StateStore> => new MemoryStateStore()],
])('leases on %s', (_name, makeStore) => {
  let state: StateStore;
  let clock: number;
  const leases = (owner: string, ttlMs = 1_000) => new Leases(state, { ttlMs, owner, now: () => clock });
  beforeEach(async () => {
    state = await makeStore();
    clock = 1_000_000;
  });

  it('hands a free lease to one holder at a time, and to the next after release', async () => {
    const a = await leases('a').tryAcquire('person/file:1');
    expect(a).toMatchObject({ key: 'lease/person/file:1', owner: 'a', generation: 1, expiresAt: clock + 1_000 });
    expect(await leases('b').tryAcquire('person/file:1')).toBeUndefined();
    // Not re-entrant: a second acquisition in the same process is another holder.
    const sameOwner = leases('a');
    expect(await sameOwner.tryAcquire('person/file:1')).toBeUndefined();
    // Other names are independent.
    expect(await leases('b').tryAcquire('person/file:2')).toBeDefined();

    await a!.release();
    const b = await leases('b').tryAcquire('person/file:1');
    expect(b).toMatchObject({ owner: 'b', generation: 2 });
  });

  it('lets another owner take an expired lease over; the old holder then learns it lost it', async () => {
    const a = (await leases('a').tryAcquire('oauth/refresh'))!;
    clock += 999;
    expect(await leases('b').tryAcquire('oauth/refresh')).toBeUndefined();
    clock += 1;
    const b = (await leases('b').tryAcquire('oauth/refresh'))!;
    expect(b.generation).toBe(2);

    expect(await a.renew()).toBe(false);
    await a.release(); // not ours any more: changes nothing
    expect(await leases('c').tryAcquire('oauth/refresh')).toBeUndefined();
    expect(await state.get<LeaseRecord>('lease/oauth/refresh')).toMatchObject({ owner: 'b', generation: 2 });
    expect(await b.renew()).toBe(true);
  });

  it('renew extends the lease from now', async () => {
    const a = (await leases('a').tryAcquire('x'))!;
    clock += 800;
    expect(await a.renew()).toBe(true);
    expect(a.expiresAt).toBe(clock + 1_000);
    clock += 800; // past the first expiry, within the renewed one
    expect(await leases('b').tryAcquire('x')).toBeUndefined();
    // Expired but not taken: still ours to renew.
    clock += 5_000;
    expect(await a.renew()).toBe(true);
    expect(await leases('b').tryAcquire('x')).toBeUndefined();
  });

  it('leaves one released record per name, not a lease nobody can take', async () => {
    const a = (await leases('a').tryAcquire('x'))!;
    await a.release();
    expect(await a.renew()).toBe(false);
    expect(await state.list('lease/')).toEqual(['lease/x']);
    expect(await state.get<LeaseRecord>('lease/x')).toEqual({ owner: '', holder: '', generation: 1, expiresAt: 0, releasedAt: clock });
  });

  it('tells the next holder when the previous one released it (a read taken before then may be stale)', async () => {
    expect((await leases('a').tryAcquire('y'))!.previousReleasedAt).toBeUndefined();
    const first = (await leases('a').tryAcquire('z'))!;
    clock += 10;
    await first.release();
    const second = (await leases('b').tryAcquire('z'))!;
    expect(second.previousReleasedAt).toBe(clock);
  });

  it('acquire waits until the holder releases', async () => {
    const a = (await leases('a').tryAcquire('x'))!;
    const waiting = leases('b').acquire('x', { timeoutMs: 5_000, pollMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    await a.release();
    expect(await waiting).toMatchObject({ owner: 'b', generation: 2 });
  });

  it('acquire gives up after its timeout, or when aborted', async () => {
    await leases('a').tryAcquire('x');
    const started = performance.now();
    expect(await leases('b').acquire('x', { timeoutMs: 60, pollMs: 5 })).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);

    const abort = new AbortController();
    const waiting = leases('b').acquire('x', { timeoutMs: 60_000, pollMs: 5, signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    expect(await waiting).toBeUndefined();
  });
});

describe('Leases', () => {
  it('gives each instance its own default owner', () => {
    const state = new MemoryStateStore();
    expect(new Leases(state, { ttlMs: 1 }).owner).not.toBe(new Leases(state, { ttlMs: 1 }).owner);
    expect(() => new Leases(state, { ttlMs: 0 })).toThrow(RangeError);
  });
});
