/**
 * The pipeline end to end on the local stack: a change published through FC's async invoke API
 * (signed by the real SDK) lands in the durable queue, is drained into the `push` bundle and
 * reaches the RAM emulator — and with RAM failing at random, nothing is lost.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Change } from '../../../functions/lib/core/model';
import { FcAsyncQueue } from '../../../functions/lib/queue/FcAsyncQueue';
import { QueuePublishError } from '../../../functions/lib/queue/errors';
import type { FullSyncResult } from '../../../functions/lib/sync/entrances';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { type RunningEmulator, startRamEmulator } from '../../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../../infra/emulator/env';

const SAMPLE = path.resolve(__dirname, '../../../infra/sample/directory.json');

describe('the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let queue: FcAsyncQueue;
  const file = () => path.join(dir, 'directory.json');
  const edit = async (mutate: (doc: { people: Record<string, unknown>[] }) => void) => {
    const doc = JSON.parse(await readFile(file(), 'utf8'));
    mutate(doc);
    await writeFile(file(), JSON.stringify(doc));
  };
  const userChange = (sourceId: string): Change => ({ source: 'file', kind: 'user', sourceId, reason: 'test' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stack-'));
    await copyFile(SAMPLE, file());
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: file(), RAM_OAUTH_CLIENT_ID: '',
        FULL_SYNC_SCHEDULE: '0 30 2 * * *', FULL_SYNC_TIMEZONE: 'Europe/Berlin',
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
    });
    queue = new FcAsyncQueue({ functionName: 'push', endpoint: () => stack.url, credentials: () => stack.credentials });
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs the directory with the full-sync bundle', async () => {
    const result = await stack.fullSync({ dryRun: false });
    expect(result.result).toMatchObject({ created: 12, failed: 0 });
    expect(stack.emulator!.state.users()).toHaveLength(12);
  });

  it('runs full-sync\'s reconcile as a timer on FULL_SYNC_SCHEDULE in FULL_SYNC_TIMEZONE; a tick applies', async () => {
    expect(stack.timers).toContain('full-sync');
    expect(stack.schedules['full-sync']).toEqual({ triggerName: 'reconcile', cron: '0 30 2 * * *', timezone: 'Europe/Berlin' });
    const result = await stack.tick('full-sync') as FullSyncResult;
    expect(result).toMatchObject({ dryRun: false, result: { created: 0, unchanged: 12, failed: 0 } });
  });

  it('carries a published change through the queue and push into RAM', async () => {
    await edit((doc) => { doc.people[0]!.displayName = 'Alice Wang-Li'; });
    await queue.publish([userChange('e1001')]);
    await stack.idle();
    expect(stack.emulator!.state.userByName('alice.wang')?.displayName).toBe('Alice Wang-Li');
  });

  it('refuses an unsigned invocation and one signed with an unknown key, enqueuing nothing', async () => {
    const before = stack.queue.stats();
    const unsigned = await fetch(`${stack.url}/2023-03-30/functions/push/invocations`, {
      method: 'POST', headers: { 'x-fc-invocation-type': 'Async' }, body: '{}',
    });
    expect(unsigned.status).toBe(400);
    const forged = new FcAsyncQueue({ functionName: 'push', endpoint: () => stack.url, credentials: () => ({ accessKeyId: 'someone', accessKeySecret: 'else' }) });
    await expect(forged.publish([userChange('e1002')])).rejects.toBeInstanceOf(QueuePublishError);
    expect(stack.queue.stats()).toEqual(before);
  });

  it('loses nothing while RAM fails at random', async () => {
    await edit((doc) => { for (const p of doc.people) p.title = 'Renamed Title'; doc.people.forEach((p, i) => { p.displayName = `Person ${i}`; }); });
    stack.emulator!.setFaults({ rate: 0.25, kinds: ['429', '500', 'reset-before', 'reset-after', 'timeout'], retryAfterSeconds: 0, seed: 99 });
    await queue.publish(['e1001', 'e1002', 'e1003', 'e1005', 'e1006', 'e1007', 'e1008'].map(userChange));
    await stack.idle(60_000);
    stack.emulator!.setFaults(undefined);
    expect(stack.queue.stats().dead).toBe(0);
    const names = Object.fromEntries(stack.emulator!.state.users().map((u) => [u.externalId, u.displayName]));
    expect(names).toMatchObject({ 'file:e1001': 'Person 0', 'file:e1002': 'Person 1', 'file:e1008': 'Person 7' });
    expect(stack.emulator!.state.users()).toHaveLength(12);
  }, 90_000);
});

describe('the local stack, misconfigured', () => {
  it('stops before starting anything on a FULL_SYNC_SCHEDULE FC would refuse, naming the variable', async () => {
    const started = startLocalStack({ env: { ...process.env, FULL_SYNC_SCHEDULE: '0 3 * * *', RAM_OAUTH_CLIENT_ID: '' }, port: 0, emulatorPort: 0 });
    await expect(started).rejects.toThrow(/^invalid configuration: FULL_SYNC_SCHEDULE must be/);
  });

  it('lists a function whose source is not configured as off, and one whose source is on but misconfigured as an error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stack-off-'));
    const stack = await startLocalStack({
      env: { ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: SAMPLE, RAM_OAUTH_CLIENT_ID: '', LARK_APP_ID: 'cli_test', LARK_APP_SECRET: 'secret' },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'),
    });
    try {
      expect(stack.unconfigured.get('ad-poll')).toMatchObject({ off: true, switch: 'AD_URL' });
      expect(stack.unconfigured.get('lark-webhook')).toMatchObject({ off: false, message: expect.stringMatching(/LARK_VERIFICATION_TOKEN/) });
    } finally {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the local stack against real RAM, without apply', () => {
  let dir: string;
  let ram: RunningEmulator;
  let stack: LocalStack;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stack-dry-'));
    await copyFile(SAMPLE, path.join(dir, 'directory.json'));
    ram = await startRamEmulator(); // stands in for real RAM: the stack reaches it only through the RAM variables
    stack = await startLocalStack({
      env: {
        ...process.env, ...emulatorEnv(ram.url), STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: path.join(dir, 'directory.json'),
        FULL_SYNC_SCHEDULE: '0 30 2 * * *',
      },
      port: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
    });
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    await ram.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plans but runs nothing that writes: no apply, no timers, the queue kept for --apply', async () => {
    expect(stack.dryRun).toBe(true);
    expect(stack.emulator).toBeUndefined();
    await expect(stack.fullSync({ dryRun: true })).resolves.toMatchObject({ dryRun: true, plan: { create: 12 } });
    await expect(stack.fullSync({ dryRun: false })).rejects.toMatchObject({ code: 'LocalDryRun', recommendedAction: expect.stringMatching(/npm start -- --apply/) });
    expect(stack.timers).toEqual([]);
    expect(() => stack.tick('full-sync')).toThrow(/not a running timer/);

    const queue = new FcAsyncQueue({ functionName: 'push', endpoint: () => stack.url, credentials: () => stack.credentials });
    await queue.publish([{ source: 'file', kind: 'user', sourceId: 'e1001', reason: 'test' }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stack.queue.stats().ready).toBe(1);
    expect(ram.counters.writes).toBe(0);
    expect(ram.state.users()).toHaveLength(0);
  });
});
