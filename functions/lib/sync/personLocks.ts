/**
 * One push at a time per person. FC runs push instances side by side; two of them planning the
 * same person from two reads (a duplicated disable event, a department re-plan beside the
 * person's own change) could apply an older state over a newer one, or write a suspension record
 * from a read taken after the other had already suspended. Each person's read → plan → apply runs
 * under a lease (`lease/person/<externalId>`) that expires on its own, so a crashed instance blocks
 * that person for at most the ttl; held leases are renewed while the work lasts.
 *
 * Coalescing rides on the same lease: when a person's read → plan → apply ends with nothing failed
 * or held, push records when that read began (`push/covered/<externalId>`). A later change for them
 * that was emitted before that moment (less COALESCE_MARGIN_MS) was already seen by that read and
 * applied: it is skipped, with no vendor read and no RAM call. A change emitted after the read began
 * is never skipped. The record is written under the lease, so no other push reads the person
 * between the read and the record.
 */
import type { StateStore } from '../core/ports';
import { type Lease, Leases } from '../state/lease';
import type { StepFailure } from './failure';

/** Long enough for a chunk of people; renewed every third of it while held. */
export const PERSON_LEASE_TTL_MS = 60_000;
/** How long a push waits for a person another instance is applying before it retries them later. */
export const PERSON_LEASE_WAIT_MS = 15_000;

export const personBusy: StepFailure = {
  code: 'PersonBusy',
  reason: 'another push instance is applying this person right now',
  recommendedAction: 'none: the change is retried automatically',
  retryable: true,
};

/**
 * A change counts as covered only if it was emitted this long before the covering read began: room
 * for clock skew between the emitting function and push, and for a vendor answering a read with the
 * state of a few seconds ago.
 */
export const COALESCE_MARGIN_MS = 5_000;

/** When the last fully applied read of a person began (ms since the epoch). */
interface CoveredRecord {
  readAt: number;
}

const coveredKey = (externalId: string) => `push/covered/${externalId}`;

/** Whether a change emitted at `emittedAt` was seen by a read that began at `readAt`. */
export function isCovered(emittedAt: number, readAt: number | undefined): boolean {
  return readAt !== undefined && emittedAt + COALESCE_MARGIN_MS <= readAt;
}

/** Of these people, those a fully applied read begun after `emittedAt` (less the margin) covers. Call under their leases. */
export async function coveredPeople(state: StateStore, externalIds: string[], emittedAt: number): Promise<Set<string>> {
  const covered = new Set<string>();
  await Promise.all(externalIds.map(async (id) => {
    const record = await state.get<CoveredRecord>(coveredKey(id));
    if (isCovered(emittedAt, record?.readAt)) covered.add(id);
  }));
  return covered;
}

/** Records that these people's read begun at `readAt` was planned and applied in full. Call under their leases. */
export async function recordCovered(state: StateStore, externalIds: string[], readAt: number): Promise<void> {
  await Promise.all(externalIds.map((id) => state.put<CoveredRecord>(coveredKey(id), { readAt })));
}

export interface PersonLocks {
  /** externalIds whose lease we hold. */
  held: ReadonlySet<string>;
  /** externalIds another instance kept past the wait: not to be planned now. */
  busy: string[];
  /** Held people whose previous holder released them after `since`: a read older than that may be stale. */
  releasedSince(since: number): string[];
  release(): Promise<void>;
}

export interface PersonLockOptions {
  leases?: Leases;
  waitMs?: number;
}

export function personLeases(state: StateStore): Leases {
  return new Leases(state, { ttlMs: PERSON_LEASE_TTL_MS });
}

export async function lockPeople(state: StateStore, externalIds: string[], options: PersonLockOptions = {}): Promise<PersonLocks> {
  const leases = options.leases ?? personLeases(state);
  const waitMs = options.waitMs ?? PERSON_LEASE_WAIT_MS;
  const taken = new Map<string, Lease>();
  const busy: string[] = [];
  await Promise.all([...new Set(externalIds)].map(async (id) => {
    const lease = await leases.acquire(`person/${id}`, { timeoutMs: waitMs });
    if (lease) taken.set(id, lease);
    else busy.push(id);
  }));
  // Renewed together; a lease lost meanwhile (we were frozen past the ttl) is only logged by the
  // next holder's re-read: the plan in hand still applies idempotent, level-based steps.
  const renewal = taken.size > 0
    ? setInterval(() => { for (const lease of taken.values()) void lease.renew().catch(() => undefined); }, PERSON_LEASE_TTL_MS / 3)
    : undefined;
  renewal?.unref();
  return {
    held: new Set(taken.keys()),
    busy,
    releasedSince: (since) => [...taken].filter(([, l]) => (l.previousReleasedAt ?? 0) >= since).map(([id]) => id),
    async release() {
      clearInterval(renewal);
      await Promise.all([...taken.values()].map((lease) => lease.release().catch(() => undefined)));
    },
  };
}
