/**
 * FileStateStore's versioned records are pruned: a record written thousands of times keeps a bounded
 * number of files, concurrent writers in real processes still lose nothing, a stale writer (frozen
 * after reading a version, thawed after others removed the next name) is refused and retries, and a
 * record in the layout before pruning (versions 1..n, old ones emptied, no floor) is read, updated
 * and pruned.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore, KEEP_VERSIONS } from '../../../functions/lib/state/FileStateStore';
import { versionedDirNameForKey } from '../../../functions/lib/state/keys';
import { importPath, startTsxProcess } from '../../support/tsxProcess';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'state-versions-')); });
afterEach(async () => rm(dir, { recursive: true, force: true }));

const bump = (c: number | undefined) => (c ?? 0) + 1;
/** Version numbers in the record's directory, sorted, and what else is there. */
async function versionFiles(key: string): Promise<{ versions: number[]; others: string[] }> {
  const names = await readdir(join(dir, versionedDirNameForKey(key)));
  return {
    versions: names.filter((n) => /^\d+\.json$/.test(n)).map((n) => Number.parseInt(n, 10)).sort((a, b) => a - b),
    others: names.filter((n) => !/^\d+\.json$/.test(n)).sort(),
  };
}

describe('FileStateStore: pruned versions', () => {
  it('a record updated 5,000 times keeps at most KEEP + 2 × pruneEvery versions, the newest ones', async () => {
    const store = new FileStateStore(dir, { pruneGraceMs: 0 });
    for (let i = 0; i < 5_000; i++) await store.update('lease/full-sync', bump, { durable: false });
    const { versions, others } = await versionFiles('lease/full-sync');
    expect(others).toEqual(['floor']);
    expect(versions.length).toBeLessThanOrEqual(KEEP_VERSIONS + 2 * 128);
    expect(versions.at(-1)).toBe(5_000);
    // What is left is one unbroken run up to the newest: probing from the floor finds it.
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => versions[0]! + i));
    expect(await new FileStateStore(dir).get('lease/full-sync')).toBe(5_000);
    expect(await new FileStateStore(dir).update('lease/full-sync', bump)).toBe(5_001);
  }, 120_000);

  it('four processes incrementing one record pruned every 16 versions lose no increment and leave few files', async () => {
    const script = join(dir, 'incrementer.ts');
    await writeFile(script, [
      `import { FileStateStore } from ${importPath('functions/lib/state/FileStateStore.ts')};`,
      `const store = new FileStateStore(process.argv[2]!, { pruneEvery: 16, pruneGraceMs: 0 });`,
      `console.log('ready');`,
      `(async () => { for (let i = 0; i < 150; i++) await store.update<number>('ram/rate-budget', (c) => (c ?? 0) + 1, { durable: false }); })()`,
      `  .then(() => console.log('done'), (err) => { console.error(err); process.exit(1); });`,
    ].join('\n'));
    const state = join(dir, 'nas');
    const runs = ['a', 'b', 'c', 'd'].map(() => startTsxProcess(script, [state]).done);
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 4 }, () => ({ code: 0, out: 'done' })));
    expect(await new FileStateStore(state).get('ram/rate-budget')).toBe(600);
    dir = state; // versionFiles reads under `dir`; the temp root is still removed (it holds `state`)
    const { versions, others } = await versionFiles('ram/rate-budget');
    expect(others).toEqual(['floor']);
    expect(versions.at(-1)).toBe(600);
    expect(versions.length).toBeLessThanOrEqual(KEEP_VERSIONS + 2 * 16);
    dir = join(state, '..');
  }, 120_000);

  it('a writer frozen after reading a version, thawed after others removed the next name, is refused and retries', async () => {
    const key = 'lease/person/ad:1';
    const store = new FileStateStore(dir, { pruneEvery: 16, pruneGraceMs: 0 });
    for (let i = 0; i < 5; i++) await store.update(key, bump);
    const paused = join(dir, 'paused');
    const go = join(dir, 'go');
    const script = join(dir, 'stale.ts');
    // The change function is synchronous: blocking in it freezes the writer between its read and its link.
    await writeFile(script, [
      `import { existsSync, writeFileSync } from 'node:fs';`,
      `import { FileStateStore } from ${importPath('functions/lib/state/FileStateStore.ts')};`,
      `const store = new FileStateStore(${JSON.stringify(dir)}, { pruneEvery: 16, pruneGraceMs: 0 });`,
      `const seen: (number | undefined)[] = [];`,
      `console.log('ready');`,
      `store.update<number>(${JSON.stringify(key)}, (c) => {`,
      `  seen.push(c);`,
      `  if (seen.length === 1) {`,
      `    writeFileSync(${JSON.stringify(paused)}, '');`,
      `    while (!existsSync(${JSON.stringify(go)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);`,
      `  }`,
      `  return (c ?? 0) + 1;`,
      `}).then((stored) => console.log(JSON.stringify({ seen, stored })), (err) => { console.error(err); process.exit(1); });`,
    ].join('\n'));
    const stale = startTsxProcess(script, []);
    await stale.ready;
    while (!existsSync(paused)) await new Promise((r) => setTimeout(r, 10));

    // It read version 5 and will link version 6. Meanwhile the record moves on 200 versions and is pruned.
    for (let i = 0; i < 200; i++) await store.update(key, bump, { durable: false });
    const vdir = join(dir, versionedDirNameForKey(key));
    expect(existsSync(join(vdir, '6.json'))).toBe(false); // its link will succeed: only the floor can refuse it
    await writeFile(go, '');

    const { code, out } = await stale.done;
    expect(code).toBe(0);
    // Refused at 6, it read again and applied its change to the newest value: nothing lost, nothing stale kept.
    expect(JSON.parse(out)).toEqual({ seen: [5, 205], stored: 206 });
    expect(await new FileStateStore(dir).get(key)).toBe(206);
    expect(existsSync(join(vdir, '6.json'))).toBe(false);
  }, 60_000);

  it('a reader that last saw a removed version never answers what a stale writer linked there meanwhile', async () => {
    const key = 'lease/person/ad:2';
    const reader = new FileStateStore(dir, { pruneEvery: 16, pruneGraceMs: 0 });
    const others = new FileStateStore(dir, { pruneEvery: 16, pruneGraceMs: 0 });
    for (let i = 0; i < 5; i++) await reader.update(key, bump);
    for (let i = 0; i < 200; i++) await others.update(key, bump, { durable: false });
    // A stale writer's link of 6 between its success and its check of the floor: the reader probes from 5.
    await writeFile(join(dir, versionedDirNameForKey(key), '6.json'), JSON.stringify(6));
    expect(await reader.get(key)).toBe(205);
    expect(await reader.update(key, bump)).toBe(206);
  });

  it('a floor lowered by a stalled pruner (naming a removed version) stops no fresh process, and the next round raises it again', async () => {
    const key = 'ram/rate-budget';
    const store = new FileStateStore(dir, { pruneEvery: 16, pruneGraceMs: 0 });
    for (let i = 0; i < 200; i++) await store.update(key, bump, { durable: false });
    const floorFile = join(dir, versionedDirNameForKey(key), 'floor');
    const raised = JSON.parse(await readFile(floorFile, 'utf8')) as { floor: number };
    expect(raised.floor).toBe(184);
    // What a pruner of round 1, stalled between its check and its rename, leaves: versions 8..167 are gone.
    await writeFile(floorFile, JSON.stringify({ ...raised, floor: 8 }));
    const fresh = new FileStateStore(dir, { pruneEvery: 16, pruneGraceMs: 0 });
    expect(await fresh.get(key)).toBe(200);
    for (let i = 0; i < 8; i++) await fresh.update(key, bump, { durable: false });
    expect(JSON.parse(await readFile(floorFile, 'utf8'))).toMatchObject({ floor: 200 });
    expect(await new FileStateStore(dir).get(key)).toBe(208);
  });

  it('a record in the layout before pruning (versions 1..n, old ones emptied, no floor) is read, updated and pruned', async () => {
    const key = 'safeguard/ledger';
    // What the release before pruning left: every version kept, all but the newest eight emptied.
    const old = new FileStateStore(dir, { pruneEvery: 0 });
    for (let i = 0; i < 300; i++) await old.update<{ n: number }>(key, (c) => ({ n: (c?.n ?? 0) + 1 }), { durable: false });
    const vdir = join(dir, versionedDirNameForKey(key));
    for (let n = 1; n <= 300 - KEEP_VERSIONS; n++) await writeFile(join(vdir, `${n}.json`), '');
    expect(await versionFiles(key)).toEqual({ versions: Array.from({ length: 300 }, (_, i) => i + 1), others: [] });

    const store = new FileStateStore(dir, { pruneEvery: 16, pruneGraceMs: 0 });
    expect(await store.get(key)).toEqual({ n: 300 });
    for (let i = 0; i < 60; i++) await store.update<{ n: number }>(key, (c) => ({ n: (c?.n ?? 0) + 1 }));
    expect(await new FileStateStore(dir).get(key)).toEqual({ n: 360 });
    // Caught up in a few rounds of at most 8 × 16 names each: the emptied versions are gone.
    const { versions, others } = await versionFiles(key);
    expect(others).toEqual(['floor']);
    expect(versions.at(-1)).toBe(360);
    expect(versions.length).toBeLessThanOrEqual(KEEP_VERSIONS + 2 * 16);
  }, 60_000);

  it('strays a listing shows are deleted now and then: an old version a crashed pruner left, a crashed writer\'s temp file', async () => {
    const key = 'lease/full-sync';
    const store = new FileStateStore(dir, { pruneEvery: 16, pruneGraceMs: 0 });
    for (let i = 0; i < 100; i++) await store.update(key, bump, { durable: false });
    const vdir = join(dir, versionedDirNameForKey(key));
    await writeFile(join(vdir, '3.json'), '3'); // swept long ago, back as if a pruner had crashed before removing it
    await writeFile(join(vdir, '.tmp-0123456789abcdef'), '{"torn');
    await utimes(join(vdir, '.tmp-0123456789abcdef'), new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    await writeFile(join(vdir, '.tmp-fedcba9876543210'), '{"in progress'); // a writer's, just now: kept
    for (let i = 0; i < 160; i++) await store.update(key, bump, { durable: false }); // through version 256, a 16th round
    const { versions, others } = await versionFiles(key);
    expect(versions[0]).toBeGreaterThan(3);
    expect(others).toEqual(['.tmp-fedcba9876543210', 'floor']);
    expect(await store.get(key)).toBe(260);
  });

  it('a record whose first floor is younger than the grace period keeps its versions (a release without pruning may still run)', async () => {
    const store = new FileStateStore(dir, { pruneEvery: 16 });
    for (let i = 0; i < 100; i++) await store.update('k', bump, { durable: false });
    const { versions, others } = await versionFiles('k');
    expect(versions).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(others).toEqual(['floor']);
    expect(await new FileStateStore(dir).get('k')).toBe(100);
  });

  it('refuses a prune interval that would remove versions a reader may still need', () => {
    expect(() => new FileStateStore(dir, { pruneEvery: KEEP_VERSIONS })).toThrow(RangeError);
    expect(() => new FileStateStore(dir, { pruneEvery: 0 })).not.toThrow();
  });
});
