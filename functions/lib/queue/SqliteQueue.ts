/**
 * The local, durable change queue: batches in a SQLite file (WAL), leased with a visibility
 * timeout, retried with backoff, dead-lettered after `maxAttempts`. At-least-once: a batch leased
 * and never acked (a crash, an expired lease) is delivered again.
 *
 * better-sqlite3 is a native module for the local stack only: nothing an FC bundle imports may
 * import this file, which is why no index re-exports it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Change, ChangeBatch } from '../core/model';
import type { ChangeQueue, PublishRequest } from '../core/ports';
import { ASYNC_TASK_RETENTION_MS, asyncTaskId } from './asyncTask';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { toBatches, type BatchOptions } from './batches';
import { consume, type BatchHandler, type ConsumeOptions, type Lease, type LeasingQueue } from './consume';
import { QueueStoreError } from './errors';

export interface SqliteQueueOptions {
  /** The database file; its folder is created. `:memory:` works for a single connection. */
  path: string;
  /** Deliveries before a batch goes to the dead letters. Default 5. */
  maxAttempts?: number;
  /** How long a lease hides a batch from other consumers. Default 60 s. */
  leaseMs?: number;
  backoff?: BackoffPolicy;
  /** Clock in epoch milliseconds, injectable for tests. */
  now?: () => number;
  batch?: Omit<BatchOptions, 'now'>;
  /** How long to wait for another connection's write lock. Default 5 s. */
  busyTimeoutMs?: number;
}

export interface DeadLetter {
  id: string;
  attempts: number;
  lastReason: string;
  changeCount: number;
  enqueuedAt: string;
  failedAt: string;
  batch: ChangeBatch;
}

export interface QueueStats {
  /** Deliverable now (including batches whose lease expired). */
  ready: number;
  /** Leased and within the lease. */
  leased: number;
  /** Waiting out a retry backoff. */
  delayed: number;
  dead: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT    NOT NULL UNIQUE,
  body         TEXT    NOT NULL,
  change_count INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  -- deliverable when visible_at <= now; a lease or a backoff moves it into the future
  visible_at   INTEGER NOT NULL,
  lease_id     TEXT    UNIQUE,
  last_error   TEXT,
  enqueued_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_by_visibility ON batches (visible_at, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
  id           TEXT    PRIMARY KEY,
  body         TEXT    NOT NULL,
  change_count INTEGER NOT NULL,
  attempts     INTEGER NOT NULL,
  last_error   TEXT    NOT NULL,
  enqueued_at  INTEGER NOT NULL,
  failed_at    INTEGER NOT NULL
);
-- async task ids seen (FC's x-fc-async-task-id), so a request published twice is enqueued once
CREATE TABLE IF NOT EXISTS task_ids (
  id           TEXT    PRIMARY KEY,
  seen_at      INTEGER NOT NULL
);`;

interface BatchRow {
  id: string;
  body: string;
  change_count: number;
  attempts: number;
  last_error: string | null;
  enqueued_at: number;
}
interface DeadRow extends BatchRow {
  last_error: string;
  failed_at: number;
}

/**
 * @example
 * const queue = new SqliteQueue({ path: '.state/queue.sqlite' });
 * await queue.publish(changes);
 * const stop = new AbortController();
 * void queue.consume((batch) => push(batch), { signal: stop.signal });
 */
export class SqliteQueue implements ChangeQueue, LeasingQueue {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;

  constructor(private readonly options: SqliteQueueOptions) {
    this.now = options.now ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.leaseMs = options.leaseMs ?? 60_000;
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5_000 });
      this.db.pragma('journal_mode = WAL');
      this.db.transaction(() => this.db.exec(SCHEMA)).immediate();
    } catch (cause) {
      throw new QueueStoreError(`cannot open the local queue at ${options.path}`, { cause });
    }
  }

  /**
   * Stores the batches durably; resolves once committed. With a `dedupeKey`, a batch whose async
   * task id was seen within FC's retention is skipped, as FC would refuse it (asyncTask.ts).
   */
  async publish(changes: Change[], options: PublishRequest = {}): Promise<ChangeBatch[]> {
    const batches = toBatches(changes, { ...this.options.batch, now: () => new Date(this.now()) });
    const { dedupeKey } = options;
    this.db.transaction(() => {
      batches.forEach((b, index) => this.store(b, dedupeKey === undefined ? undefined : asyncTaskId(dedupeKey, index)));
    }).immediate();
    return batches;
  }

  /**
   * Stores a batch made elsewhere, keeping its id (the local FC gateway receives batches that
   * `FcAsyncQueue` built). A batch id already stored is ignored: a re-sent invocation is one batch.
   * False when `taskId` was seen before: the gateway answers 409, as FC does.
   */
  enqueue(batch: ChangeBatch, taskId?: string): boolean {
    return this.db.transaction(() => this.store(batch, taskId)).immediate();
  }

  /** Inside a write transaction: false when the task id was already seen. */
  private store(batch: ChangeBatch, taskId: string | undefined): boolean {
    const at = this.now();
    if (taskId !== undefined) {
      this.db.prepare('DELETE FROM task_ids WHERE seen_at < ?').run(at - ASYNC_TASK_RETENTION_MS);
      if (this.db.prepare('INSERT OR IGNORE INTO task_ids (id, seen_at) VALUES (?, ?)').run(taskId, at).changes === 0) return false;
    }
    this.db.prepare(
      'INSERT OR IGNORE INTO batches (id, body, change_count, visible_at, enqueued_at) VALUES (?, ?, ?, ?, ?)',
    ).run(batch.id, JSON.stringify(batch), batch.changes.length, at, at);
    return true;
  }

  /**
   * Takes up to `max` deliverable batches, hiding them for `leaseMs`. One write transaction, so two
   * connections (or processes) never lease the same batch.
   */
  lease(max = 1, leaseMs = this.leaseMs): Lease[] {
    return this.db.transaction((): Lease[] => {
      const now = this.now();
      this.deadLetterExhausted(now);
      const rows = this.db.prepare(
        'SELECT id, body, attempts FROM batches WHERE visible_at <= ? ORDER BY visible_at, seq LIMIT ?',
      ).all(now, max) as Array<Pick<BatchRow, 'id' | 'body' | 'attempts'>>;
      const take = this.db.prepare('UPDATE batches SET lease_id = ?, attempts = attempts + 1, visible_at = ? WHERE id = ?');
      return rows.map((row) => {
        const leaseId = randomUUID();
        take.run(leaseId, now + leaseMs, row.id);
        return { leaseId, batch: JSON.parse(row.body) as ChangeBatch, attempt: row.attempts + 1 };
      });
    }).immediate();
  }

  /** Done with the batch. False when the lease is unknown (already acked, failed, or dead). */
  ack(leaseId: string): boolean {
    return this.db.prepare('DELETE FROM batches WHERE lease_id = ?').run(leaseId).changes > 0;
  }

  /**
   * The batch failed: it is delivered again after a backoff, or moved to the dead letters once it
   * has had `maxAttempts` deliveries, or at once when `terminal`.
   */
  fail(leaseId: string, reason: string, options: { terminal?: boolean } = {}): boolean {
    return this.db.transaction((): boolean => {
      const row = this.db.prepare('SELECT id, attempts FROM batches WHERE lease_id = ?').get(leaseId) as
        Pick<BatchRow, 'id' | 'attempts'> | undefined;
      if (!row) return false;
      const now = this.now();
      if (options.terminal || row.attempts >= this.maxAttempts) {
        this.moveToDead(row.id, reason, now);
      } else {
        this.db.prepare('UPDATE batches SET lease_id = NULL, visible_at = ?, last_error = ? WHERE id = ?')
          .run(now + backoffDelay(row.attempts, this.options.backoff), reason, row.id);
      }
      return true;
    }).immediate();
  }

  deadLetters(): DeadLetter[] {
    const rows = this.db.prepare('SELECT * FROM dead_letters ORDER BY failed_at, id').all() as DeadRow[];
    return rows.map((r) => ({
      id: r.id, attempts: r.attempts, lastReason: r.last_error, changeCount: r.change_count,
      enqueuedAt: new Date(r.enqueued_at).toISOString(), failedAt: new Date(r.failed_at).toISOString(),
      batch: JSON.parse(r.body) as ChangeBatch,
    }));
  }

  /** Puts dead letters back, deliverable now with attempts reset. Answers the ids replayed. */
  replay(ids: readonly string[] | 'all'): string[] {
    return this.db.transaction((): string[] => {
      const rows = (ids === 'all'
        ? this.db.prepare('SELECT * FROM dead_letters ORDER BY failed_at, id').all()
        : ids.map((id) => this.db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id)).filter(Boolean)) as DeadRow[];
      const now = this.now();
      const insert = this.db.prepare(
        'INSERT INTO batches (id, body, change_count, visible_at, enqueued_at) VALUES (?, ?, ?, ?, ?)');
      const remove = this.db.prepare('DELETE FROM dead_letters WHERE id = ?');
      for (const r of rows) {
        insert.run(r.id, r.body, r.change_count, now, r.enqueued_at);
        remove.run(r.id);
      }
      return rows.map((r) => r.id);
    }).immediate();
  }

  stats(): QueueStats {
    const now = this.now();
    const row = this.db.prepare(`SELECT
        COALESCE(SUM(visible_at <= ?), 0) AS ready,
        COALESCE(SUM(visible_at > ? AND lease_id IS NOT NULL), 0) AS leased,
        COALESCE(SUM(visible_at > ? AND lease_id IS NULL), 0) AS delayed,
        (SELECT COUNT(*) FROM dead_letters) AS dead
      FROM batches`).get(now, now, now) as QueueStats;
    return { ready: row.ready, leased: row.leased, delayed: row.delayed, dead: row.dead };
  }

  /** Lease → handler → ack, or fail on throw, until `signal` aborts. */
  consume(handler: BatchHandler, options: ConsumeOptions = {}): Promise<void> {
    return consume(this, handler, options);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** A batch whose last lease expired after its final delivery would otherwise loop forever. */
  private deadLetterExhausted(now: number): void {
    const rows = this.db.prepare(
      'SELECT id, attempts, last_error FROM batches WHERE visible_at <= ? AND lease_id IS NOT NULL AND attempts >= ?',
    ).all(now, this.maxAttempts) as Array<Pick<BatchRow, 'id' | 'attempts' | 'last_error'>>;
    for (const r of rows) {
      const last = r.last_error ? ` (last failure: ${r.last_error})` : '';
      this.moveToDead(r.id, `lease expired without ack on delivery ${r.attempts}${last}`, now);
    }
  }

  private moveToDead(id: string, reason: string, now: number): void {
    this.db.prepare(`INSERT OR REPLACE INTO dead_letters (id, body, change_count, attempts, last_error, enqueued_at, failed_at)
      SELECT id, body, change_count, attempts, ?, enqueued_at, ? FROM batches WHERE id = ?`).run(reason, now, id);
    this.db.prepare('DELETE FROM batches WHERE id = ?').run(id);
  }
}
