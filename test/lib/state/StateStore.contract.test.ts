import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateStore } from '../../../functions/lib/core/ports';
import { FileStateStore, MemoryStateStore, StateKeyError, StateValueError } from '../../../functions/lib/state';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'state-contract-'));
  dirs.push(dir);
  return join(dir, 'not-yet-created');
}

describe.each([
  ['FileStateStore', async (): Promise<StateStore> => new FileStateStore(await freshDir())],
  ['MemoryStateStore', async (): Promise<StateStore> => new MemoryStateStore()],
])('%s (the StateStore contract)', (_name, makeStore) => {
  let store: StateStore;
  beforeEach(async () => { store = await makeStore(); });

  it('answers undefined for a key never written', async () => {
    expect(await store.get('ad/watermark')).toBeUndefined();
    expect(await store.list('')).toEqual([]);
  });

  it('round-trips a JSON value', async () => {
    const value = { usn: '81234', at: '2026-11-01T00:00:00.000Z', nested: { list: [1, 'two', null, true] } };
    await store.put('ad/watermark', value);
    expect(await store.get('ad/watermark')).toEqual(value);
  });

  it('round-trips falsy values, which are values and not absence', async () => {
    await store.put('a/zero', 0);
    await store.put('a/empty', '');
    await store.put('a/null', null);
    await store.put('a/false', false);
    expect([await store.get('a/zero'), await store.get('a/empty'), await store.get('a/null'), await store.get('a/false')])
      .toEqual([0, '', null, false]);
  });

  it('replaces a value on a second put', async () => {
    await store.put('oauth/refresh-token', { refreshToken: 'first' });
    await store.put('oauth/refresh-token', { refreshToken: 'second' });
    expect(await store.get('oauth/refresh-token')).toEqual({ refreshToken: 'second' });
  });

  it('keeps a copy: mutating the object after put changes nothing stored', async () => {
    const value = { ids: ['a'] };
    await store.put('k', value);
    value.ids.push('b');
    expect(await store.get('k')).toEqual({ ids: ['a'] });
  });

  it('deletes, and deleting again is not an error', async () => {
    await store.put('suspension/ad:1', { x: 1 });
    await store.delete('suspension/ad:1');
    await store.delete('suspension/ad:1');
    await store.delete('never/written');
    expect(await store.get('suspension/ad:1')).toBeUndefined();
  });

  it('lists keys under a prefix', async () => {
    await store.put('suspension/dingtalk:2', 1);
    await store.put('suspension/ad:1', 1);
    await store.put('suspensions-other', 1);
    await store.put('ad/watermark', 1);
    expect(await store.list('suspension/')).toEqual(['suspension/ad:1', 'suspension/dingtalk:2']);
    expect(await store.list('')).toHaveLength(4);
    expect(await store.list('nothing/')).toEqual([]);
  });

  it('keeps keys that differ only in case apart', async () => {
    await store.put('suspension/wecom:ZhangSan', 'upper');
    await store.put('suspension/wecom:zhangsan', 'lower');
    expect(await store.get('suspension/wecom:ZhangSan')).toBe('upper');
    expect(await store.get('suspension/wecom:zhangsan')).toBe('lower');
  });

  it.each(['', '/a', 'a/', 'a//b', '../escape', 'a/../../etc/passwd', './a', 'a/.'])(
    'refuses the key %j', async (key) => {
      await expect(store.put(key, 1)).rejects.toBeInstanceOf(StateKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(StateKeyError);
    },
  );

  it('takes a key too long for a file name (300 bytes) through every method', async () => {
    const long = `suspension/file:${'x'.repeat(284)}`;
    const sibling = `suspension/file:${'x'.repeat(283)}y`; // the same start: only the hash tells them apart
    expect(Buffer.byteLength(long)).toBe(300);
    await store.put(long, { n: 1 });
    await store.put(sibling, { n: 2 });
    expect(await store.get(long)).toEqual({ n: 1 });
    expect(await store.get(sibling)).toEqual({ n: 2 });
    expect(await store.list('suspension/')).toEqual([long, sibling].sort());
    expect(await store.list(long)).toEqual([long]);
    await store.delete(long);
    expect(await store.get(long)).toBeUndefined();
    expect(await store.list('suspension/')).toEqual([sibling]);

    const versioned = `lease/person/file:${'名'.repeat(30)}`; // an export's id of 30 Chinese characters
    expect(await store.update<number>(versioned, (c) => (c ?? 0) + 1)).toBe(1);
    expect(await store.update<number>(versioned, (c) => (c ?? 0) + 1)).toBe(2);
    expect(await store.get(versioned)).toBe(2);
    expect(await store.list('lease/')).toEqual([versioned]);
    // What callers do: read each listed key back.
    for (const key of await store.list('')) expect(await store.get(key)).toBeDefined();
    await store.delete(versioned);
    expect(await store.list('lease/')).toEqual([]);
  });

  it('update: reads, changes and stores one record, and answers what it stored', async () => {
    const bump = (c: { n: number } | undefined) => ({ n: (c?.n ?? 0) + 1 });
    expect(await store.update('safeguard/ledger', bump)).toEqual({ n: 1 });
    expect(await store.update('safeguard/ledger', bump)).toEqual({ n: 2 });
    expect(await store.get('safeguard/ledger')).toEqual({ n: 2 });
    expect(await store.list('safeguard/')).toEqual(['safeguard/ledger']);
  });

  it('update: a change answering undefined writes nothing and answers the current value', async () => {
    expect(await store.update('k', () => undefined)).toBeUndefined();
    expect(await store.get('k')).toBeUndefined();
    await store.update('k', () => ({ v: 1 }));
    expect(await store.update('k', () => undefined)).toEqual({ v: 1 });
  });

  it('update: concurrent updates in one process lose nothing', async () => {
    await Promise.all(Array.from({ length: 25 }, () => store.update<number>('counter', (c) => (c ?? 0) + 1)));
    expect(await store.get('counter')).toBe(25);
  });

  it('update: deleted, the record starts again from nothing', async () => {
    await store.update('k', () => ({ v: 1 }));
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    expect(await store.update<{ v: number }>('k', (c) => ({ v: (c?.v ?? 0) + 10 }))).toEqual({ v: 10 });
  });

  it('refuses a value JSON cannot hold', async () => {
    await expect(store.put('k', undefined)).rejects.toBeInstanceOf(StateValueError);
    await expect(store.put('k', 10n)).rejects.toBeInstanceOf(StateValueError);
    expect(await store.get('k')).toBeUndefined();
  });
});
