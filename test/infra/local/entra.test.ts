/**
 * Microsoft Entra ID's whole path on the local stack, every part a built bundle: a change at the
 * local Graph → an entra-poll tick (a Graph delta round) → FC's async invoke API → the durable
 * queue → push, reading the person from Graph → RAM (the emulator). Departments come from both the
 * `department` attribute and groups, so a group rule follows group membership.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import type { EntraPollResult } from '../../../functions/lib/sync/entraPoll';
import { type GraphFake, graphEnv, graphGroup, graphUser, startGraphApi } from '../../support/graphApi';

const GROUP = 'platform-team';

describe('Microsoft Entra ID on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let graph: GraphFake;
  const U = (n: number) => graphUser(n).id;
  const externalId = (n: number) => `entra:${U(n)}`;
  const ram = () => stack.emulator!.state;
  const tick = async () => {
    const result = await stack.tick('entra-poll') as EntraPollResult;
    await stack.idle(60_000);
    return result;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'entra-'));
    // An empty file source instead of the shipped sample.
    const directory = path.join(dir, 'directory.json');
    await writeFile(directory, JSON.stringify({ departments: [], people: [] }));
    graph = await startGraphApi({
      users: [1, 2, 3, 4].map((n) => graphUser(n)),
      groups: [graphGroup(1, { displayName: 'Platform', members: [U(1)] })],
    });
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '',
        ...graphEnv(graph, { ENTRA_DEPARTMENTS: 'both' }), SYNC_GROUP_RULES: `Platform=${GROUP}`,
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
      // Ticked by the test, not by the clock.
      timers: { 'entra-poll': { triggerName: 'every-5m', everyMs: 3_600_000 } },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await graph?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the first tick syncs everyone in place (a full sync of the entra source) and fills the group', async () => {
    expect(stack.timers).toContain('entra-poll');
    const first = await tick();
    expect(first).toMatchObject({ mode: 'full', resyncReason: 'first-poll', fullSync: { result: { created: 4, failed: 0 } } });
    for (const n of [1, 2, 3, 4]) expect(ram().userByExternalId(externalId(n))).toMatchObject({ userName: `user${n}`, displayName: `User ${n}` });
    expect(ram().usersForGroup(GROUP).map((m) => m.user.externalId)).toEqual([externalId(1)]);
  }, 90_000);

  it('a rename and a new person at Graph reach RAM through one delta round, the queue and push', async () => {
    graph.updateUser(U(2), { displayName: 'Second Person' });
    graph.addUser(graphUser(5));
    expect(await tick()).toMatchObject({ mode: 'incremental', changes: 2, removed: 0 });
    expect(ram().userByExternalId(externalId(2))).toMatchObject({ displayName: 'Second Person' });
    expect(ram().userByExternalId(externalId(5))).toMatchObject({ userName: 'user5' });
  }, 90_000);

  it('joining and leaving a group moves people in and out of the RAM group', async () => {
    graph.addMember(graphGroup(1).id, U(5));
    graph.removeMember(graphGroup(1).id, U(1));
    expect(await tick()).toMatchObject({ mode: 'incremental' });
    expect(ram().usersForGroup(GROUP).map((m) => m.user.externalId)).toEqual([externalId(5)]);
  }, 90_000);

  it('a deleted user (@removed) is deprovisioned', async () => {
    graph.deleteUser(U(4));
    expect(await tick()).toMatchObject({ mode: 'incremental', changes: 1, removed: 1 });
    expect(ram().userByExternalId(externalId(4))).toBeUndefined();
    expect(ram().userByExternalId(externalId(3))).toBeDefined();
  }, 90_000);

  it('an expired delta link resyncs in full, then rounds go on from the new link', async () => {
    graph.expireDeltaTokens(410);
    graph.updateUser(U(3), { displayName: 'Third Person' });
    expect(await tick()).toMatchObject({ mode: 'full', resyncReason: 'delta-expired' });
    expect(ram().userByExternalId(externalId(3))).toMatchObject({ displayName: 'Third Person' });
    graph.updateUser(U(3), { displayName: 'Person Three' });
    expect(await tick()).toMatchObject({ mode: 'incremental', changes: 1 });
    expect(ram().userByExternalId(externalId(3))).toMatchObject({ displayName: 'Person Three' });
  }, 90_000);
});
