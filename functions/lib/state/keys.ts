/**
 * Keys (`ad/watermark`, `suspension/dingtalk:0123`, `oauth/refresh-token`) ↔ file names.
 * One flat directory, one file per key, so a rename is always within a directory (atomic on local
 * disk and NFS) and no key can reach outside it: `/` is encoded like any other character.
 *
 * The name is safe on case-insensitive file systems too (macOS, SMB), where `ad:ABC` and `ad:abc`
 * would otherwise share a file: an upper-case letter is written `_` + its lower case, and `_` itself
 * is percent-encoded. Only `[a-z0-9-]`, `_[a-z]` and lower-case `%xx` escapes appear in a name.
 *
 * A key whose name would pass 240 bytes (a file export's id of ~24 Chinese characters is 216 bytes
 * escaped) is named by its hash instead: the escaped start of the key, `~` (which escaping never
 * leaves bare), and the SHA-256 of the whole key. Such a name cannot be read back, so the store keeps
 * the key inside the file (see `FileStateStore`). Shorter keys keep their names: existing state
 * stays readable.
 */
import { createHash } from 'node:crypto';
import { StateKeyError } from './errors';

export const RECORD_SUFFIX = '.json';
/** File names are limited to 255 bytes; leave room for the suffix (`.versions` included). */
const MAX_NAME_BYTES = 240;
/** How much of a hashed key's escaped start its name keeps, for operators reading the directory. */
const HASHED_START_BYTES = 120;
const HASH_MARK = '~';
const NAME_PATTERN = /^(?:[a-z0-9-]|_[a-z]|%[0-9a-f]{2})+\.json$/;
const HASHED_NAME_PATTERN = /^((?:[a-z0-9-]|_[a-z]|%[0-9a-f]{2})*)~[0-9a-f]{64}\.json$/;

/**
 * Throws `StateKeyError` for keys no store accepts: empty, with an empty, `.` or `..` segment, or
 * not well-formed Unicode. The memory store applies it too, so a key never works locally only.
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
  const name = escapeKey(key);
  if (name.length <= MAX_NAME_BYTES) return `${name}${RECORD_SUFFIX}`;
  return `${hashedStart(key)}${HASH_MARK}${createHash('sha256').update(key, 'utf8').digest('hex')}${RECORD_SUFFIX}`;
}

/** True when the key's file is named by its hash, so the file must say which key it holds. */
export function isHashedKey(key: string): boolean {
  return HASHED_NAME_PATTERN.test(fileNameForKey(key));
}

/** An escaped name, all ASCII (so its length is its size in bytes). */
function escapeKey(key: string): string {
  return encodeKey(key)
    .replace(/[!'()*.~_]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())
    .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The escaped form of the key's longest start, in whole characters, that fits HASHED_START_BYTES. */
function hashedStart(key: string): string {
  let start = '';
  for (const char of key) {
    const next = start + escapeKey(char);
    if (next.length > HASHED_START_BYTES) break;
    start = next;
  }
  return start;
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

/**
 * The key a record file holds, or undefined for any other file (temp files, strangers) and for
 * hashed names, whose key only the file itself knows (see `hashedKeyStart`).
 */
export function keyForFileName(fileName: string): string | undefined {
  return NAME_PATTERN.test(fileName) ? unescapeName(fileName.slice(0, -RECORD_SUFFIX.length)) : undefined;
}

/**
 * For a hashed name, the start of the key it holds (possibly empty); undefined for any other name.
 * Lets a listing skip hashed records outside its prefix without opening them.
 */
export function hashedKeyStart(fileName: string): string | undefined {
  const match = HASHED_NAME_PATTERN.exec(fileName);
  return match ? unescapeName(match[1]!) : undefined;
}

function unescapeName(name: string): string | undefined {
  try {
    return decodeURIComponent(name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
  } catch {
    return undefined; // an escape that is not UTF-8: a file we never wrote
  }
}
