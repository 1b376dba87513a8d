/**
 * One push at a time per person. FC runs push instances side by side; two of them planning the
 * same person from two reads (a duplicated disable event, a department re-plan beside the
 * person's own change) could apply an older state over a newer one, or write a suspension record
 * from a read taken after the other had already suspended. Each person's read → plan → apply runs
 * under a lease (`lease/person/<externalId>`) that expires on its own, so a crashed instance blocks
 * that person for at most the ttl; held leases are renewed while the work lasts.
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
