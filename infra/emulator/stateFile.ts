/**
 * Keeps an emulated account in a JSON file, so the local stack's emulator survives restarts.
 * Saves are atomic (a temp file in the same directory, then rename) and coalesced: however many
 * changes land meanwhile, at most one write runs at a time, and the next one carries them all.
 *
 * @example
 * const state = (await loadStateFile(file)) ?? new EmulatorState();
 * const writer = new StateFileWriter(file, state);
 * state.onChange(() => writer.schedule());
 * await writer.flush(); // on shutdown
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidEmulatorStateError } from './stateJson';
import { EmulatorState } from './store';

/** The state file cannot be read, restored or written; the message names the file. */
export class EmulatorStateFileError extends Error {
  override readonly name = 'EmulatorStateFileError';
}

/** The saved account, or undefined when the file does not exist yet. Anything else unreadable throws. */
export async function loadStateFile(path: string): Promise<EmulatorState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EmulatorStateFileError(`cannot read RAM emulator state file ${path}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text around the error, which may hold user data: keep it in `cause` only.
    throw new EmulatorStateFileError(`RAM emulator state file ${path} is not valid JSON; fix or delete it`, { cause: err });
  }
  try {
    return EmulatorState.fromJSON(doc);
  } catch (err) {
    if (!(err instanceof InvalidEmulatorStateError)) throw err;
    throw new EmulatorStateFileError(`RAM emulator state file ${path} cannot be restored (${err.message}); fix or delete it`, {
      cause: err,
    });
  }
}

export class StateFileWriter {
  private dirty = false;
  private scheduled = false;
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly path: string,
    private readonly state: EmulatorState,
  ) {}

  /** Notes a change; a save follows on a later event-loop turn, together with other changes. */
  schedule(): void {
    this.dirty = true;
    // A running write checks `dirty` when it ends, so it needs no timer of its own.
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.start();
    });
  }

  /** Waits until every change so far is on disk; throws EmulatorStateFileError if the last save failed. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.dirty) {
      this.start();
      await this.writing;
    }
    if (this.failure !== undefined) {
      throw new EmulatorStateFileError(`could not save RAM emulator state to ${this.path}`, { cause: this.failure });
    }
  }

  private start(): void {
    if (!this.dirty || this.writing) return;
    this.dirty = false;
    const text = JSON.stringify(this.state); // taken now: later changes make the next save
    this.writing = this.write(text)
      .then(
        () => {
          this.failure = undefined;
        },
        (err: unknown) => {
          // Not retried in a loop (a full disk stays full): the next change or flush() tries again.
          this.failure = err;
          this.dirty = true;
          const code = (err as NodeJS.ErrnoException).code ?? String(err);
          process.stderr.write(`ram-emulator: could not save state to ${this.path}: ${code}\n`);
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (this.dirty && this.failure === undefined) this.schedule();
      });
  }

  private async write(text: string): Promise<void> {
    const dir = dirname(this.path);
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(temp, text, 'utf8');
      await rename(temp, this.path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
