/**
 * The floor of a versioned record (see FileStateStore): the lowest version number that is never
 * removed. Version names below it are being removed; names at or above it never are. It lives in
 * `<name>.versions/floor`, replaced whole (temp file + rename), so a reader opening it by name gets
 * one complete floor, and the newest one (NFS close-to-open consistency).
 *
 * Floors are announced only on a grid: the writer of version t·every announces t·every − keep. The
 * pruner removes only names below the floor it read *before* announcing its own, so a removed name n
 * implies two announcements above n, in that order, before the removal. That is what lets a writer
 * whose link of n succeeded tell a stale publish (n was used and removed before the link) from its
 * own slow success (the floor passed n only after the link): see `staleLink`.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StateCorruptError, StateIoError } from './errors';

export const FLOOR_FILE = 'floor';

export interface Floor {
  /** Versions below this may be gone; 0: none ever were (a record older than pruning, or a young one). */
  floor: number;
  /** Every version name below this has been removed (from 1: the flat layout had them all). */
  swept: number;
  /** When the first floor was announced (ms since the epoch): removals wait a grace period after it. */
  since: number;
}

/** A record never pruned: today's flat layout, versions 1..newest all present (old ones emptied). */
export const NO_FLOOR: Floor = { floor: 0, swept: 1, since: 0 };

export async function readFloor(key: string, dir: string): Promise<Floor> {
  const file = join(dir, FLOOR_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return NO_FLOOR;
    throw new StateIoError(key, 'read', err);
  }
  try {
    const floor = JSON.parse(text) as Floor;
    if (Number.isSafeInteger(floor.floor) && Number.isSafeInteger(floor.swept) && Number.isFinite(floor.since)) return floor;
    throw new Error('not a floor');
  } catch (err) {
    throw new StateCorruptError(key, file, err);
  }
}

/**
 * Replaces the floor file whole with `next` if it still holds `expected`'s floor and `laterRound`
 * (whether the next round's grid version exists) says no: false when another pruner moved it or may
 * be about to. The new file is written and flushed first, so the last checks and the rename are back
 * to back; a rename is not conditional, so a pruner stalled between them while a whole round passes
 * can still overwrite a newer floor, which `FileStateStore` then announces again (see there).
 */
export async function raiseFloor(key: string, dir: string, expected: Floor, next: Floor, laterRound?: () => Promise<boolean>): Promise<boolean> {
  const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(next), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await readFloor(key, dir)).floor !== expected.floor || await laterRound?.()) {
      await unlink(temp);
      return false;
    }
    await rename(temp, join(dir, FLOOR_FILE));
    return true;
  } catch (err) {
    await unlink(temp).catch(() => undefined); // best effort: the write already failed
    throw err instanceof StateCorruptError ? err : new StateIoError(key, 'write', err);
  }
}

/** The floor the writer of `version` announces, or undefined when `version` is not on the grid. */
export function announcedAt(version: number, every: number, keep: number): number | undefined {
  return every > 0 && version % every === 0 ? version - keep : undefined;
}

/**
 * Whether a link of version `n` that succeeded must be taken back, given the floor read after it.
 * - `n` at or above the floor: no pruner removes it, so the name was free: ours.
 * - Below it, the floor passed `n` after we read `n − 1`. A stale link (the name was used, removed,
 *   then linked again by us) needs the removal before our link, and the removal needs two floors
 *   above `n` announced before it (see the module comment). If the floor is still the first grid
 *   value above `n`, no such removal happened: the link was ours, only slow.
 * - Otherwise we cannot tell a stale link from a slow success (a writer frozen across two prune
 *   rounds around its link): taken back, since a lost update the writer believes in is worse than
 *   applying a change again (see FileStateStore).
 */
export function staleLink(n: number, floorAfter: number, every: number, keep: number): boolean {
  if (n >= floorAfter) return false;
  if (!(every > 0)) return true; // this process does not prune, another does: assume the worst
  const firstAbove = (Math.floor((n + keep) / every) + 1) * every - keep;
  return floorAfter >= firstAbove + every;
}
