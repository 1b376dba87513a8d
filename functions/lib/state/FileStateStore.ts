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
 * them) for the newest version: they probe numbers by name. The record's own file holds a marker
 * saying so, written before version 1, so `get` of an absent key costs one lookup as before.
 *
 * Old versions are removed, so a record keeps at most KEEP_VERSIONS + 2 × pruneEvery versions (264)
 * however often it is written (leases, the account's rate bucket: hundreds of thousands a day). A
 * removed number can be linked again, by a writer that read the version before it and was frozen
 * while the record moved on: its link succeeds although the record is far ahead, a lost update it
 * would believe in (two holders of one lease). A floor file fences that (versionFloor.ts):
 * - the writer of every pruneEvery-th version n announces floor n − KEEP_VERSIONS (temp + rename),
 *   then removes the names below the floor it read *before* announcing, by name: one round late, so
 *   a removal always follows two announcements above the removed name;
 * - a writer whose link succeeded reads the floor again (open + read: NFS close-to-open) and takes
 *   its version back (unlinks it, re-reads, retries) unless the name was provably free: at or above
 *   the floor, or below it by only one announcement (`staleLink`). A writer frozen across two prune
 *   rounds around its own link cannot tell, and retries too: its change may then apply twice, never
 *   be lost (a lease's change re-checks the holder it reads; the rate bucket spends twice, once);
 * - readers probe from the version this process saw last, else from the floor, and accept a
 *   version only if it is at or above the floor read after it: names there are never removed, so
 *   one probed absent above it was not yet written.
 * Why not sub-directories replaced by tombstone files: a directory cannot be swapped for a file in
 * one step, and a stale writer may recreate the directory in between; the floor needs no such swap.
 * NFS has no conditional replace, so the floor is raised with care (raiseFloor): the new file is
 * written and flushed, then the rename follows only if no other round moved the floor and the next
 * round's grid version does not exist yet (its pruner could announce any moment). A pruner stalled
 * exactly between those checks and its rename while a whole round (pruneEvery versions) passes and
 * announces can still lower the floor; it then sees the later round's version and announces that
 * round's floor again (`reannounce`). Until it does, a stale writer landing in between could be let
 * through: that needs a stalled pruner and a stale writer at the same moment, and is not fenced further.
 *
 * Records from before pruning (versions 1..n, old ones emptied, no floor file) are read as before,
 * and pruned once their first floor is pruneGraceMs old (default an hour), at most 8 × pruneEvery
 * names per round until caught up: instances of the previous release, which probe from version 1,
 * have ended by then. A listing is used only for candidates, never to decide: strays to delete (a
 * crashed writer's temp file), and where to probe from when the floor names a removed version.
 * Deleting a versioned record while a stale writer of it still runs is unsafe, as it always was.
 *
 * A key too long for a file name is named by its hash (keys.ts); its own file then says which key
 * it holds (`{"key", "value"}`, or the marker followed by the key), which is how `list` finds it.
 *
 * @example
 * const state = new FileStateStore('/mnt/nas/ram-scim-sync');
 * await state.put('ad/watermark', { usn: '81234' });
 * await state.get<{ usn: string }>('ad/watermark');
 */
import { randomBytes } from 'node:crypto';
import { access, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateStore, UpdateOptions } from '../core/ports';
import { realSleep } from '../core/retryPolicy';
import { StateConflictError, StateCorruptError, StateError, StateIoError } from './errors';
import { toJson } from './json';
import { fileNameForKey, hashedKeyStart, isHashedKey, keyForFileName, versionedDirNameForKey } from './keys';
import { announcedAt, type Floor, raiseFloor, readFloor, staleLink } from './versionFloor';

const TEMP_PREFIX = '.tmp-';
/** The content of a versioned record's own file; never valid JSON, so never taken for a value. */
const VERSIONED_MARKER = 'versioned record: see the .versions directory beside this file\n';
/** Versions kept whole behind the newest, so a reader that just found one can still read it. */
export const KEEP_VERSIONS = 8;
/** Default: the writer of every 128th version prunes; a record then holds at most KEEP_VERSIONS + 256 versions. */
const PRUNE_EVERY = 128;
/** At most this many rounds' worth of old names removed per prune, so catching up a large old record costs little per write. */
const SWEEP_ROUNDS = 8;
/** A stray temp file older than this is a crashed writer's, not one in progress. */
const STRAY_AGE_MS = 3_600_000;

export interface FileStateStoreOptions {
  /** How long `update` keeps trying against other writers before a (retryable) StateConflictError. Default 30 s. */
  updateTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The writer of every this-many-th version announces a new floor and removes older versions (see
   * above). Every process sharing the directory must use the same value. 0: never prune (the
   * benchmark's comparison only). Default 128.
   */
  pruneEvery?: number;
  /** How long after a record's first floor removals begin (instances of a release without pruning must have ended). Default 1 h. */
  pruneGraceMs?: number;
}

export class FileStateStore implements StateStore {
  /** The newest version this process has seen per versioned key: where probing starts. */
  private readonly seen = new Map<string, number>();
  private readonly updateTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly pruneEvery: number;
  private readonly pruneGraceMs: number;

  constructor(private readonly dir: string, options: FileStateStoreOptions = {}) {
    this.updateTimeoutMs = options.updateTimeoutMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
    this.pruneEvery = options.pruneEvery ?? PRUNE_EVERY;
    this.pruneGraceMs = options.pruneGraceMs ?? 3_600_000;
    if (this.pruneEvery !== 0 && !(Number.isSafeInteger(this.pruneEvery) && this.pruneEvery > KEEP_VERSIONS)) {
      throw new RangeError(`pruneEvery must be 0 or an integer above ${KEEP_VERSIONS}`);
    }
  }

  async get<T>(key: string): Promise<T | undefined> {
    const file = this.fileFor(key);
    const text = await this.readText(key, file);
    if (text === undefined) return undefined;
    if (text === markerFor(key)) return (await this.latest<T>(key)).value;
    if (!isHashedKey(key)) return this.parse<T>(key, file, text);
    const record = this.parse<{ key?: unknown; value?: T }>(key, file, text);
    // Another key with the same SHA-256 is not going to happen; a hand-edited file might.
    if (record?.key !== key) throw new StateCorruptError(key, file, new Error('the file holds another key'));
    return record.value;
  }

  async update<T>(key: string, change: (current: T | undefined) => T | undefined, options: UpdateOptions = {}): Promise<T | undefined> {
    const durable = options.durable ?? true;
    const dir = join(this.dir, versionedDirNameForKey(key));
    const deadline = Date.now() + this.updateTimeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.latest<T>(key);
      const next = change(current.value);
      if (next === undefined) return current.value;
      const text = toJson(key, next);
      if (await this.publish(key, dir, current.version + 1, text, durable)) return JSON.parse(text) as T;
      if (Date.now() > deadline) throw new StateConflictError(key, attempt);
      // Another writer won this version: back off a little (jittered, growing) and read theirs.
      await this.sleep(Math.floor(Math.random() * Math.min(100, 2 ** attempt)));
    }
  }

  async put<T>(key: string, value: T): Promise<void> {
    const text = toJson(key, value);
    await this.replaceFile(key, isHashedKey(key) ? `{"key":${JSON.stringify(key)},"value":${text}}` : text);
  }

  /** Writes the key's own file atomically: a temp file, fsynced (when durable), renamed over it. */
  private async replaceFile(key: string, text: string, durable = true): Promise<void> {
    const file = this.fileFor(key);
    const temp = join(this.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeNew(temp, text, durable);
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined); // best effort: the write already failed
      throw new StateIoError(key, 'write', err);
    }
    if (durable) await this.syncDir(key);
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
    const keys = await Promise.all(names.map(async (name) => {
      const start = hashedKeyStart(name);
      if (start === undefined) return keyForFileName(name);
      // A hashed name keeps the start of its key: open only files that may be under the prefix.
      return start.startsWith(prefix) || prefix.startsWith(start) ? this.keyInFile(prefix, join(this.dir, name)) : undefined;
    }));
    return keys.filter((key): key is string => key !== undefined && key.startsWith(prefix)).sort();
  }

  /** The key a hashed record's own file names; undefined when it was deleted meanwhile. */
  private async keyInFile(prefix: string, file: string): Promise<string | undefined> {
    const text = await this.readText(prefix, file);
    if (text === undefined) return undefined;
    const key = text.startsWith(VERSIONED_MARKER)
      ? this.parse<unknown>(prefix, file, text.slice(VERSIONED_MARKER.length))
      : this.parse<{ key?: unknown } | null>(prefix, file, text)?.key;
    if (typeof key !== 'string') throw new StateCorruptError(prefix, file, new Error('the file names no key'));
    return key;
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
   * The newest version of a versioned record and its value (version 0: none). Versions from the
   * floor up are never removed, so the ones there are exactly floor..newest: probing from the floor
   * (or from the version this process saw last), galloping and then halving, finds the newest, never
   * a listing (NFS caches listings). The candidate is accepted only at or above the floor read after
   * it: a name above it probed absent can then not have been removed, only not yet written. Below,
   * it may be a removed name linked by a stale writer, or the floor moved under the probe: look again.
   */
  private async latest<T>(key: string): Promise<{ version: number; value: T | undefined }> {
    const dir = join(this.dir, versionedDirNameForKey(key));
    for (let attempt = 1; ; attempt += 1) {
      // Where to start matters for speed only (the check below decides): a hot record starts where this
      // process left it. A floor lowered by a stalled pruner (see the header) may name a removed version:
      // after two misses, a listing (possibly stale) names some recent version to probe from instead.
      const seen = attempt === 1 ? this.seen.get(key) : undefined;
      const from = seen ?? (attempt > 2 ? await this.listedNewest(dir) : (await readFloor(key, dir)).floor);
      const version = await this.newest(key, dir, from);
      if (version === 0) return { version: 0, value: undefined };
      const file = join(dir, `${version}.json`);
      const text = await this.readText(key, file);
      if (text && version >= (await readFloor(key, dir)).floor) {
        this.seen.set(key, version);
        return { version, value: this.parse<T>(key, file, text) };
      }
      // Emptied by a writer of the release before pruning, removed while we looked, or the record was deleted.
      if (text === '' && !(await this.exists(key, join(dir, `${version + 1}.json`)))) {
        throw new StateCorruptError(key, file, new Error('the newest version is empty'));
      }
      this.seen.delete(key);
      if (attempt > 5) throw new StateConflictError(key, attempt);
    }
  }

  /** The highest version name a listing shows (0: none, or no directory). */
  private async listedNewest(dir: string): Promise<number> {
    const names = await readdir(dir).catch(() => [] as string[]);
    return names.reduce((max, name) => (/^\d+\.json$/.test(name) ? Math.max(max, Number.parseInt(name, 10)) : max), 0);
  }

  /** The highest n with `n.json` present, if `from` is (0: nothing before 1); else a candidate `latest` refuses. */
  private async newest(key: string, dir: string, from: number): Promise<number> {
    let low = from;
    let step = 1;
    let high: number;
    for (;;) {
      if (await this.exists(key, join(dir, `${low + step}.json`))) {
        low += step;
        step *= 2;
      } else {
        high = low + step;
        break;
      }
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await this.exists(key, join(dir, `${middle}.json`))) low = middle;
      else high = middle;
    }
    return low;
  }

  private async exists(key: string, file: string): Promise<boolean> {
    try {
      await access(file);
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw new StateIoError(key, 'read', err);
    }
  }

  /**
   * Publishes `text` as version `version` unless another writer already has: true when ours is in.
   * The file is complete before its name appears (written to a temp file, then linked). A link that
   * succeeded is checked against the floor (see the header): a stale one is taken back, as a loss.
   * The writer of a grid version then prunes.
   */
  private async publish(key: string, dir: string, version: number, text: string, durable: boolean): Promise<boolean> {
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const target = join(dir, `${version}.json`);
    if (version === 1) await this.replaceFile(key, markerFor(key), durable);
    let won: boolean;
    try {
      await mkdir(dir, { recursive: true });
      await writeNew(temp, text, durable);
      try {
        await link(temp, target);
        won = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // On NFS a retransmitted LINK can answer EEXIST for our own success: two links mean it is ours.
        won = (await stat(temp)).nlink === 2;
      }
      if (won && staleLink(version, (await readFloor(key, dir)).floor, this.pruneEvery, KEEP_VERSIONS)) {
        // The name was used and removed before: the record is far ahead. Take ours back, if it is still ours.
        const [ours, there] = await Promise.all([stat(temp), stat(target).catch(() => undefined)]);
        if (there?.ino === ours.ino && there.dev === ours.dev) await unlink(target).catch(() => undefined);
        won = false;
      }
    } catch (err) {
      if (err instanceof StateError) throw err;
      throw new StateIoError(key, 'write', err);
    } finally {
      await unlink(temp).catch(() => undefined); // best effort: a stray temp file is ignored by readers
    }
    if (!won) return false;
    this.seen.set(key, version);
    if (durable) await this.syncDir(key, dir);
    const floor = announcedAt(version, this.pruneEvery, KEEP_VERSIONS);
    if (floor !== undefined) await this.prune(key, dir, floor, version);
    return true;
  }

  /**
   * Announces `floor`, then removes the names below the floor announced before it (never below the
   * new one: see the header), at most SWEEP_ROUNDS rounds' worth. Every 16th round also deletes
   * strays a listing shows: names below the swept mark a crashed pruner left, temp files of crashed
   * writers. A failure here loses nothing: the version is in, and the next round sweeps again.
   */
  private async prune(key: string, dir: string, floor: number, version: number): Promise<void> {
    try {
      const before = await readFloor(key, dir);
      if (floor <= before.floor) return; // a later round already announced
      const now = Date.now();
      const since = before.floor === 0 ? now : before.since;
      const end = now - since >= this.pruneGraceMs ? Math.min(before.floor, before.swept + SWEEP_ROUNDS * this.pruneEvery) : before.swept;
      const next: Floor = { floor, swept: Math.max(before.swept, end), since };
      // Not if the next round has begun: its pruner may announce any moment, and ours must not land over it.
      const laterRound = () => this.exists(key, join(dir, `${version + this.pruneEvery}.json`));
      if (!(await raiseFloor(key, dir, before, next, laterRound))) return; // another round moved it: it sweeps
      await this.reannounce(key, dir, version);
      const names: string[] = [];
      for (let n = before.swept; n < end; n += 1) names.push(`${n}.json`);
      // Not while catching up an old record: its listing is long, and its sweep reaches those names anyway.
      if (end > before.swept && end === before.floor && version % (16 * this.pruneEvery) === 0) names.push(...await this.strays(dir, next.swept));
      for (let i = 0; i < names.length; i += 32) {
        await Promise.all(names.slice(i, i + 32).map((name) => unlink(join(dir, name)).catch((err: unknown) => {
          if (!isMissing(err)) throw err;
        })));
      }
    } catch {
      // Best effort, as above: the next grid version's writer tries again.
    }
  }

  /**
   * After announcing at `version`: if a later round has begun (its grid version exists, or ours is
   * already removed), our rename may have replaced that round's floor with a lower one. Announce the
   * newest round's floor again (any writer knowing a grid version may: the value is the same).
   */
  private async reannounce(key: string, dir: string, version: number): Promise<void> {
    const ownLeft = !(await this.exists(key, join(dir, `${version}.json`)));
    if (!ownLeft && !(await this.exists(key, join(dir, `${version + this.pruneEvery}.json`)))) return;
    // Far behind, our own version is gone: a listing (possibly stale) names some recent version to probe from.
    const from = ownLeft ? await this.listedNewest(dir) : version;
    const newest = await this.newest(key, dir, from);
    const target = newest >= this.pruneEvery ? announcedAt(newest - (newest % this.pruneEvery), this.pruneEvery, KEEP_VERSIONS) : undefined;
    for (let attempt = 0; attempt < 3 && target !== undefined; attempt += 1) {
      const current = await readFloor(key, dir);
      if (current.floor >= target || await raiseFloor(key, dir, current, { ...current, floor: target })) return;
    }
  }

  /** Version names below `swept` and temp files older than STRAY_AGE_MS, as a (possibly stale) listing shows them. */
  private async strays(dir: string, swept: number): Promise<string[]> {
    const names = await readdir(dir);
    const old = await Promise.all(names.map(async (name) => {
      if (/^\d+\.json$/.test(name)) return Number.parseInt(name, 10) < swept ? name : undefined;
      if (!name.startsWith(TEMP_PREFIX)) return undefined;
      const info = await stat(join(dir, name)).catch(() => undefined);
      return info && Date.now() - info.mtimeMs > STRAY_AGE_MS ? name : undefined;
    }));
    return old.filter((name): name is string => name !== undefined);
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

/** What a versioned record's own file holds: the marker, and for a hashed name the key it stands for. */
function markerFor(key: string): string {
  return isHashedKey(key) ? `${VERSIONED_MARKER}${JSON.stringify(key)}\n` : VERSIONED_MARKER;
}

/** A new file (0600: a record may be a refresh token) with `text`, on disk before this resolves when durable. */
async function writeNew(file: string, text: string, durable = true): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
