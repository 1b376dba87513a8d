/**
 * Leases: "one holder at a time" across every process sharing a StateStore (FC instances on one
 * NAS), built only on `StateStore.update`, the store's compare-and-swap. A lease expires on its own
 * (`ttlMs`), so an instance frozen or killed while holding one blocks others for at most that long;
 * a holder whose work may outlast the ttl renews it and stops when `renew` answers false.
 *
 * Rules:
 * - A lease is free when its record is absent, released, or expired; taking one over bumps the
 *   record's `generation`, so a later holder always has a larger one (a fencing number).
 * - Each acquisition is its own holder, even within one process: a second `tryAcquire` of a held
 *   name answers undefined, it is not re-entrant.
 * - Expiry compares wall clocks of different machines: keep `ttlMs` well above their skew (seconds).
 * - `release` writes a released marker with `update` instead of deleting: a key written with
 *   `update` is written only with `update`, and a delete racing an acquisition could hand the lease
 *   to two holders. So one small record per name stays, free, under `lease/`.
 *
 * @example
 * const leases = new Leases(state, { ttlMs: 30_000 });
 * const lease = await leases.acquire('oauth/refresh', { timeoutMs: 10_000 });
 * if (!lease) throw new Error('busy');
 * try { await work(); } finally { await lease.release(); }
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StateStore } from '../core/ports';

export const LEASE_PREFIX = 'lease/';

/**
 * A lease a crash loses is harmless (its holder is gone, and it would expire anyway): leases skip the
 * flushes to disk that make other records survive a power cut, which are most of a write's cost.
 */
const NOT_DURABLE = { durable: false } as const;

export interface LeaseOptions {
  /** How long an acquisition or renewal holds the lease without another renewal. */
  ttlMs: number;
  /** Who holds it, for operators reading the record. Default: host, pid and a random part. */
  owner?: string;
  /** Wall clock for expiry, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export interface LeaseWait {
  /** Give up (answer undefined) after this long. */
  timeoutMs: number;
  /** First poll interval; later ones grow, jittered, up to 16 times this. Default 50 ms. */
  pollMs?: number;
  /** Stop waiting (answer undefined) when aborted. */
  signal?: AbortSignal;
}

export interface Lease {
  readonly key: string;
  readonly owner: string;
  /** Grows with every acquisition of this name: a newer holder always has a larger one. */
  readonly generation: number;
  /** When it lapses unless renewed (ms since the epoch, by the holder's clock). */
  readonly expiresAt: number;
  /**
   * When the holder before this one released it (ms since the epoch), if it was released rather
   * than left to expire or never held: work planned from a read taken before then may be stale.
   */
  readonly previousReleasedAt?: number;
  /** Extends it by the ttl from now; false when it was lost (expired and taken, or released). */
  renew(): Promise<boolean>;
  /** Frees it for the next holder, only if it is still ours. */
  release(): Promise<void>;
}

/** The stored form under `lease/<name>`. A released lease has `holder: ''`. */
export interface LeaseRecord {
  owner: string;
  /** This acquisition, unique across processes: what renew and release compare. */
  holder: string;
  generation: number;
  expiresAt: number;
  /** On a released record: when it was released. */
  releasedAt?: number;
}

export class Leases {
  readonly owner: string;
  private readonly now: () => number;

  constructor(private readonly state: StateStore, private readonly options: LeaseOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.now = options.now ?? Date.now;
  }

  /** The lease if it is free now (absent, released or expired); undefined while another holds it. */
  async tryAcquire(name: string): Promise<Lease | undefined> {
    const key = `${LEASE_PREFIX}${name}`;
    const holder = `${this.owner}:${randomBytes(8).toString('hex')}`;
    let previousReleasedAt: number | undefined;
    const stored = await this.state.update<LeaseRecord>(key, (current) => {
      const now = this.now();
      if (current?.holder && current.expiresAt > now) return undefined;
      previousReleasedAt = current?.releasedAt;
      return { owner: this.owner, holder, generation: (current?.generation ?? 0) + 1, expiresAt: now + this.options.ttlMs };
    }, NOT_DURABLE);
    return stored?.holder === holder ? new HeldLease(this.state, key, stored, this.options.ttlMs, this.now, previousReleasedAt) : undefined;
  }

  /**
   * Polls `tryAcquire` with jittered, growing waits until the lease is free; undefined after
   * `timeoutMs` or when `signal` aborts. The jitter keeps instances that lost together from
   * polling together.
   */
  async acquire(name: string, wait: LeaseWait): Promise<Lease | undefined> {
    const pollMs = wait.pollMs ?? 50;
    const deadline = performance.now() + wait.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      if (wait.signal?.aborted) return undefined;
      const lease = await this.tryAcquire(name);
      if (lease) return lease;
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      const ceiling = pollMs * 2 ** Math.min(attempt, 4);
      const delay = Math.min(left, ceiling / 2 + Math.random() * (ceiling / 2));
      try {
        await sleep(delay, undefined, { signal: wait.signal });
      } catch {
        return undefined; // aborted while waiting
      }
    }
  }
}

class HeldLease implements Lease {
  readonly owner: string;
  readonly generation: number;
  private readonly holder: string;
  private expiry: number;

  constructor(
    private readonly state: StateStore,
    readonly key: string,
    record: LeaseRecord,
    private readonly ttlMs: number,
    private readonly now: () => number,
    readonly previousReleasedAt?: number,
  ) {
    this.owner = record.owner;
    this.holder = record.holder;
    this.generation = record.generation;
    this.expiry = record.expiresAt;
  }

  get expiresAt(): number {
    return this.expiry;
  }

  async renew(): Promise<boolean> {
    const stored = await this.state.update<LeaseRecord>(this.key, (current) =>
      current?.holder === this.holder ? { ...current, expiresAt: this.now() + this.ttlMs } : undefined, NOT_DURABLE);
    if (stored?.holder !== this.holder) return false;
    this.expiry = stored.expiresAt;
    return true;
  }

  async release(): Promise<void> {
    await this.state.update<LeaseRecord>(this.key, (current) =>
      current?.holder === this.holder
        ? { owner: '', holder: '', generation: current.generation, expiresAt: 0, releasedAt: this.now() }
        : undefined, NOT_DURABLE);
    this.expiry = 0;
  }
}
