/**
 * StateStore on a directory: local disk for the local stack, an FC NAS mount (NFS) in the cloud.
 * One JSON file per key (see keys.ts for the names). `put` writes a temp file in the same directory,
 * fsyncs it and renames it over the record, so a reader sees the old value or the new one, never a
 * torn write, and a crash mid-write leaves at most a stray `.tmp-…` file that readers ignore.
 *
 * `update` keeps a record as a directory of numbered versions (`<name>.versions/<n>.json`): a writer
 * that read version n publishes n+1 with `link(2)`, which fails when n+1 exists, so of two writers
 * only one wins and the other re-reads and tries again. That is the compare-and-swap NFS offers
 * (open(2), O_EXCL on NFS: link a unique file, then check its link count), and it needs no lock
 * that a frozen FC instance could hold forever. Writers never trust a directory listing (NFS caches
 * them) for the newest version: they probe the next number by name.
 *
 * @example
 * const state = new FileStateStore('/mnt/nas/ram-scim-sync');
 * await state.put('ad/watermark', { usn: '81234' });
 * await state.get<{ usn: string }>('ad/watermark');
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateStore } from '../core/ports';
import { realSleep } from '../core/retryPolicy';
import { StateConflictError, StateCorruptError, StateIoError } from './errors';
import { toJson } from './json';
import { fileNameForKey, keyForFileName, versionedDirNameForKey } from './keys';

const TEMP_PREFIX = '.tmp-';
const VERSION_FILE = /^(\d+)\.json$/;
/** Versions kept behind the newest, so a reader that just listed the directory still finds its file. */
const KEEP_VERSIONS = 8;

export interface FileStateStoreOptions {
  /** How long `update` keeps trying against other writers before a (retryable) StateConflictError. Default 30 s. */
  updateTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class FileStateStore implements StateStore {
  /** The newest version this process has seen per versioned key: where probing starts. */
  private readonly seen = new Map<string, number>();
  private readonly updateTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly dir: string, options: FileStateStoreOptions = {}) {
    this.updateTimeoutMs = options.updateTimeoutMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const file = this.fileFor(key);
    const text = await this.readText(key, file);
    if (text === undefined) return (await this.latest<T>(key)).value;
    return this.parse<T>(key, file, text);
  }

  async update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    const dir = join(this.dir, versionedDirNameForKey(key));
    const deadline = Date.now() + this.updateTimeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.latest<T>(key);
      const next = change(current.value);
      if (next === undefined) return current.value;
      const text = toJson(key, next);
      if (await this.publish(key, dir, current.version + 1, text)) return JSON.parse(text) as T;
      if (Date.now() > deadline) throw new StateConflictError(key, attempt);
      // Another writer won this version: back off a little (jittered, growing) and read theirs.
      await this.sleep(Math.floor(Math.random() * Math.min(100, 2 ** attempt)));
    }
  }

  async put<T>(key: string, value: T): Promise<void> {
    const file = this.fileFor(key);
    const text = toJson(key, value);
    const temp = join(this.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true });
      // 0600: a record may be a refresh token.
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined); // best effort: the write already failed
      throw new StateIoError(key, 'write', err);
    }
    await this.syncDir(key);
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.fileFor(key));
    } catch (err) {
      if (!isMissing(err)) throw new StateIoError(key, 'delete', err);
    }
    try {
      await rm(join(this.dir, versionedDirNameForKey(key)), { recursive: true, force: true });
    } catch (err) {
      throw new StateIoError(key, 'delete', err);
    }
    this.seen.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw new StateIoError(prefix, 'list', err);
    }
    const keys = new Set(names.map(keyForFileName).filter((key): key is string => key !== undefined && key.startsWith(prefix)));
    return [...keys].sort();
  }

  private fileFor(key: string): string {
    return join(this.dir, fileNameForKey(key));
  }

  private async readText(key: string, file: string): Promise<string | undefined> {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StateIoError(key, 'read', err);
    }
  }

  private parse<T>(key: string, file: string, text: string): T {
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StateCorruptError(key, file, err);
    }
  }

  /**
   * The newest version of a versioned record (version 0: none). Starts from the version last seen
   * (else the highest listed) and probes the next numbers by name until one is missing.
   */
  private async latest<T>(key: string): Promise<{ version: number; value: T | undefined }> {
    const dir = join(this.dir, versionedDirNameForKey(key));
    for (let relist = 0; ; relist += 1) {
      let version = relist === 0 ? this.seen.get(key) ?? await this.highestListed(key, dir) : await this.highestListed(key, dir);
      let text = version > 0 ? await this.readText(key, join(dir, `${version}.json`)) : undefined;
      // A version we remembered was collected (others wrote KEEP_VERSIONS since): list again.
      if (version > 0 && text === undefined && relist < 3) continue;
      for (;;) {
        const newer = await this.readText(key, join(dir, `${version + 1}.json`));
        if (newer === undefined) break;
        version += 1;
        text = newer;
      }
      this.seen.set(key, version);
      return { version, value: text === undefined ? undefined : this.parse<T>(key, join(dir, `${version}.json`), text) };
    }
  }

  private async highestListed(key: string, dir: string): Promise<number> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw new StateIoError(key, 'list', err);
    }
    let highest = 0;
    for (const name of names) {
      const match = VERSION_FILE.exec(name);
      if (match) highest = Math.max(highest, Number(match[1]));
    }
    return highest;
  }

  /**
   * Publishes `text` as version `version` unless another writer already has: true when ours is in.
   * The file is complete before its name appears (written to a temp file, then linked).
   */
  private async publish(key: string, dir: string, version: number, text: string): Promise<boolean> {
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let won: boolean;
    try {
      await mkdir(dir, { recursive: true });
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temp, join(dir, `${version}.json`));
        won = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // On NFS a retransmitted LINK can answer EEXIST for our own success: two links mean it is ours.
        won = (await stat(temp)).nlink === 2;
      }
    } catch (err) {
      throw new StateIoError(key, 'write', err);
    } finally {
      await unlink(temp).catch(() => undefined); // best effort: a stray temp file is ignored by readers
    }
    if (!won) return false;
    this.seen.set(key, version);
    await this.syncDir(key, dir);
    if (version > KEEP_VERSIONS) await unlink(join(dir, `${version - KEEP_VERSIONS}.json`)).catch(() => undefined);
    return true;
  }

  /** Makes the rename itself durable. Some file systems cannot fsync a directory; the data is synced anyway. */
  private async syncDir(key: string, dir: string = this.dir): Promise<void> {
    try {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') {
        throw new StateIoError(key, 'sync', err);
      }
    }
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
