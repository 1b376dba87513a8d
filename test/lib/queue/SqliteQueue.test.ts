import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Change, ChangeBatch } from '../../../functions/lib/core/model';
import { FinalError } from '../../../functions/lib/core/errors';
import { SqliteQueue, type SqliteQueueOptions } from '../../../functions/lib/queue/SqliteQueue';

const change = (sourceId: string): Change => ({ source: 'ad', kind: 'user', sourceId, reason: 'usn' });

const root = resolve(__dirname, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const modulePath = join(root, 'functions/lib/queue/SqliteQueue');

/** Runs `body` in a separate Node process with `q`, a SqliteQueue on `path`; resolves with its stdout. */
async function inProcess(path: string, body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `import { SqliteQueue } from ${JSON.stringify(modulePath)};
    const q = new SqliteQueue({ path: ${JSON.stringify(path)} });
    ${body}`;
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, ['-e', script], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number | null; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('SqliteQueue', () => {
  let dir: string;
  let path: string;
  let clock: number;
  const open: SqliteQueue[] = [];
  const queue = (options: Partial<SqliteQueueOptions> = {}) => {
    const q = new SqliteQueue({ path, now: () => clock, backoff: { baseMs: 1_000, jitter: 0 }, ...options });
    open.push(q);
    return q;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'queue-'));
    path = join(dir, 'nested', 'queue.sqlite');
    clock = Date.parse('2025-03-01T00:00:00Z');
  });
  afterEach(async () => {
    for (const q of open.splice(0)) q.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores published batches and hands them out once leased, until acked', async () => {
    const q = queue();
    const [batch] = await q.publish([change('a'), change('b')]);
    expect(q.stats()).toEqual({ ready: 1, leased: 0, delayed: 0, dead: 0 });

    const [lease, ...more] = q.lease(5);
    expect(more).toEqual([]);
    expect(lease).toEqual({ leaseId: expect.any(String), batch, attempt: 1 });
    expect(q.lease()).toEqual([]);
    expect(q.stats()).toEqual({ ready: 0, leased: 1, delayed: 0, dead: 0 });

    expect(q.ack(lease!.leaseId)).toBe(true);
    expect(q.ack(lease!.leaseId)).toBe(false);
    expect(q.stats()).toEqual({ ready: 0, leased: 0, delayed: 0, dead: 0 });
  });

  it('enqueues a batch built elsewhere under its own id, once however often it is sent', () => {
    const q = queue();
    const batch: ChangeBatch = { v: 1, id: 'from-fc-gateway', emittedAt: '2026-11-28T00:00:00Z', changes: [change('a')] };
    q.enqueue(batch);
    q.enqueue(batch);
    expect(q.stats().ready).toBe(1);
    expect(q.lease(5).map((l) => l.batch)).toEqual([batch]);
  });

  it('enqueues changes published twice under one dedupe key once, across connections, as FC does with task ids', async () => {
    const a = queue();
    const b = queue();
    const key = 'wecom\nsignature\n1700000000\nnonce';
    await a.publish([change('x'), change('y')], { dedupeKey: key });
    // Acked already: the key is remembered beyond the batch's life.
    const [lease] = a.lease(5);
    a.ack(lease!.leaseId);
    await b.publish([change('x'), change('y')], { dedupeKey: key });
    await b.publish([change('x')], { dedupeKey: 'another request' });
    expect(b.lease(5).map((l) => l.batch.changes.map((c) => c.sourceId))).toEqual([['x']]);
  });

  it('forgets a dedupe key after FC keeps async task ids (7 days)', async () => {
    const q = queue();
    await q.publish([change('x')], { dedupeKey: 'k' });
    clock += 7 * 24 * 3600_000 + 1;
    await q.publish([change('x')], { dedupeKey: 'k' });
    expect(q.stats().ready).toBe(2);
  });

  it('refuses a task id it has seen when a batch comes through the local FC gateway', () => {
    const q = queue();
    const batch = (id: string): ChangeBatch => ({ v: 1, id, emittedAt: '2026-11-28T00:00:00Z', changes: [change('a')] });
    expect(q.enqueue(batch('first'), 't_abc_0')).toBe(true);
    expect(q.enqueue(batch('second'), 't_abc_0')).toBe(false);
    expect(q.lease(5).map((l) => l.batch.id)).toEqual(['first']);
  });

  it('delivers in publication order', async () => {
    const q = queue();
    const first = await q.publish([change('1')]);
    const second = await q.publish([change('2')]);
    expect(q.lease(2).map((l) => l.batch.id)).toEqual([first[0]!.id, second[0]!.id]);
  });

  it('delivers a batch again when its lease expires without an ack', async () => {
    const q = queue({ leaseMs: 30_000 });
    await q.publish([change('a')]);
    const [first] = q.lease();
    clock += 29_999;
    expect(q.lease()).toEqual([]);
    clock += 1;
    const [again] = q.lease();
    expect(again).toMatchObject({ batch: first!.batch, attempt: 2 });
    expect(again!.leaseId).not.toBe(first!.leaseId);
    // The stale lease can no longer ack: the batch belongs to the new one.
    expect(q.ack(first!.leaseId)).toBe(false);
    expect(q.ack(again!.leaseId)).toBe(true);
  });

  it('redelivers after a crash between lease and ack (closed without ack, reopened)', async () => {
    const before = queue({ leaseMs: 10_000 });
    const [batch] = await before.publish([change('a')]);
    expect(before.lease()).toHaveLength(1);
    before.close();

    clock += 10_000;
    const after = queue({ leaseMs: 10_000 });
    expect(after.lease()).toEqual([expect.objectContaining({ batch, attempt: 2 })]);
  });

  it('retries a failed batch after an exponential backoff', async () => {
    const q = queue({ maxAttempts: 10 });
    await q.publish([change('a')]);
    let [lease] = q.lease();
    for (const delay of [1_000, 2_000, 4_000, 8_000]) {
      expect(q.fail(lease!.leaseId, 'boom')).toBe(true);
      expect(q.stats()).toEqual({ ready: 0, leased: 0, delayed: 1, dead: 0 });
      clock += delay - 1;
      expect(q.lease()).toEqual([]);
      clock += 1;
      [lease] = q.lease();
      expect(lease).toBeDefined();
    }
    expect(lease!.attempt).toBe(5);
  });

  it('adds jitter on top of the backoff', async () => {
    const q = queue({ backoff: { baseMs: 1_000, jitter: 0.5, random: () => 0.5 } });
    await q.publish([change('a')]);
    q.fail(q.lease()[0]!.leaseId, 'boom');
    clock += 1_249;
    expect(q.lease()).toEqual([]);
    clock += 1;
    expect(q.lease()).toHaveLength(1);
  });

  it('moves a batch to the dead letters after maxAttempts, with the last reason', async () => {
    const q = queue({ maxAttempts: 3 });
    const [batch] = await q.publish([change('a'), change('b')]);
    for (let i = 1; i <= 3; i++) {
      const [lease] = q.lease();
      expect(lease?.attempt).toBe(i);
      expect(q.fail(lease!.leaseId, `RetryableRamError: attempt ${i} failed`)).toBe(true);
      clock += 60 * 60_000;
    }
    expect(q.lease()).toEqual([]);
    expect(q.stats()).toEqual({ ready: 0, leased: 0, delayed: 0, dead: 1 });
    expect(q.deadLetters()).toEqual([{
      id: batch!.id, attempts: 3, lastReason: 'RetryableRamError: attempt 3 failed', changeCount: 2,
      enqueuedAt: expect.any(String), failedAt: new Date(clock - 60 * 60_000).toISOString(), batch,
    }]);
  });

  it('dead-letters at once on a terminal failure', async () => {
    const q = queue();
    await q.publish([change('a')]);
    q.fail(q.lease()[0]!.leaseId, 'FinalRamError: refused', { terminal: true });
    expect(q.deadLetters().map((d) => [d.attempts, d.lastReason])).toEqual([[1, 'FinalRamError: refused']]);
  });

  it('dead-letters a batch whose every delivery expired without an answer', async () => {
    const q = queue({ maxAttempts: 2, leaseMs: 1_000 });
    await q.publish([change('a')]);
    q.lease();
    clock += 1_000;
    expect(q.lease()[0]?.attempt).toBe(2);
    clock += 1_000;
    expect(q.lease()).toEqual([]);
    expect(q.deadLetters()[0]?.lastReason).toMatch(/lease expired without ack on delivery 2/);
  });

  it('replays dead letters, by id or all, with attempts reset', async () => {
    const q = queue({ maxAttempts: 1 });
    const [one] = await q.publish([change('1')]);
    const [two] = await q.publish([change('2')]);
    for (const l of q.lease(2)) q.fail(l.leaseId, 'boom');
    expect(q.stats().dead).toBe(2);

    expect(q.replay([one!.id, 'no-such-id'])).toEqual([one!.id]);
    expect(q.stats()).toMatchObject({ ready: 1, dead: 1 });
    expect(q.lease()).toEqual([{ leaseId: expect.any(String), batch: one, attempt: 1 }]);

    expect(q.replay('all')).toEqual([two!.id]);
    expect(q.deadLetters()).toEqual([]);
    expect(q.lease()[0]).toMatchObject({ batch: two, attempt: 1 });
  });

  it('never leases the same batch to two connections on one file', async () => {
    const a = queue();
    const b = queue();
    for (let i = 0; i < 50; i++) await (i % 2 ? a : b).publish([change(`${i}`)]);
    const seen: string[] = [];
    for (;;) {
      const got = [...a.lease(3), ...b.lease(2)];
      if (got.length === 0) break;
      seen.push(...got.map((l) => l.batch.id));
    }
    expect(seen).toHaveLength(50);
    expect(new Set(seen).size).toBe(50);
    expect(a.stats()).toEqual({ ready: 0, leased: 50, delayed: 0, dead: 0 });
  });

  it('runs a consume loop: handled batches are acked, failures retried, until aborted', async () => {
    const q = new SqliteQueue({ path, backoff: { baseMs: 5, jitter: 0 } });
    open.push(q);
    await q.publish([change('ok')]);
    await q.publish([change('flaky')]);
    const handled: string[] = [];
    let flakyFailures = 0;
    const stop = new AbortController();
    const done = q.consume(async (batch: ChangeBatch, lease) => {
      const id = batch.changes[0]!.sourceId;
      if (id === 'flaky' && lease.attempt < 3) {
        flakyFailures++;
        throw new Error('source unavailable');
      }
      handled.push(id);
      if (handled.length === 2) stop.abort();
    }, { signal: stop.signal, pollMs: 5 });
    await done;
    expect(handled).toEqual(['ok', 'flaky']);
    expect(flakyFailures).toBe(2);
    expect(q.stats()).toEqual({ ready: 0, leased: 0, delayed: 0, dead: 0 });
  });

  it('sends a handler error classified final straight to the dead letters', async () => {
    const q = new SqliteQueue({ path });
    open.push(q);
    await q.publish([change('bad')]);
    const stop = new AbortController();
    const done = q.consume(async () => {
      stop.abort();
      throw new FinalError({ code: 'InvalidParameter.UserName', reason: 'userName is invalid' });
    }, { signal: stop.signal, pollMs: 5 });
    await done;
    expect(q.deadLetters().map((d) => d.lastReason)).toEqual(['FinalError: userName is invalid']);
  });

  it('retries a handler error that only looks final: only a classified error is trusted', async () => {
    const q = new SqliteQueue({ path });
    open.push(q);
    await q.publish([change('odd')]);
    const stop = new AbortController();
    const done = q.consume(async () => {
      stop.abort();
      throw Object.assign(new Error('something odd'), { retryable: false });
    }, { signal: stop.signal, pollMs: 5 });
    await done;
    expect(q.deadLetters()).toEqual([]);
    expect(q.stats().delayed).toBe(1);
  });

  it('keeps what was published across reopening', async () => {
    const first = queue();
    const [batch] = await first.publish([change('a')]);
    first.close();
    expect(queue().lease()[0]?.batch).toEqual(batch);
  });

  describe('across processes', () => {
    it('redelivers a batch whose consumer was killed between lease and ack', async () => {
      const q = new SqliteQueue({ path });
      open.push(q);
      const [batch] = await q.publish([change('a')]);
      const child = await inProcess(path, `
        const [lease] = q.lease(1, 3000);
        console.log(lease.batch.id);
        process.kill(process.pid, 'SIGKILL');`);
      expect(child.stdout.trim()).toBe(batch!.id);
      // A lease long enough that a loaded machine still sees it held, then expired.
      expect(q.stats()).toMatchObject({ leased: 1 });
      await new Promise((r) => setTimeout(r, 3100));
      expect(q.lease()).toEqual([expect.objectContaining({ batch, attempt: 2 })]);
    }, 20_000);

    it('never leases the same batch to two of several consumers racing on one file', async () => {
      const q = new SqliteQueue({ path });
      open.push(q);
      for (let i = 0; i < 200; i++) await q.publish([change(`${i}`)]);
      // All start together (after their ~0.5 s boot), so their transactions really interleave.
      const startAt = Date.now() + 4_000;
      const consumer = `
        setTimeout(() => {
          const ids = [];
          for (let got = q.lease(1); got.length > 0; got = q.lease(1)) ids.push(got[0].batch.id);
          console.log(JSON.stringify(ids));
        }, ${startAt} - Date.now());`;
      const runs = await Promise.all([1, 2, 3, 4].map(() => inProcess(path, consumer)));
      expect(runs.map((r) => [r.code, r.stderr])).toEqual(runs.map(() => [0, '']));
      const leased = runs.flatMap((r) => JSON.parse(r.stdout) as string[]);
      expect(leased).toHaveLength(200);
      expect(new Set(leased).size).toBe(200);
      expect(q.stats()).toEqual({ ready: 0, leased: 200, delayed: 0, dead: 0 });
    }, 30_000);
  });
});
