import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { maskId, serializeError } from '../../../functions/lib/core/redact';
import { FileStateStore, StateCorruptError, StateIoError } from '../../../functions/lib/state';
import { fileNameForKey, versionedDirNameForKey } from '../../../functions/lib/state/keys';

const ROOT = resolve(__dirname, '../../..');
let dir: string;
let store: FileStateStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-state-'));
  store = new FileStateStore(dir);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('FileStateStore', () => {
  it('creates its directory on the first write', async () => {
    const nested = join(dir, 'nas', 'ram-scim-sync');
    const late = new FileStateStore(nested);
    expect(await late.list('')).toEqual([]);
    await late.put('ad/watermark', { usn: '1' });
    expect((await stat(nested)).isDirectory()).toBe(true);
    expect(await new FileStateStore(nested).get('ad/watermark')).toEqual({ usn: '1' });
  });

  it('stores odd keys as one flat file each, inside its directory, and lists them back', async () => {
    const keys = [
      'suspension/ad:3F2504E0-4F89-11D3-9A0C-0305E82C3301', 'suspension/dingtalk:manager 7', 'oauth/refresh-token',
      'a/b/c/d', 'ключ/值/🙂', '%2F..%2F', '_under_score_', 'MiXeD/Case', 'dots.in.name.json', '.hidden',
      'back\\slash', 'new\nline', 'q"u\'o`t*e?s<>|', 'a/...', '..a/b..', 'CON', '~tilde!(x)',
    ];
    for (const [i, key] of keys.entries()) await store.put(key, { i });
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toEqual({ i });
    expect(await store.list('')).toEqual([...keys].sort());

    const names = await readdir(dir, { withFileTypes: true });
    expect(names).toHaveLength(keys.length);
    for (const entry of names) {
      expect(entry.isFile()).toBe(true);
      expect(entry.name).toMatch(/^[a-z0-9%_-]+\.json$/);
    }
  });

  it('survives a crash that left a temp file behind', async () => {
    await store.put('ad/watermark', { usn: 'good' });
    // What a crash between open and rename leaves: a half-written temp file beside the record.
    await writeFile(join(dir, '.tmp-0123456789abcdef'), '{"usn": "torn');
    expect(await store.get('ad/watermark')).toEqual({ usn: 'good' });
    expect(await store.list('')).toEqual(['ad/watermark']);
    await store.put('ad/watermark', { usn: 'next' });
    expect(await store.get('ad/watermark')).toEqual({ usn: 'next' });
  });

  it('never leaves a torn value when the writing process is killed mid-put', async () => {
    const big = (tag: string) => ({ tag, pad: tag.repeat(200_000) });
    await store.put('ad/watermark', big('a'));
    const script = join(dir, 'writer.ts');
    await writeFile(script, [
      `import { FileStateStore } from ${JSON.stringify(join(ROOT, 'functions/lib/state/FileStateStore.ts'))};`,
      `const store = new FileStateStore(${JSON.stringify(dir)});`,
      `const big = (tag: string) => ({ tag, pad: tag.repeat(200_000) });`,
      `(async () => { for (let i = 0; ; i++) { await store.put('ad/watermark', big(i % 2 ? 'a' : 'b')); if (i === 0) console.log('writing'); } })();`,
    ].join('\n'));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((done) => child.once('exit', done));
    await new Promise<void>((ready, fail) => {
      child.stdout.once('data', () => ready());
      child.once('exit', (code) => fail(new Error(`writer exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await exited;

    const value = await store.get<{ tag: string; pad: string }>('ad/watermark');
    expect(['a', 'b']).toContain(value?.tag);
    expect(value).toEqual(big(value!.tag));
    expect(await store.list('')).toEqual(['ad/watermark']);
  });

  it('ends concurrent puts to one key with one complete value and no temp files', async () => {
    const other = new FileStateStore(dir);
    const values = Array.from({ length: 40 }, (_, i) => ({ writer: i, pad: String(i).repeat(50_000) }));
    await Promise.all(values.map((v, i) => (i % 2 ? other : store).put('suspension/ad:1', v)));
    const final = await store.get<{ writer: number }>('suspension/ad:1');
    expect(values).toContainEqual(final);
    expect(await readdir(dir)).toEqual([fileNameForKey('suspension/ad:1')]);
  });

  it('update: four processes incrementing one record lose no increment (compare-and-swap by link)', async () => {
    const script = join(dir, 'incrementer.ts');
    await writeFile(script, [
      `import { FileStateStore } from ${JSON.stringify(join(ROOT, 'functions/lib/state/FileStateStore.ts'))};`,
      `const store = new FileStateStore(${JSON.stringify(dir)});`,
      `(async () => { for (let i = 0; i < 60; i++) await store.update<{ n: number; by: string[] }>('safeguard/ledger',`,
      `  (c) => ({ n: (c?.n ?? 0) + 1, by: [...(c?.by ?? []), process.argv[2]!].slice(-5) })); })();`,
    ].join('\n'));
    const runs = ['a', 'b', 'c', 'd'].map((name) => new Promise<number | null>((done) => {
      spawn(process.execPath, ['--import', 'tsx', script, name], { cwd: ROOT, stdio: 'inherit' }).once('exit', done);
    }));
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
    expect((await store.get<{ n: number }>('safeguard/ledger'))?.n).toBe(240);
    // Every number was used once, none removed yet (the record's first floor, announced at 128, is
    // younger than the grace period), and no temp file is left.
    const versionDir = join(dir, 'safeguard%2fledger.versions');
    const versions = await readdir(versionDir);
    expect(versions.sort((a, b) => parseInt(a, 10) - parseInt(b, 10)))
      .toEqual([...Array.from({ length: 240 }, (_, i) => `${i + 1}.json`), 'floor']);
    expect(await store.list('')).toEqual(['safeguard/ledger']);
  }, 60_000);

  it('update: a process that remembered an old version finds the newest after others wrote many', async () => {
    const other = new FileStateStore(dir);
    await store.update<number>('counter', (c) => (c ?? 0) + 1);
    for (let i = 0; i < 20; i++) await other.update<number>('counter', (c) => (c ?? 0) + 1);
    expect(await store.update<number>('counter', (c) => (c ?? 0) + 1)).toBe(22);
  });

  it('update: a process that read the record before it existed finds it after others wrote many versions', async () => {
    const early = new FileStateStore(dir);
    expect(await early.get('safeguard/ledger')).toBeUndefined();
    for (let i = 0; i < 20; i++) await store.update<number>('safeguard/ledger', (c) => (c ?? 0) + 1);
    expect(await early.get('safeguard/ledger')).toBe(20);
  });

  it('update: the record\'s own file announces its versions, so get of an absent key looks nowhere else', async () => {
    await store.update('safeguard/ledger', () => ({ v: 1 }));
    expect((await readdir(dir)).sort()).toEqual([fileNameForKey('safeguard/ledger'), 'safeguard%2fledger.versions']);
    expect(await store.list('')).toEqual(['safeguard/ledger']);
    // Versions without that announcement are not a record (a stranger's directory, a half-deleted key).
    await mkdir(join(dir, 'other.versions'));
    await writeFile(join(dir, 'other.versions', '1.json'), JSON.stringify({ v: 'stray' }));
    expect(await new FileStateStore(dir).get('other')).toBeUndefined();
  });

  it('update: a version another writer published first is read, never overwritten', async () => {
    await store.update('k', () => ({ v: 'first' }));
    // What a writer that won version 2 between our read and our link leaves behind.
    await writeFile(join(dir, 'k.versions', '2.json'), JSON.stringify({ v: 'theirs' }));
    let seen: unknown;
    await store.update<{ v: string }>('k', (c) => { seen = c; return { v: `${c?.v}+ours` }; });
    expect(seen).toEqual({ v: 'theirs' });
    expect(await store.get('k')).toEqual({ v: 'theirs+ours' });
  });

  it('update: a write that need not survive a power cut (a lease) is as atomic and as readable, only not flushed', async () => {
    await store.update('lease/x', () => ({ n: 1 }), { durable: false });
    await writeFile(join(dir, versionedDirNameForKey('lease/x'), '2.json'), JSON.stringify({ n: 2 })); // another writer's version
    await store.update<{ n: number }>('lease/x', (c) => ({ n: (c?.n ?? 0) + 1 }), { durable: false });
    expect(await store.get('lease/x')).toEqual({ n: 3 });
    expect(await new FileStateStore(dir).get('lease/x')).toEqual({ n: 3 });
  });

  it('reports a corrupt record as StateCorruptError naming the key', async () => {
    await store.put('suspension/ad:7', { ok: true });
    await writeFile(join(dir, fileNameForKey('suspension/ad:7')), '{"ok": tru');
    const failure = await store.get('suspension/ad:7').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(StateCorruptError);
    expect((failure as StateCorruptError).key).toBe('suspension/ad:7');
    // The person's id masked, in the message and in what it chains (JSON.parse quotes the text).
    expect((failure as Error).message).toContain(`suspension/ad:${maskId('7')}`);
    expect((failure as Error).message).not.toContain(fileNameForKey('suspension/ad:7'));
    expect((failure as Error).cause).toBeInstanceOf(SyntaxError);
    expect(((failure as Error).cause as Error).message).not.toContain('tru');
  });

  it('names no person id in a file system failure, nor in the error it chains', async () => {
    const key = 'suspension/file:张三丰';
    await store.put(key, 1);
    await rm(join(dir, fileNameForKey(key)));
    await mkdir(join(dir, fileNameForKey(key))); // a directory where the record should be: EISDIR
    const failure = await store.get(key).catch((err: unknown) => err) as StateIoError;
    expect(failure).toBeInstanceOf(StateIoError);
    expect(failure.key).toBe(key);
    const logged = JSON.stringify(serializeError(failure));
    expect(logged).toContain(`suspension/file:${maskId('张三丰')}`);
    expect(logged).toContain('EISDIR');
    for (const raw of ['张三丰', fileNameForKey(key).slice(0, -5)]) expect(logged).not.toContain(raw);
  });

  it('names a record too long for a file name by a hash of fixed length, keeping short names as they were', async () => {
    const keys = [`suspension/file:${'张'.repeat(30)}`, `suspension/file:${'张'.repeat(31)}`, 'x'.repeat(1_000)];
    for (const key of keys) await store.put(key, key.length);
    await store.update('lease/person/file:' + '张'.repeat(30), () => 1);
    await store.put('suspension/dingtalk:manager 7', 0);
    const names = (await readdir(dir)).sort();
    expect(names).toContain('suspension%2fdingtalk%3amanager%207.json');
    const hashed = names.filter((n) => n.includes('~'));
    expect(hashed).toHaveLength(5); // three records, one versioned record's own file and its directory
    for (const name of hashed) {
      expect(name).toMatch(/^(?:[a-z0-9-]|_[a-z]|%[0-9a-f]{2})*~[0-9a-f]{64}\.(?:json|versions)$/);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    }
    expect(await store.list('suspension/')).toEqual(['suspension/dingtalk:manager 7', ...keys.slice(0, 2)].sort());
    expect(await store.list('x')).toEqual([keys[2]]);
    expect(await new FileStateStore(dir).get(keys[0]!)).toBe(keys[0]!.length);
  });

  it('reports an empty record file as corrupt, not absent', async () => {
    await writeFile(join(dir, fileNameForKey('ad/watermark')), '');
    await expect(store.get('ad/watermark')).rejects.toBeInstanceOf(StateCorruptError);
  });

  it('writes records readable by the owner only', async () => {
    await store.put('oauth/refresh-token', { refreshToken: 'r' });
    const mode = (await stat(join(dir, fileNameForKey('oauth/refresh-token')))).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(JSON.parse(await readFile(join(dir, fileNameForKey('oauth/refresh-token')), 'utf8'))).toEqual({ refreshToken: 'r' });
  });

  it('ignores files in its directory that it did not write', async () => {
    await writeFile(join(dir, 'README.txt'), 'hello');
    await writeFile(join(dir, 'UPPER.json'), '{}');
    await writeFile(join(dir, '%ff.json'), '{}');
    await store.put('k', 1);
    expect(await store.list('')).toEqual(['k']);
  });
});
