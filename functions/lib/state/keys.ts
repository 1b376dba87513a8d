/**
 * Keys (`ad/watermark`, `suspension/dingtalk:0123`, `oauth/refresh-token`) ↔ file names.
 * One flat directory, one file per key, so a rename is always within a directory (atomic on local
 * disk and NFS) and no key can reach outside it: `/` is encoded like any other character.
 *
 * The name is safe on case-insensitive file systems too (macOS, SMB), where `ad:ABC` and `ad:abc`
 * would otherwise share a file: an upper-case letter is written `_` + its lower case, and `_` itself
 * is percent-encoded. Only `[a-z0-9-]`, `_[a-z]` and lower-case `%xx` escapes appear in a name.
 */
import { StateKeyError } from './errors';

export const RECORD_SUFFIX = '.json';
/**
 * File names are limited to 255 bytes; leave room for the suffix. Escaping triples a byte at worst,
 * so every key of up to 80 UTF-8 bytes fits (ASCII ids fit up to 120–240 characters).
 */
const MAX_NAME_BYTES = 240;
const NAME_PATTERN = /^(?:[a-z0-9-]|_[a-z]|%[0-9a-f]{2})+\.json$/;

/**
 * Throws `StateKeyError` for keys no store accepts: empty, with an empty, `.` or `..` segment, or
 * too long for a file name. The memory store applies it too, so a key never works locally only.
 */
export function assertValidKey(key: string): void {
  fileNameForKey(key);
}

export function fileNameForKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new StateKeyError(String(key), 'empty');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new StateKeyError(key, 'empty, "." and ".." segments are not allowed');
    }
  }
  const name = encodeKey(key)
    .replace(/[!'()*.~_]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())
    .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new StateKeyError(key, 'too long for a file name');
  return `${name}${RECORD_SUFFIX}`;
}

function encodeKey(key: string): string {
  try {
    return encodeURIComponent(key);
  } catch (err) {
    throw new StateKeyError(key, `not well-formed Unicode (${(err as Error).message})`);
  }
}

/**
 * A record written with `update` is a directory of numbered versions (see FileStateStore), named
 * like the record's file with this suffix instead of `.json`.
 */
const VERSIONED_SUFFIX = '.versions';

export function versionedDirNameForKey(key: string): string {
  return `${fileNameForKey(key).slice(0, -RECORD_SUFFIX.length)}${VERSIONED_SUFFIX}`;
}

/** The key a record file holds, or undefined for any other file (temp files, strangers). */
export function keyForFileName(fileName: string): string | undefined {
  if (!NAME_PATTERN.test(fileName)) return undefined;
  const name = fileName.slice(0, -RECORD_SUFFIX.length).replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined; // an escape that is not UTF-8: a file we never wrote
  }
}
