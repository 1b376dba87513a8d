/**
 * StateStore on a directory: local disk for the local stack, an FC NAS mount (NFS) in the cloud.
 * One JSON file per key (see keys.ts for the names). `put` writes a temp file in the same directory,
 * fsyncs it and renames it over the record, so a reader sees the old value or the new one, never a
 * torn write, and a crash mid-write leaves at most a stray `.tmp-…` file that readers ignore.
 *
 * @example
 * const state = new FileStateStore('/mnt/nas/ram-scim-sync');
 * await state.put('ad/watermark', { usn: '81234' });
 * await state.get<{ usn: string }>('ad/watermark');
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateStore } from '../core/ports';
import { StateCorruptError, StateIoError } from './errors';
import { toJson } from './json';
import { fileNameForKey, keyForFileName } from './keys';

const TEMP_PREFIX = '.tmp-';

export class FileStateStore implements StateStore {
  constructor(private readonly dir: string) {}

  async get<T>(key: string): Promise<T | undefined> {
    const file = this.fileFor(key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StateIoError(key, 'read', err);
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StateCorruptError(key, file, err);
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
  }

  async list(prefix: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw new StateIoError(prefix, 'list', err);
    }
    return names
      .map(keyForFileName)
      .filter((key): key is string => key !== undefined && key.startsWith(prefix))
      .sort();
  }

  private fileFor(key: string): string {
    return join(this.dir, fileNameForKey(key));
  }

  /** Makes the rename itself durable. Some file systems cannot fsync a directory; the data is synced anyway. */
  private async syncDir(key: string): Promise<void> {
    try {
      const handle = await open(this.dir, 'r');
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
