/**
 * The operator's queue command as a separate process, on a queue file the test fills and fails
 * through the real SqliteQueue.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Change } from '../../../functions/lib/core/model';
import { SqliteQueue } from '../../../functions/lib/queue/SqliteQueue';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import { FailedChanges } from '../../../functions/lib/sync/failedChanges';
import { runCli } from '../../support/cliProcess';


describe('npm run queue', () => {
  let dir: string;
  let file: string;

  const queueCli = async (...args: string[]) => {
    const env = { ...process.env, QUEUE_SQLITE_PATH: file, STATE_DIR: path.join(dir, 'state') };
    return runCli('infra/cli/queue.ts', args, env);
  };

  const change = (sourceId: string): Change => ({
    source: 'lark', kind: 'user', sourceId, reason: 'contact.user.updated_v3', hint: { email: 'hidden.person@example.com' },
  });

  /** Two dead letters (one with two changes) and one ready batch. */
  async function seed(): Promise<string[]> {
    const q = new SqliteQueue({ path: file, maxAttempts: 1 });
    try {
      const [a] = await q.publish([change('ou_1'), change('ou_2')]);
      const [b] = await q.publish([change('ou_3')]);
      for (const lease of q.lease(2)) q.fail(lease.leaseId, 'RetryableRamError: scim.createUser Throttling (HTTP 429)');
      await q.publish([change('ou_4')]);
      return [a!.id, b!.id];
    } finally {
      q.close();
    }
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'queue-cli-'));
    file = path.join(dir, 'queue.sqlite');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('failed lists what push gave up on, from the state directory, with what to do', async () => {
    expect((await queueCli('failed')).out).toContain('the failed list is empty');
    await new FailedChanges(new FileStateStore(path.join(dir, 'state'))).settle([{
      key: 'lark:ou_9', subject: 'person', action: 'create', code: 'InvalidParameter.UserName', retryable: false,
      reason: 'RAM refused the name', recommendedAction: 'fix the userName template', runId: 'r1', batchId: 'b1', at: '2026-12-06T01:00:00.000Z',
    }], []);
    const { code, out } = await queueCli('failed');
    expect(code).toBe(0);
    expect(out).toMatch(/SINCE\s+WHAT\s+KEY\s+STEP\s+TIMES\s+WHY\s+WHAT TO DO/);
    expect(out).toMatch(/2026-12-06 01:00:00Z\s+person\s+lark:ou_9\s+create\s+1\s+RAM refused the name\s+fix the userName template/);
    expect(out).toContain('npm run sync -- --retry-failed');
  }, 30_000);

  it('status says there is no queue yet, without creating one', async () => {
    const { code, out } = await queueCli('status');
    expect(code).toBe(0);
    expect(out).toContain(`no local queue at ${file}`);
    expect(existsSync(file)).toBe(false);
  }, 30_000);

  it('status prints the counts', async () => {
    await seed();
    const { code, out } = await queueCli('status');
    expect(code).toBe(0);
    expect(out).toMatch(/ready\s+1\n/);
    expect(out).toMatch(/leased\s+0\n/);
    expect(out).toMatch(/delayed\s+0\n/);
    expect(out).toMatch(/dead\s+2/);
  }, 30_000);

  it('dead lists id, attempts, change count and last reason, never the hints', async () => {
    const [a, b] = await seed();
    const { code, out } = await queueCli('dead');
    expect(code).toBe(0);
    expect(out).toMatch(/ID\s+ATTEMPTS\s+CHANGES\s+FAILED AT\s+LAST REASON/);
    expect(out).toMatch(new RegExp(`${a}\\s+1\\s+2\\s+\\S+\\s+RetryableRamError: scim.createUser Throttling \\(HTTP 429\\)`));
    expect(out).toMatch(new RegExp(`${b}\\s+1\\s+1\\s`));
    expect(out).not.toContain('example.com');
    expect(out).not.toContain('ou_1');
  }, 30_000);

  it('replays one dead letter by id, then the rest with --all', async () => {
    const [a, b] = await seed();
    const one = await queueCli('replay', a!);
    expect(one).toEqual({ code: 0, out: `replayed 1 batch(es): ${a}\n` });

    const missing = await queueCli('replay', a!);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain(`not dead letters: ${a}`);

    const rest = await queueCli('replay', '--all');
    expect(rest).toEqual({ code: 0, out: `replayed 1 batch(es): ${b}\n` });

    const q = new SqliteQueue({ path: file });
    try {
      expect(q.stats()).toEqual({ ready: 3, leased: 0, delayed: 0, dead: 0 });
      expect(q.lease(3).map((l) => l.attempt)).toEqual([1, 1, 1]);
    } finally {
      q.close();
    }
  }, 30_000);

  it('refuses an unknown command or a replay without targets with usage and exit code 2', async () => {
    await seed();
    const unknown = await queueCli('purge');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/usage: queue status \| dead \| replay/);
    expect((await queueCli('replay')).code).toBe(2);
  }, 30_000);
});
