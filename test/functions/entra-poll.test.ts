/**
 * `entra-poll` through its built bundle, as FC's timer runs it: a cold start from the environment,
 * the timer event, the role's credentials in the context, Graph as the local fake, the queue as FC's
 * async invoke API and RAM as the emulator (a first poll runs the entra full sync in place).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulatorEnv } from '../../infra/emulator/env';
import { type RunningEmulator, startRamEmulator } from '../../infra/emulator/RamEmulator';
import type { Change } from '../../functions/lib/core/model';
import { DEFAULT_DELTA_STATE_KEY } from '../../functions/lib/sources/entra/DeltaPoller';
import { FileStateStore } from '../../functions/lib/state/FileStateStore';
import { type Bundles, buildBundles } from '../support/bundles';
import { type FcInvokeServer, startFcInvokeServer } from '../support/fcInvokeServer';
import { type GraphFake, graphEnv, graphUser, startGraphApi } from '../support/graphApi';

const TIMER_EVENT = { triggerTime: '2026-11-28T08:00:00Z', triggerName: 'every-5m', payload: '' };

describe('the entra-poll function (built bundle)', () => {
  let bundles: Bundles;
  let emulator: RunningEmulator;
  let graph: GraphFake;
  let fc: FcInvokeServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let context: object;

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    emulator = await startRamEmulator();
    graph = await startGraphApi({ users: [graphUser(1), graphUser(2), graphUser(3, { accountEnabled: false })] });
    dir = await mkdtemp(path.join(tmpdir(), 'entra-poll-'));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret, ...ram } = emulatorEnv(emulator.url);
    const credentials = { accessKeyId: accessKeyId!, accessKeySecret: accessKeySecret!, securityToken: 'sts-token' };
    fc = await startFcInvokeServer(credentials);
    context = { credentials };
    env = {
      ...ram, ...graphEnv(graph), STATE_DIR: path.join(dir, 'state'), QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push',
    };
  });
  afterEach(async () => {
    await Promise.all([emulator.close(), graph.close(), fc.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const published = () => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as { changes: Change[] }).changes);
  const noSecrets = (stdout: string) => {
    expect(stdout).not.toContain(graph.clientSecret);
    expect(stdout).not.toMatch(/contoso\.example|deltatoken|eyJ0eXAi/);
  };

  it('first tick: a full sync of the entra source in place; the next tick queues only what changed', async () => {
    const first = await bundles.invoke('entra-poll', TIMER_EVENT, { env, context });
    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({ mode: 'full', resyncReason: 'first-poll', fullSync: { result: { created: 3 } } });
    expect(emulator.state.users().map((u) => u.userName).sort()).toEqual(['user1', 'user2', 'user3']);
    expect(first.logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'entra poll', function: 'entra-poll', mode: 'full', resyncReason: 'first-poll' }));
    expect(first.logs).toContainEqual(expect.objectContaining({ msg: 'entra full resync', reason: 'first-poll' }));
    expect(fc.invocations).toEqual([]);
    noSecrets(first.stdout);

    graph.updateUser(graphUser(2).id, { displayName: 'Renamed' });
    graph.deleteUser(graphUser(3).id);
    const second = await bundles.invoke('entra-poll', TIMER_EVENT, { env, context });
    expect(second.error).toBeUndefined();
    expect(second.result).toEqual({ mode: 'incremental', pages: 1, changes: 2, removed: 1 });
    expect(published()).toEqual([
      { source: 'entra', kind: 'user', sourceId: graphUser(2).id, reason: 'delta' },
      { source: 'entra', kind: 'user', sourceId: graphUser(3).id, reason: 'delta-removed' },
    ]);
    expect(second.logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'entra poll', pages: 1, changes: 2, removed: 1 }));
    noSecrets(second.stdout);
    expect(graph.tokensIssued).toBe(2); // one per cold start
  }, 60_000);

  it('fails the tick naming ENTRA_CLIENT_SECRET when Entra refuses the secret, and stores no delta link', async () => {
    const out = await bundles.invoke('entra-poll', TIMER_EVENT, { env: { ...env, ENTRA_CLIENT_SECRET: 'wrong-secret-sentinel' }, context });
    expect(out.error?.message).toMatch(/AADSTS7000215|invalid_client/);
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'error', function: 'entra-poll' }));
    expect(out.stdout).toContain('ENTRA_CLIENT_SECRET');
    expect(out.stdout).not.toContain('wrong-secret-sentinel');
    expect(await new FileStateStore(path.join(dir, 'state')).get(DEFAULT_DELTA_STATE_KEY)).toBeUndefined();
    expect(emulator.counters.writes).toBe(0);
  }, 30_000);

  it('stops at cold start without ENTRA_TENANT_ID, naming it', async () => {
    const { ENTRA_TENANT_ID: _t, ...rest } = env;
    const out = await bundles.invoke('entra-poll', TIMER_EVENT, { env: rest, context });
    expect(out.error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('ENTRA_TENANT_ID') });
  }, 30_000);

  it('stops at cold start naming every malformed ENTRA variable, never the secret', async () => {
    const out = await bundles.invoke('entra-poll', TIMER_EVENT, {
      env: { ...env, ENTRA_CLIENT_ID: 'not-a-guid', ENTRA_CLOUD: 'mars', ENTRA_CLIENT_SECRET: 'sentinel-secret-value' }, context,
    });
    expect(out.error?.name).toBe('ConfigError');
    for (const variable of ['ENTRA_CLIENT_ID', 'ENTRA_CLOUD']) expect(out.error?.message).toContain(variable);
    expect(out.stdout).not.toContain('sentinel-secret-value');
  }, 30_000);
});
