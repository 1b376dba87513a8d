/**
 * The state store's failures. A key is named in messages with its person id masked
 * (`suspension/file:#4309bc56`: an export's ids may be names or emails), and the file system's own
 * error is chained without its path, which spells the key; the key itself stays on the error's
 * `key`. Stored values are never named, since a value may be a refresh token.
 */
import { dirname } from 'node:path';
import { ClassifiedError } from '../core/errors';
import { maskExternalId } from '../core/redact';

/** A key as messages show it. */
const shown = (key: string): string => JSON.stringify(maskExternalId(key));

/** Base class: anything the state store refuses or fails at. */
export abstract class StateError extends ClassifiedError {
  constructor(code: string, message: string, options: { cause?: unknown; recommendedAction?: string } = {}) {
    super({ code, reason: message, message, cause: options.cause, recommendedAction: options.recommendedAction });
  }
}

const OUR_BUG = 'report this with the run id: the key or value came from our own code';

/** The key cannot name a record: empty, an empty/`.`/`..` segment, or not well-formed Unicode. */
export class StateKeyError extends StateError {
  readonly retryable = false;
  constructor(readonly key: string, reason: string) {
    super('StateKeyInvalid', `Invalid state key ${shown(key)}: ${reason}`, { recommendedAction: OUR_BUG });
  }
}

/** The value has no JSON form (`undefined`, a function, a BigInt, a cycle). */
export class StateValueError extends StateError {
  readonly retryable = false;
  constructor(readonly key: string, cause?: unknown) {
    super('StateValueInvalid', `Value for state key ${shown(key)} cannot be stored as JSON`, { cause, recommendedAction: OUR_BUG });
  }
}

/**
 * The stored record is not valid JSON. Raised rather than answering `undefined`, because a lost
 * watermark or suspension record read as "absent" would silently resync or forget a restore.
 */
export class StateCorruptError extends StateError {
  readonly retryable = false;
  constructor(readonly key: string, readonly file: string, cause?: unknown) {
    // A file's name spells its key: when the key holds a person's id, only the directory is named.
    const where = maskExternalId(key) === key ? file : `a file in ${dirname(file)}`;
    // JSON.parse quotes the text it failed on, which may be a token or a person's data.
    const chained = cause instanceof SyntaxError ? new SyntaxError('not valid JSON') : cause;
    super('StateCorrupt', `State record for key ${shown(key)} is corrupt (${where})`, {
      cause: chained, recommendedAction: 'fix or delete the file (STATE_DIR); a deleted record is read as never written',
    });
  }
}

/** Errno codes no retry fixes: the directory's permissions, a read-only or full file system. */
const FINAL_IO = new Map([
  ['EACCES', 'give the function\'s user (FC: uid/gid 10003) write access to STATE_DIR'],
  ['EPERM', 'give the function\'s user (FC: uid/gid 10003) write access to STATE_DIR'],
  ['EROFS', 'mount STATE_DIR read-write (the NAS mount point in s.yaml)'],
  ['ENOSPC', 'free space on the file system holding STATE_DIR (the NAS file system)'],
]);

/**
 * The file system failed. A dropped NAS mount or an I/O error is worth a retry; permissions, a
 * read-only or a full file system are not, and say what to fix.
 */
export class StateIoError extends StateError {
  readonly retryable: boolean;
  constructor(readonly key: string, operation: string, cause: unknown) {
    const { code, syscall } = (cause ?? {}) as NodeJS.ErrnoException;
    // Chain what failed, not Node's message: it names the file, whose name spells the key.
    const chained = code ? Object.assign(new Error(`${syscall ?? 'file system'}: ${code}`), { code, syscall }) : cause;
    const fix = code ? FINAL_IO.get(code) : undefined;
    super('StateIo', `State ${operation} failed for key ${shown(key)}${code ? ` (${code})` : ''}`, {
      cause: chained, recommendedAction: fix ?? 'none if it passes on retry; else check the NAS mount (STATE_DIR)',
    });
    this.retryable = fix === undefined;
  }
}

/**
 * `update` kept losing to other writers of the same record until its time ran out (a storm of
 * concurrent pushes, or a file system that never confirms a link). Retryable: nothing was written.
 */
export class StateConflictError extends StateError {
  readonly retryable = true;
  constructor(readonly key: string, attempts: number) {
    super('StateConflict', `State update of key ${shown(key)} lost to other writers ${attempts} times; nothing was written`, {
      recommendedAction: 'none: retried automatically',
    });
  }
}
