/**
 * Graph change notifications on the local stack, every part a built bundle: entra-poll's tick
 * creates the subscription at the fake Graph, which performs the validation handshake against the
 * stack's /entra (entra-webhook); a user then changes at the fake Graph, Graph's notification
 * reaches entra-webhook, is enqueued through FC's async invoke API into the durable queue, and
 * `push`, reading the user from the fake Graph, makes RAM (the emulator) follow. No second tick
 * runs: the poll cannot be what found the change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EntraPollResult } from '../../../functions/lib/sync/entraPoll';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { TIMER_SCHEDULES } from '../../../infra/local/timers';
import {
  type GraphFake, type GraphSubscriptions, addSubscriptions, graphEnv, graphNotification, graphUser, notificationCollection, startGraphApi,
} from '../../support/graphApi';

const CLIENT_STATE = 'local-stack-client-state-6b1f';

/** A port free right now, so ENTRA_NOTIFICATION_URL can name the stack before it starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Graph change notifications on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let graph: GraphFake;
  let subs: GraphSubscriptions;
  let subscriptionId: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'entra-webhook-'));
    graph = await startGraphApi({ users: [graphUser(1)] });
    subs = addSubscriptions(graph);
    const port = await freePort();
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: '', RAM_OAUTH_CLIENT_ID: '',
        ...graphEnv(graph), ENTRA_CLIENT_STATE: CLIENT_STATE, ENTRA_NOTIFICATION_URL: `http://127.0.0.1:${port}/entra`,
      },
      port, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20, timers: { 'entra-poll': TIMER_SCHEDULES['entra-poll']! },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await graph?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('entra-poll\'s first tick syncs in full and subscribes, Graph\'s handshake answered by entra-webhook on /entra', async () => {
    expect(stack.functions).toEqual(expect.arrayContaining(['entra-webhook', 'entra-poll', 'push']));
    const result = await stack.tick('entra-poll') as EntraPollResult;
    expect(result).toMatchObject({ mode: 'full', subscriptions: [{ resource: 'users', action: 'created' }] });
    subscriptionId = result.subscriptions![0]!.id;
    expect(subs.handshakes.map((h) => [h.status, h.body === h.token])).toEqual([[200, true], [200, true]]);
    expect(stack.emulator!.state.userByExternalId(`entra:${graphUser(1).id}`)).toMatchObject({ userName: 'user1' });
  }, 60_000);

  it('a user renamed and a user added at Graph reach RAM through the notification, without another poll', async () => {
    const alice = graphUser(1).id;
    const bob = graphUser(2, { displayName: 'Bob Builder' });
    graph.updateUser(alice, { displayName: 'Alice Renamed' });
    graph.addUser(bob);
    expect(await subs.deliver(subscriptionId, [alice, bob.id])).toBe(202);
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId(`entra:${alice}`)).toMatchObject({ displayName: 'Alice Renamed' });
    expect(stack.emulator!.state.userByExternalId(`entra:${bob.id}`)).toMatchObject({ displayName: 'Bob Builder' });
  }, 60_000);

  it('a user deleted at Graph is deprovisioned through the "deleted" notification (DEPROVISION_DELETED, default delete)', async () => {
    const bob = graphUser(2).id;
    graph.deleteUser(bob, { hard: true });
    expect(await subs.deliver(subscriptionId, [bob], 'deleted')).toBe(202);
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId(`entra:${bob}`)).toBeUndefined();
    expect(stack.emulator!.state.userByExternalId(`entra:${graphUser(1).id}`)).toBeDefined();
  }, 60_000);

  it('a notification with another clientState is answered 202 and changes nothing', async () => {
    const carol = graphUser(3);
    graph.addUser(carol);
    const forged = notificationCollection([graphNotification(carol.id, { clientState: `${CLIENT_STATE}-guess`, tenantId: graph.tenantId })]);
    const res = await fetch(`${stack.url}/entra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId(`entra:${carol.id}`)).toBeUndefined();
  }, 60_000);
});

describe('entra-webhook on the local stack without its variables', () => {
  it('is off, not an error, while the entra source is off, and while ENTRA_CLIENT_STATE is unset with the source on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'entra-webhook-off-'));
    const graph = await startGraphApi();
    const common = { ...process.env, STATE_DIR: path.join(dir, 'state'), RAM_OAUTH_CLIENT_ID: '', ENTRA_CLIENT_STATE: '', ENTRA_NOTIFICATION_URL: '' };
    try {
      for (const [env, expected] of [
        [{ ...common, DIRECTORY_FILE: path.resolve(__dirname, '../../../infra/sample/directory.json'), ENTRA_TENANT_ID: '' }, 'ENTRA_TENANT_ID'],
        [{ ...common, DIRECTORY_FILE: '', ...graphEnv(graph) }, 'ENTRA_CLIENT_STATE'],
      ] as const) {
        const stack = await startLocalStack({ env, port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20, timers: {}, functionLog: () => undefined });
        try {
          expect(stack.unconfigured.get('entra-webhook')).toMatchObject({ off: true, switch: expected });
          expect((await fetch(`${stack.url}/entra`, { method: 'POST', body: '{}' })).status).toBe(503);
        } finally {
          await stack.stop();
        }
      }
    } finally {
      await graph.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
