/**
 * Suspension records: what suspending a person changed in RAM, so enabling them again restores
 * exactly that. Written *before* the changes (a crash leaves an incomplete record that the next run
 * completes) and marked complete after.
 */
import type { StateStore } from '../core/ports';

export interface SuspensionRecord {
  externalId: string;
  userName: string;
  /** AccessKeys that were Active and that we set Inactive. */
  accessKeyIds: string[];
  /** The console login we removed, if there was one. */
  loginProfile?: { passwordResetRequired: boolean; mfaBindRequired: boolean };
  suspendedAt: string;
  complete: boolean;
}

const PREFIX = 'suspension/';

/**
 * Two records of one suspension as one: the union of what each says was changed. A record is only
 * ever merged, never replaced by a later read (which would see the keys already Inactive and the
 * login already gone, and remember nothing to restore).
 */
export function mergeSuspensions(earlier: SuspensionRecord | undefined, next: SuspensionRecord): SuspensionRecord {
  if (!earlier) return next;
  return {
    ...next,
    accessKeyIds: [...new Set([...earlier.accessKeyIds, ...next.accessKeyIds])].sort(),
    loginProfile: earlier.loginProfile ?? next.loginProfile,
    suspendedAt: earlier.suspendedAt < next.suspendedAt ? earlier.suspendedAt : next.suspendedAt,
  };
}

export const suspensionKey = (externalId: string) => `${PREFIX}${externalId}`;

export class SuspensionStore {
  constructor(private readonly state: StateStore) {}

  get(externalId: string): Promise<SuspensionRecord | undefined> {
    return this.state.get<SuspensionRecord>(suspensionKey(externalId));
  }

  put(record: SuspensionRecord): Promise<void> {
    return this.state.put(suspensionKey(record.externalId), record);
  }

  /** Writes `record` merged with what is stored (see mergeSuspensions); answers what was written. */
  async merge(record: SuspensionRecord): Promise<SuspensionRecord> {
    const merged = mergeSuspensions(await this.get(record.externalId), record);
    await this.put(merged);
    return merged;
  }

  remove(externalId: string): Promise<void> {
    return this.state.delete(suspensionKey(externalId));
  }

  /** Follows a person whose externalId changed; answers whether there was a record to move. */
  async move(from: string, to: string): Promise<boolean> {
    const record = await this.get(from);
    if (!record) return false;
    await this.put({ ...record, externalId: to });
    await this.remove(from);
    return true;
  }

  /** externalIds whose suspension finished; incomplete ones are suspended again by the next plan. */
  async completed(): Promise<Set<string>> {
    const keys = await this.state.list(PREFIX);
    const done = new Set<string>();
    for (const key of keys) {
      const record = await this.state.get<SuspensionRecord>(key);
      if (record?.complete) done.add(record.externalId);
    }
    return done;
  }
}
