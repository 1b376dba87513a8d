/**
 * The state store's failures. A key is named in messages with its person id masked
 * (`suspension/file:#4309bc56`: an export's ids may be names or emails), and the file system's own
 * error is chained without its path, which spells the key; the key itself stays on the error's
 * `key`. Stored values are never named, since a value may be a refresh token.
 */
import { dirname } from 'node:path';
import { maskExternalId } from '../core/redact';

/** A key as messages show it. */
const shown = (key: string): string => JSON.stringify(maskExternalId(key));

/** Base class: anything the state store refuses or fails at. */
export class StateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The key cannot name a record: empty, an empty/`.`/`..` segment, or not well-formed Unicode. */
export class StateKeyError extends StateError {
  constructor(readonly key: string, reason: string) {
    super(`Invalid state key ${shown(key)}: ${reason}`);
  }
}

/** The value has no JSON form (`undefined`, a function, a BigInt, a cycle). */
export class StateValueError extends StateError {
  constructor(readonly key: string, cause?: unknown) {
    super(`Value for state key ${shown(key)} cannot be stored as JSON`, { cause });
  }
}

/**
 * The stored record is not valid JSON. Raised rather than answering `undefined`, because a lost
 * watermark or suspension record read as "absent" would silently resync or forget a restore.
 */
export class StateCorruptError extends StateError {
  constructor(readonly key: string, readonly file: string, cause?: unknown) {
    // A file's name spells its key: when the key holds a person's id, only the directory is named.
    const where = maskExternalId(key) === key ? file : `a file in ${dirname(file)}`;
    // JSON.parse quotes the text it failed on, which may be a token or a person's data.
    const chained = cause instanceof SyntaxError ? new SyntaxError('not valid JSON') : cause;
    super(`State record for key ${shown(key)} is corrupt (${where}); fix or delete the file`, { cause: chained });
  }
}

/** The file system failed (permissions, a full disk, a dropped NAS mount): usually worth a retry. */
export class StateIoError extends StateError {
  constructor(readonly key: string, operation: string, cause: unknown) {
    const { code, syscall } = (cause ?? {}) as NodeJS.ErrnoException;
    // Chain what failed, not Node's message: it names the file, whose name spells the key.
    const chained = code ? Object.assign(new Error(`${syscall ?? 'file system'}: ${code}`), { code, syscall }) : cause;
    super(`State ${operation} failed for key ${shown(key)}${code ? ` (${code})` : ''}`, { cause: chained });
  }
}

/**
 * `update` kept losing to other writers of the same record until its time ran out (a storm of
 * concurrent pushes, or a file system that never confirms a link). Retryable: nothing was written.
 */
export class StateConflictError extends StateError {
  readonly retryable = true;
  constructor(readonly key: string, attempts: number) {
    super(`State update of key ${shown(key)} lost to other writers ${attempts} times; nothing was written, retry`);
  }
}
