/**
 * The state store's failures. A key is named in messages (keys hold ids such as `suspension/ad:<guid>`,
 * never secrets); stored values never are, since a value may be a refresh token.
 */

/** Base class: anything the state store refuses or fails at. */
export class StateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The key cannot name a record: empty, an empty/`.`/`..` segment, or too long for a file name. */
export class StateKeyError extends StateError {
  constructor(readonly key: string, reason: string) {
    super(`Invalid state key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** The value has no JSON form (`undefined`, a function, a BigInt, a cycle). */
export class StateValueError extends StateError {
  constructor(readonly key: string, cause?: unknown) {
    super(`Value for state key ${JSON.stringify(key)} cannot be stored as JSON`, { cause });
  }
}

/**
 * The stored record is not valid JSON. Raised rather than answering `undefined`, because a lost
 * watermark or suspension record read as "absent" would silently resync or forget a restore.
 */
export class StateCorruptError extends StateError {
  constructor(readonly key: string, readonly file: string, cause?: unknown) {
    super(`State record for key ${JSON.stringify(key)} is corrupt (${file}); fix or delete the file`, { cause });
  }
}

/** The file system failed (permissions, a full disk, a dropped NAS mount): usually worth a retry. */
export class StateIoError extends StateError {
  constructor(readonly key: string, operation: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`State ${operation} failed for key ${JSON.stringify(key)}${code ? ` (${code})` : ''}`, { cause });
  }
}

/**
 * `update` kept losing to other writers of the same record until its time ran out (a storm of
 * concurrent pushes, or a file system that never confirms a link). Retryable: nothing was written.
 */
export class StateConflictError extends StateError {
  readonly retryable = true;
  constructor(readonly key: string, attempts: number) {
    super(`State update of key ${JSON.stringify(key)} lost to other writers ${attempts} times; nothing was written, retry`);
  }
}
