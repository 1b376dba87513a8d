/**
 * `okta-poll` through its built bundle, as FC's timer runs it: a cold start from the environment,
 * the timer event, the role's credentials in the context, Okta as the local fake, the queue as FC's
 * async invoke API and RAM as the emulator (a first poll runs the okta full sync in place).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulatorEnv } from '../../infra/emulator/env';
import { type RunningEmulator, startRamEmulator } from '../../infra/emulator/RamEmulator';
import type { Change } from '../../functions/lib/core/model';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { type Bundles, buildBundles } from '../support/bundles';
import { type FcInvokeServer, startFcInvokeServer } from '../support/fcInvokeServer';
import { type OktaApiFake, oktaGroupId, oktaUser, startOktaApi } from '../support/oktaApi';

const TIMER_EVENT = { triggerTime: '2026-11-28T08:00:00Z', triggerName: 'every-5m', payload: '' };

describe('the okta-poll function (built bundle)', () => {
  let bundles: Bundles;
  let emulator: RunningEmulator;
  let okta: OktaApiFake;
  let fc: FcInvokeServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let context: object;

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    emulator = await startRamEmulator();
    okta = await startOktaApi({
      users: [oktaUser(1), oktaUser(2), oktaUser(3, { status: 'SUSPENDED' })],
      groups: [{ group: { id: oktaGroupId(1), name: 'Engineering' }, members: [oktaUser(1).id] }],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'okta-poll-'));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret, ...ram } = emulatorEnv(emulator.url);
    const credentials = { accessKeyId: accessKeyId!, accessKeySecret: accessKeySecret!, securityToken: 'sts-token' };
    fc = await startFcInvokeServer(credentials);
    context = { credentials };
    env = {
      ...ram, OKTA_ORG_URL: okta.url, OKTA_CLIENT_ID: okta.clientId, OKTA_PRIVATE_KEY: okta.privateKeyPem,
      STATE_DIR: path.join(dir, 'state'), QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push',
    };
  });
  afterEach(async () => {
    await Promise.all([emulator.close(), okta.close(), fc.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const published = () => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as { changes: Change[] }).changes);
  const noPersonalData = (stdout: string) => {
    expect(stdout).not.toMatch(/corp\.example|BEGIN PRIVATE KEY|eyJ/);
    expect(stdout).not.toContain(okta.apiToken);
  };

  it('first tick: a full sync of the okta source in place; the next tick queues only what changed, deletions from the System Log', async () => {
    const first = await bundles.invoke('okta-poll', TIMER_EVENT, { env, context });
    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', changes: 0, fullSync: { result: { created: 3 } } });
    expect(emulator.state.users().map((u) => u.userName).sort()).toEqual(['user1', 'user2', 'user3']);
    expect(first.logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'okta poll', function: 'okta-poll', mode: 'full', fullResyncReason: 'first-poll' }));
    expect(first.logs).toContainEqual(expect.objectContaining({ msg: 'okta full resync', reason: 'first-poll' }));
    expect(fc.invocations).toEqual([]);
    noPersonalData(first.stdout);

    okta.updateUser(oktaUser(2).id, { profile: { displayName: 'Renamed' } });
    okta.deleteUser(oktaUser(3).id);
    okta.deleteUser(oktaUser(3).id);
    const second = await bundles.invoke('okta-poll', TIMER_EVENT, { env, context });
    expect(second.error).toBeUndefined();
    expect(second.result).toEqual({ mode: 'incremental', usersRead: 1, logEvents: 2, logPages: 1, logCaughtUp: true, changes: 2 });
    expect(published()).toEqual([
      { source: 'okta', kind: 'user', sourceId: oktaUser(2).id, reason: 'lastUpdated' },
      { source: 'okta', kind: 'user', sourceId: oktaUser(3).id, reason: 'user.lifecycle.delete.initiated' },
    ]);
    expect(second.logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'okta poll', usersRead: 1, logEvents: 2, changes: 2 }));
    noPersonalData(second.stdout);
    expect(okta.tokensIssued).toBe(2); // one per cold start (each invoke here is one): the poll and the resync share the engine's client
    expect(okta.refusedAssertions).toEqual([]);
  }, 60_000);

  it('a first resync too long for one invocation stops at FULL_SYNC_RUN_SECONDS with a checkpoint and no watermark; the next tick finishes it, then stores one', async () => {
    for (let n = 4; n <= 300; n++) okta.addUser(oktaUser(n));
    const timed = { ...context, function: { name: 'okta-poll', timeout: 3600 } };
    // 20 RAM requests/s: 300 people take longer than the 10 s this invocation may apply for.
    const first = await bundles.invoke('okta-poll', TIMER_EVENT, {
      env: { ...env, RAM_RATE_LIMIT: '20', FULL_SYNC_RUN_SECONDS: '10', FULL_SYNC_CHUNK_STEPS: '25' }, context: timed,
    });
    expect(first.error?.message).toMatch(/okta full resync stopped at its deadline after \d+ of 300 steps.*watermark was not moved/);
    expect(first.logs).toContainEqual(expect.objectContaining({ msg: 'full-sync progress', function: 'okta-poll', total: 300, finished: false }));
    const applied = emulator.state.users().length;
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThan(300);
    const state = new FileStateStore(path.join(dir, 'state'));
    expect(await state.get('okta/watermark')).toBeUndefined();

    const second = await bundles.invoke('okta-poll', TIMER_EVENT, { env, context: timed });
    expect(second.error).toBeUndefined();
    expect(second.result).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', fullSync: { progress: { finished: true, resumed: false } } });
    expect(second.logs).toContainEqual(expect.objectContaining({ msg: 'full-sync progress', resumed: true, total: 300, done: 300, finished: true }));
    expect(emulator.state.users()).toHaveLength(300);
    expect(await state.get('okta/watermark')).toBeDefined();
  }, 90_000);

  it('fails the tick naming OKTA_API_TOKEN when Okta refuses the token, and stores no watermark', async () => {
    const { OKTA_CLIENT_ID: _c, OKTA_PRIVATE_KEY: _k, ...rest } = env;
    const out = await bundles.invoke('okta-poll', TIMER_EVENT, { env: { ...rest, OKTA_API_TOKEN: '00wrong-token-sentinel' }, context });
    expect(out.error?.message).toMatch(/E0000011/);
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'error', function: 'okta-poll' }));
    expect(out.stdout).toContain('OKTA_API_TOKEN');
    expect(out.stdout).not.toContain('00wrong-token-sentinel');
    expect(await new FileStateStore(path.join(dir, 'state')).get('okta/watermark')).toBeUndefined();
    expect(emulator.counters.writes).toBe(0);
  }, 30_000);

  it('stops at cold start without OKTA_ORG_URL, naming it', async () => {
    const { OKTA_ORG_URL: _o, ...rest } = env;
    const out = await bundles.invoke('okta-poll', TIMER_EVENT, { env: rest, context });
    expect(out.error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('OKTA_ORG_URL') });
  }, 30_000);

  it('stops at cold start naming both auth modes when both are set, and a malformed key, never their values', async () => {
    const out = await bundles.invoke('okta-poll', TIMER_EVENT, {
      env: { ...env, OKTA_API_TOKEN: '00token-sentinel' }, context,
    });
    expect(out.error?.name).toBe('ConfigError');
    expect(out.error?.message).toMatch(/OKTA_API_TOKEN.*OKTA_CLIENT_ID/);
    const bad = await bundles.invoke('okta-poll', TIMER_EVENT, { env: { ...env, OKTA_PRIVATE_KEY: 'key-sentinel', OKTA_DEPARTMENTS: 'teams' }, context });
    for (const variable of ['OKTA_PRIVATE_KEY', 'OKTA_DEPARTMENTS']) expect(bad.error?.message).toContain(variable);
    expect(out.stdout + bad.stdout).not.toMatch(/00token-sentinel|key-sentinel/);
    expect(out.stdout).not.toContain(okta.privateKeyPem!.split('\n')[1]);
  }, 30_000);
});
