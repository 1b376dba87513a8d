/**
 * The changes push gave up on: a final failure (RAM refused the person, a configuration problem, a
 * message that cannot be decoded) is recorded here, one entry per person, department, group or
 * message, so an operator can list them (`npm run queue -- failed`, or `--remote` in FC) instead of
 * searching the logs. A person's entry goes when a later change for them applies.
 *
 * One record for all of them, changed with `update`: push reads it once per batch (one lookup when
 * nothing ever failed) and writes it only when something failed or a listed person recovered.
 */
import type { Change } from '../core/model';
import type { StateStore } from '../core/ports';
import type { StepFailure } from './failure';

export const FAILED_CHANGES_KEY = 'push/failed';
/** Older entries give way beyond this; the count of dropped ones is kept. */
export const MAX_FAILED_ENTRIES = 1_000;

export type FailedSubject = 'person' | 'department' | 'group' | 'message';

export interface FailedChange extends StepFailure {
  /** What failed: an externalId, `<source>:department:<id>`, `group:<name>` or `message:<batch id>`. */
  key: string;
  subject: FailedSubject;
  /** The step that failed (`read`, `create`, `suspend`, `decode` …). */
  action: string;
  change?: Change;
  batchId?: string;
  runId: string;
  at: string;
  /** How many times it failed before it was listed here (1 when first seen). */
  times: number;
}

interface FailedRecord {
  v: 1;
  entries: Record<string, FailedChange>;
  /** Entries dropped to keep the record small: the logs have them. */
  dropped: number;
}

export class FailedChanges {
  constructor(private readonly state: StateStore) {}

  async list(): Promise<{ entries: FailedChange[]; dropped: number }> {
    const record = await this.state.get<FailedRecord>(FAILED_CHANGES_KEY);
    const entries = Object.values(record?.entries ?? {}).sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
    return { entries, dropped: record?.dropped ?? 0 };
  }

  /** Records `failed` and forgets `recovered` (keys that applied since), in one write when anything changes. */
  async settle(failed: Omit<FailedChange, 'times'>[], recovered: Iterable<string>): Promise<void> {
    const gone = new Set(recovered);
    for (const f of failed) gone.delete(f.key);
    if (failed.length === 0) {
      // The common case: nothing failed. Read before writing, so a clean push writes nothing.
      const current = await this.state.get<FailedRecord>(FAILED_CHANGES_KEY);
      if (!current || ![...gone].some((key) => key in current.entries)) return;
    }
    await this.state.update<FailedRecord>(FAILED_CHANGES_KEY, (current) => {
      const entries = { ...(current?.entries ?? {}) };
      let changed = false;
      for (const key of gone) {
        if (key in entries) {
          delete entries[key];
          changed = true;
        }
      }
      for (const f of failed) {
        entries[f.key] = { ...f, times: (entries[f.key]?.times ?? 0) + 1 };
        changed = true;
      }
      if (!changed) return undefined;
      const keys = Object.keys(entries);
      let dropped = current?.dropped ?? 0;
      if (keys.length > MAX_FAILED_ENTRIES) {
        const oldest = keys.sort((a, b) => entries[a]!.at.localeCompare(entries[b]!.at)).slice(0, keys.length - MAX_FAILED_ENTRIES);
        for (const key of oldest) delete entries[key];
        dropped += oldest.length;
      }
      return { v: 1, entries, dropped };
    });
  }

  /** Forgets entries an operator has dealt with; `all` empties the list. Answers how many went. */
  async forget(keys: string[] | 'all'): Promise<number> {
    let removed = 0;
    await this.state.update<FailedRecord>(FAILED_CHANGES_KEY, (current) => {
      if (!current) return undefined;
      const entries = { ...current.entries };
      removed = 0;
      for (const key of keys === 'all' ? Object.keys(entries) : keys) {
        if (key in entries) {
          delete entries[key];
          removed += 1;
        }
      }
      return removed === 0 ? undefined : { ...current, entries };
    });
    return removed;
  }
}
