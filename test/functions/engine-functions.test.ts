/**
 * `push` and `full-sync` through their built bundles, as FC runs them: cold start from the
 * environment, a Buffer event, the role's credentials in the context, JSON log lines on stdout.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulatorEnv } from '../../infra/emulator/env';
import { type RunningEmulator, startRamEmulator } from '../../infra/emulator/RamEmulator';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { FailedChanges } from '../../functions/lib/sync/failedChanges';
import { type Bundles, buildBundles } from '../support/bundles';

const SAMPLE = path.resolve(__dirname, '../../infra/sample/directory.json');

describe('the push and full-sync functions (built bundles)', () => {
  let bundles: Bundles;
  let emulator: RunningEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let context: object;

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    emulator = await startRamEmulator();
    dir = await mkdtemp(path.join(tmpdir(), 'fn-'));
    await copyFile(SAMPLE, path.join(dir, 'directory.json'));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret, ...ram } = emulatorEnv(emulator.url);
    env = { ...ram, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: path.join(dir, 'directory.json') };
    // In FC the OpenAPI credentials are the role's STS keys in the context, never variables.
    context = { credentials: { accessKeyId, accessKeySecret, securityToken: 'sts-token' } };
  });
  afterEach(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const batch = (...ids: string[]) => ({
    v: 1, id: 'batch-7', emittedAt: new Date().toISOString(),
    changes: ids.map((sourceId) => ({ source: 'file', kind: 'user', sourceId, reason: 'test' })),
  });

  it('push applies a queue batch and logs one redacted provisioning line per step', async () => {
    const out = await bundles.invoke('push', batch('e1001', 'e1007'), { env, context });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ batchId: 'batch-7', summary: { created: 2, failed: 0 } });
    expect(emulator.state.users().map((u) => u.userName).sort()).toEqual(['alice.wang', 'zhangwei']);
    const provisioning = out.logs.filter((l) => l.msg === 'provisioning');
    expect(provisioning).toHaveLength(2);
    expect(provisioning[0]).toMatchObject({ level: 'info', requestId: expect.stringMatching(/^req-/), changeId: 'batch-7', status: 'succeeded' });
    expect(out.stdout).not.toMatch(/@example\.(com|cn)|13800000|emulator-secret|emulator-ak-secret/);
  }, 30_000);

  it('push lists a malformed batch once, without touching RAM, and does not fail the invocation (FC would retry it in vain)', async () => {
    const out = await bundles.invoke('push', { v: 1, id: 'x', changes: 'all of them' }, { env, context });
    expect(out.error).toBeUndefined();
    expect(out.result).toEqual({ decoded: false, listed: expect.stringMatching(/^message:req-/) });
    expect(emulator.counters.writes + emulator.counters.reads).toBe(0);
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'message cannot be decoded: listed as failed, not retried' }));
    const { entries } = await new FailedChanges(new FileStateStore(env.STATE_DIR!)).list();
    expect(entries).toEqual([expect.objectContaining({
      subject: 'message', action: 'decode', code: 'EventDecodeError', reason: expect.stringMatching(/emittedAt|changes/), retryable: false,
    })]);
  }, 30_000);

  it('full-sync is a dry run by default, then applies, then finds nothing to do', async () => {
    const dry = await bundles.invoke('full-sync', {}, { env, context });
    expect(dry.result).toMatchObject({ dryRun: true, plan: { create: 12 } });
    expect(emulator.counters.writes).toBe(0);

    const applied = await bundles.invoke('full-sync', { dryRun: false }, { env, context });
    expect(applied.result).toMatchObject({ dryRun: false, result: { created: 12, failed: 0 } });

    const again = await bundles.invoke('full-sync', { dryRun: false, sources: ['file'] }, { env, context });
    expect(again.result).toMatchObject({ result: { created: 0, updated: 0, unchanged: 12 } });
  }, 30_000);

  it('stops at cold start, naming every missing or malformed variable and no secret', async () => {
    const out = await bundles.invoke('push', batch('e1001'), { env: { RAM_OAUTH_CLIENT_SECRET: 'hunter2', RAM_SCIM_URL: 'not a url' }, context });
    expect(out.error?.name).toBe('ConfigError');
    for (const variable of ['DIRECTORY_FILE', 'RAM_OAUTH_CLIENT_ID', 'RAM_SCIM_URL', 'STATE_DIR']) expect(out.error?.message).toContain(variable);
    expect(out.stdout).not.toContain('hunter2');
  }, 30_000);
});
