/**
 * The Graph delta poller against the local Graph: rounds paged to their deltaLink, the link stored
 * only after the round's changes are published, @removed and group membership as changes, and a
 * full resync when there is no link, an expired one, or another configuration.
 */
import type { Change, ChangeBatch } from '../../../../functions/lib/core/model';
import type { ChangeQueue } from '../../../../functions/lib/core/ports';
import { parseEntraSourceConfig } from '../../../../functions/lib/sources/entra/config';
import { DEFAULT_DELTA_STATE_KEY, DeltaPoller, type DeltaWatermark, type EntraResyncReason } from '../../../../functions/lib/sources/entra/DeltaPoller';
import { GraphApi } from '../../../../functions/lib/sources/entra/GraphApi';
import { MemoryStateStore } from '../../../../functions/lib/state';
import { type GraphFake, graphEnv, graphGroup, graphUser, startGraphApi } from '../../../support/graphApi';

class RecordingQueue implements ChangeQueue {
  readonly published: Change[][] = [];
  failNext = false;

  async publish(changes: Change[]): Promise<ChangeBatch[]> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('queue unavailable');
    }
    this.published.push(changes);
    return [{ v: 1, id: String(this.published.length), emittedAt: new Date().toISOString(), changes }];
  }

  take(): Array<[string, string, string]> {
    return this.published.splice(0).flat().map((c) => [c.kind, c.sourceId, c.reason]);
  }
}

describe('DeltaPoller', () => {
  let graph: GraphFake;
  let state: MemoryStateStore;
  let queue: RecordingQueue;
  let resyncs: EntraResyncReason[];
  const U = (n: number) => graphUser(n).id;
  const G = (n: number) => graphGroup(n).id;

  beforeEach(async () => {
    graph = await startGraphApi({
      users: Array.from({ length: 7 }, (_, i) => graphUser(i + 1)),
      groups: [graphGroup(1, { members: [U(1), U(2)] }), graphGroup(2, { members: [U(3)] })],
      deltaPageSize: 3,
    });
    state = new MemoryStateStore();
    queue = new RecordingQueue();
    resyncs = [];
  });
  afterEach(() => graph.close());

  const poller = (env: Record<string, string> = {}, options: { withResync?: boolean } = {}) => {
    const config = parseEntraSourceConfig(graphEnv(graph, env))!;
    return new DeltaPoller({
      api: new GraphApi(config, { retry: { sleep: async () => undefined } }), config, state, queue,
      ...(options.withResync !== false && { fullResync: async (reason: EntraResyncReason) => { resyncs.push(reason); } }),
    });
  };
  const stored = () => state.get<DeltaWatermark>(DEFAULT_DELTA_STATE_KEY);

  it('first poll: takes links from now, runs the full resync, then stores them; the next round reads from there', async () => {
    const report = await poller().poll();
    expect(report).toEqual({ mode: 'full', resyncReason: 'first-poll', pages: 0, changes: 0, removed: 0 });
    expect(resyncs).toEqual(['first-poll']);
    expect(queue.take()).toEqual([]);
    expect((await stored())?.users).toMatch(/\/v1\.0\/users\/delta\?\$deltatoken=/);
    expect((await stored())?.groups).toBeUndefined(); // departments from the attribute: no groups round
    graph.updateUser(U(2), { department: 'Sales' });
    expect(await poller().poll()).toMatchObject({ mode: 'incremental', changes: 1, removed: 0 });
    expect(queue.take()).toEqual([['user', U(2), 'delta']]);
  });

  it('a change made while the full resync runs comes in the next round (the links are taken before it)', async () => {
    const config = parseEntraSourceConfig(graphEnv(graph))!;
    await new DeltaPoller({
      api: new GraphApi(config), config, state, queue,
      fullResync: async () => { graph.updateUser(U(5), { jobTitle: 'Lead' }); },
    }).poll();
    await poller().poll();
    expect(queue.take()).toEqual([['user', U(5), 'delta']]);
  });

  it('without a full resync at hand, round 1 is paged to its deltaLink and everyone published', async () => {
    const report = await poller({}, { withResync: false }).poll();
    expect(report).toMatchObject({ mode: 'full', resyncReason: 'first-poll', pages: 3, changes: 7 });
    expect(queue.take().map(([, id, reason]) => [id, reason])).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => [U(n), 'full-resync']));
  });

  it('pages a round by nextLink and publishes each user once, however often Graph names them', async () => {
    await poller().poll();
    for (let n = 1; n <= 7; n++) graph.updateUser(U(n), { jobTitle: `Title ${n}` });
    graph.updateUser(U(1), { jobTitle: 'Again' });
    const report = await poller().poll();
    expect(report).toMatchObject({ mode: 'incremental', pages: 3, changes: 7 });
    expect(queue.published).toHaveLength(1);
    expect(new Set(queue.take().map(([, id]) => id)).size).toBe(7);
  });

  it('waits out a 429 in the middle of a round (Retry-After) and finishes the round', async () => {
    await poller().poll();
    for (let n = 1; n <= 7; n++) graph.updateUser(U(n), { jobTitle: `Lead ${n}` });
    const slept: number[] = [];
    const config = parseEntraSourceConfig(graphEnv(graph))!;
    const api = new GraphApi(config, { retry: { sleep: async (ms) => { slept.push(ms); } } });
    const round = new DeltaPoller({ api, config, state, queue, fullResync: async () => undefined });
    const pages: string[] = [];
    // Throttle right after the first page has been read: the nextLink request is refused twice, then answered.
    const original = api.delta.bind(api);
    api.delta = async function* (resource, link) {
      for await (const page of original(resource, link)) {
        pages.push(page['@odata.nextLink'] ? 'next' : 'delta');
        if (pages.length === 1) graph.throttleNext(2, 4);
        yield page;
      }
    } as typeof api.delta;
    expect(await round.poll()).toMatchObject({ mode: 'incremental', pages: 3, changes: 7 });
    expect(slept).toEqual([4000, 4000]);
    expect(pages).toEqual(['next', 'next', 'delta']);
  });

  it('an empty round publishes nothing and still replaces the link', async () => {
    await poller().poll();
    const before = (await stored())!.users;
    expect(await poller().poll()).toMatchObject({ mode: 'incremental', pages: 1, changes: 0 });
    expect(queue.published).toEqual([]);
    expect((await stored())!.users).not.toBe(before);
  });

  it('a user marked @removed (soft or hard delete) is a change push reads as absent', async () => {
    await poller().poll();
    graph.deleteUser(U(3));
    graph.deleteUser(U(4), { hard: true });
    graph.updateUser(U(5), { accountEnabled: false });
    expect(await poller().poll()).toMatchObject({ changes: 3, removed: 2 });
    expect(queue.take()).toEqual([['user', U(3), 'delta-removed'], ['user', U(4), 'delta-removed'], ['user', U(5), 'delta']]);
  });

  it('a publish that fails stores no link: the next round repeats the changes (a crash repeats, never skips)', async () => {
    await poller().poll();
    const before = (await stored())!.users;
    graph.updateUser(U(6), { displayName: 'Six' });
    queue.failNext = true;
    await expect(poller().poll()).rejects.toThrow('queue unavailable');
    expect((await stored())!.users).toBe(before);
    await poller().poll();
    expect(queue.take()).toEqual([['user', U(6), 'delta']]);
  });

  it('a crash between publish and save repeats the round: the same changes are published again', async () => {
    await poller().poll();
    graph.updateUser(U(7), { displayName: 'Seven' });
    const put = state.put.bind(state);
    let crash = true;
    state.put = async (key, value) => {
      if (crash) { crash = false; throw new Error('power cut'); }
      return put(key, value);
    };
    await expect(poller().poll()).rejects.toThrow('power cut');
    await poller().poll();
    expect(queue.take()).toEqual([['user', U(7), 'delta'], ['user', U(7), 'delta']]);
  });

  it('an expired delta link (410 Gone, or 400 syncStateNotFound) drops the link and resyncs in full', async () => {
    await poller().poll();
    graph.expireDeltaTokens(410);
    expect(await poller().poll()).toMatchObject({ mode: 'full', resyncReason: 'delta-expired' });
    graph.expireDeltaTokens('syncStateNotFound');
    expect(await poller().poll()).toMatchObject({ mode: 'full', resyncReason: 'delta-expired' });
    expect(resyncs).toEqual(['first-poll', 'delta-expired', 'delta-expired']);
    // The new links work.
    graph.updateUser(U(1), { surname: 'One' });
    expect(await poller().poll()).toMatchObject({ mode: 'incremental', changes: 1 });
  });

  it('a failed full resync keeps the old link', async () => {
    await poller().poll();
    const before = await stored();
    graph.expireDeltaTokens();
    const config = parseEntraSourceConfig(graphEnv(graph))!;
    const failing = new DeltaPoller({ api: new GraphApi(config), config, state, queue, fullResync: async () => { throw new Error('RAM down'); } });
    await expect(failing.poll()).rejects.toThrow('RAM down');
    expect(await stored()).toEqual(before);
  });

  it('another tenant or department source is a full resync', async () => {
    await poller().poll();
    expect(await poller({ ENTRA_DEPARTMENTS: 'both' }).poll()).toMatchObject({ mode: 'full', resyncReason: 'configuration-changed' });
    expect((await stored())).toMatchObject({ departments: 'both', groups: expect.stringMatching(/groups\/delta/) });
  });

  describe('departments from groups', () => {
    const env = { ENTRA_DEPARTMENTS: 'groups' };

    it('names who joined and who left a group, and the group itself', async () => {
      await poller(env).poll();
      graph.addMember(G(2), U(4));
      graph.removeMember(G(1), U(2));
      graph.addMember(G(1), G(2)); // a nested group is not a person
      const report = await poller(env).poll();
      expect(report).toMatchObject({ mode: 'incremental', changes: 4 });
      expect(queue.take().sort()).toEqual([
        ['group', G(1), 'group-delta'], ['group', G(2), 'group-delta'], ['user', U(2), 'member-removed'], ['user', U(4), 'member-added'],
      ].sort());
    });

    it('a renamed or deleted group is a department change', async () => {
      await poller(env).poll();
      graph.renameGroup(G(1), 'Platform');
      graph.deleteGroup(G(2));
      await poller(env).poll();
      expect(queue.take()).toEqual([['group', G(1), 'group-delta'], ['group', G(2), 'group-removed']]);
    });

    it('a user deleted while in a group is named once, as removed', async () => {
      await poller(env).poll();
      graph.deleteUser(U(1));
      await poller(env).poll();
      expect(queue.take()).toEqual([['user', U(1), 'delta-removed'], ['group', G(1), 'group-delta']]);
    });
  });
});
