import type { Change } from '../../../../functions/lib/core/model';
import type { ChangeQueue } from '../../../../functions/lib/core/ports';
import { parseOktaSourceConfig } from '../../../../functions/lib/sources/okta/config';
import { OktaApi } from '../../../../functions/lib/sources/okta/OktaApi';
import { OktaPoller, type OktaPollerOptions } from '../../../../functions/lib/sources/okta/OktaPoller';
import type { OktaResyncReason, OktaWatermark } from '../../../../functions/lib/sources/okta/watermark';
import { MemoryStateStore } from '../../../../functions/lib/state/MemoryStateStore';
import { type OktaApiFake, oktaGroupId, oktaUser, startOktaApi } from '../../../support/oktaApi';

const T0 = Date.UTC(2026, 8, 1, 8, 0, 0);
const MINUTE = 60_000;
const DAY = 86_400_000;

class RecordingQueue implements ChangeQueue {
  readonly batches: Change[][] = [];
  async publish(changes: Change[]) {
    this.batches.push(changes);
    return [];
  }
  get last(): Array<[string, string, string]> {
    return (this.batches.at(-1) ?? []).map((c) => [c.kind, c.sourceId, c.reason]);
  }
}

describe('OktaPoller', () => {
  let okta: OktaApiFake;
  let state: MemoryStateStore;
  let queue: RecordingQueue;
  let resyncs: OktaResyncReason[];
  const eng = oktaGroupId(1);
  const u = (n: number) => oktaUser(n).id;

  beforeEach(async () => {
    okta = await startOktaApi({
      now: T0 - DAY,
      users: Array.from({ length: 6 }, (_, i) => oktaUser(i + 1)),
      groups: [{ group: { id: eng, name: 'Engineering' }, members: [u(1), u(2)] }],
    });
    state = new MemoryStateStore();
    queue = new RecordingQueue();
    resyncs = [];
    okta.setNow(T0);
  });
  afterEach(() => okta.close());

  const poller = (env: Record<string, string> = {}, options: Partial<OktaPollerOptions> = {}) => {
    const config = parseOktaSourceConfig({ OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken, ...env })!;
    return new OktaPoller({
      config, api: new OktaApi(config, { pageSize: 4, logPageSize: 3, retry: { sleep: async () => undefined } }), state, queue,
      fullResync: async (reason) => { resyncs.push(reason); },
      now: () => new Date(okta.now()),
      ...options,
    });
  };
  const tick = async (p = poller(), minutes = 5) => {
    okta.advance(minutes * MINUTE);
    return p.poll();
  };

  it('resyncs in full on the first poll (publishing nothing itself), then polls from the watermark it saved after', async () => {
    const first = await poller().poll();
    expect(first).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', changes: 0 });
    expect(resyncs).toEqual(['first-poll']);
    expect(queue.batches).toEqual([]);
    const saved = await state.get<OktaWatermark>('okta/watermark');
    expect(saved).toMatchObject({ v: 1, usersSince: new Date(T0).toISOString() });
    expect(new URL(saved!.logNext).searchParams.get('sortOrder')).toBe('ASCENDING');
    expect(await tick()).toMatchObject({ mode: 'incremental', usersRead: 0, changes: 0, logCaughtUp: true });
    expect(resyncs).toEqual(['first-poll']);
  });

  it('names users whose lastUpdated moved, deactivations included', async () => {
    await poller().poll();
    okta.advance(MINUTE);
    okta.updateUser(u(2), { profile: { title: 'Lead' } });
    okta.updateUser(u(3), { status: 'SUSPENDED' });
    okta.deleteUser(u(4)); // first DELETE: deactivated (DEPROVISIONED), lastUpdated moves
    const report = await tick();
    expect(report).toMatchObject({ mode: 'incremental', usersRead: 3, changes: 3 });
    expect(queue.last).toEqual([
      ['user', u(2), 'lastUpdated'], ['user', u(3), 'lastUpdated'],
      ['user', u(4), 'user.lifecycle.deactivate'], // the log's witness comes after the listing's: the last reason wins
    ]);
  });

  it('names permanently deleted users from the System Log (lastUpdated cannot show them), and membership changes', async () => {
    okta.deleteUser(u(5)); // deactivated before the first poll
    await poller().poll();
    okta.advance(MINUTE);
    okta.deleteUser(u(5)); // gone for good: no user left to list
    okta.addMember(eng, u(3));
    okta.removeMember(eng, u(1));
    okta.log('group.profile.update', [{ id: eng, type: 'UserGroup', alternateId: 'unknown', displayName: 'Engineering' }]);
    const report = await tick();
    expect(report).toMatchObject({ usersRead: 0, logEvents: 4, changes: 4 });
    expect(queue.last).toEqual([
      ['user', u(5), 'user.lifecycle.delete.initiated'], ['user', u(3), 'group.user_membership.add'],
      ['user', u(1), 'group.user_membership.remove'], ['group', eng, 'group.profile.update'],
    ]);
  });

  it('ignores membership and group events when departments come from profile.department only', async () => {
    const p = poller({ OKTA_DEPARTMENTS: 'attribute' });
    await p.poll();
    okta.addMember(eng, u(3));
    expect(await tick(p)).toMatchObject({ logEvents: 1, changes: 0 });
  });

  it('re-reads an overlap window, so a change Okta\'s filter index showed late is still found', async () => {
    await poller().poll(); // T0
    okta.advance(4 * MINUTE);
    okta.updateUser(u(6), { profile: { title: 'Manager' } }, { lagging: true }); // T0+4m, indexed late
    expect(await tick(poller(), 1)).toMatchObject({ usersRead: 0 }); // T0+5m: not in the index yet
    okta.catchUp();
    // T0+10m: from T0+5m − 120 s = T0+3m, so T0+4m is read.
    expect(await tick()).toMatchObject({ usersRead: 1 });
    expect(queue.last).toEqual([['user', u(6), 'lastUpdated']]);
  });

  it('without an overlap, a late-indexed change is lost: the reason the overlap exists', async () => {
    const p = poller({ OKTA_POLL_OVERLAP_SECONDS: '0' });
    await p.poll();
    okta.advance(MINUTE);
    okta.updateUser(u(6), { profile: { title: 'Manager' } }, { lagging: true });
    await tick(p, 1);
    okta.catchUp();
    expect(await tick(p, 1)).toMatchObject({ usersRead: 0 });
  });

  it('reads a long log in pages, at most maxLogPages a poll, and goes on from there next time', async () => {
    const p = poller({}, { maxLogPages: 2 });
    await p.poll();
    for (const n of [1, 2, 3, 4, 5, 6]) okta.deleteUser(u(n));
    for (const n of [1, 2, 3, 4, 5, 6]) okta.deleteUser(u(n));
    // 12 events, 3 a page: two pages now, two more next time.
    expect(await tick(p)).toMatchObject({ logEvents: 6, logPages: 2, logCaughtUp: false });
    // A full last page cannot tell it was the last: the next tick's empty page does.
    expect(await tick(p)).toMatchObject({ logEvents: 6, logCaughtUp: false });
    expect(await tick(p)).toMatchObject({ logEvents: 0, logPages: 1, logCaughtUp: true });
    const named = queue.batches.flat().filter((c) => c.reason === 'user.lifecycle.delete.initiated').map((c) => c.sourceId);
    expect(named).toEqual([1, 2, 3, 4, 5, 6].map(u));
  });

  it('repeats the same changes when it fails between publishing and saving the watermark', async () => {
    await poller().poll();
    okta.advance(MINUTE);
    okta.updateUser(u(2), { profile: { title: 'Lead' } });
    okta.deleteUser(u(6));
    okta.deleteUser(u(6));
    const put = state.put.bind(state);
    let failPut = true;
    state.put = async (key, value) => {
      if (failPut) { failPut = false; throw new Error('NAS went away'); }
      return put(key, value);
    };
    await expect(tick()).rejects.toThrow('NAS went away');
    const crashed = queue.last;
    expect(crashed).toEqual([['user', u(2), 'lastUpdated'], ['user', u(6), 'user.lifecycle.delete.initiated']]);
    await tick();
    expect(queue.last).toEqual(crashed);
    await tick();
    expect(queue.batches).toHaveLength(2); // saved at last: nothing new, nothing published
  });

  it('keeps the old watermark when the full resync fails, so the next tick resyncs again', async () => {
    const failing = poller({}, { fullResync: async () => { throw new Error('RAM unreachable'); } });
    await expect(failing.poll()).rejects.toThrow('RAM unreachable');
    expect(await state.get('okta/watermark')).toBeUndefined();
    expect(await tick()).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll' });
  });

  it('resyncs in full when the watermark is older than the System Log keeps (90 days)', async () => {
    await poller().poll();
    okta.advance(88 * DAY);
    expect(await tick(poller(), 0)).toMatchObject({ mode: 'incremental' });
    okta.advance(89 * DAY + MINUTE); // a day of margin under the 90: a poll may run long
    expect(await tick(poller(), 0)).toMatchObject({ mode: 'full', fullResyncReason: 'watermark-too-old' });
  });

  it('resyncs in full when Okta refuses the stored log position (its event aged out)', async () => {
    okta.deleteUser(u(1));
    await poller().poll();
    const saved = (await state.get<OktaWatermark>('okta/watermark'))!;
    okta.advance(91 * DAY);
    await state.put('okta/watermark', { ...saved, savedAt: new Date(okta.now()).toISOString() });
    okta.updateUser(u(2), { profile: { title: 'Lead' } });
    expect(await tick(poller(), 0)).toMatchObject({ mode: 'full', fullResyncReason: 'log-position-refused', changes: 0 });
    expect(resyncs).toEqual(['first-poll', 'log-position-refused']);
    expect(await tick()).toMatchObject({ mode: 'incremental' });
  });

  it('resyncs in full for another org or department mode', async () => {
    await poller().poll();
    expect(await tick(poller({ OKTA_DEPARTMENTS: 'both' }))).toMatchObject({ mode: 'full', fullResyncReason: 'scope-changed' });
  });

  it('without a fullResync, publishes everyone listed instead', async () => {
    const report = await poller({}, { fullResync: undefined }).poll();
    expect(report).toMatchObject({ mode: 'full', usersRead: 6, changes: 6 });
    expect(queue.last.map(([, , reason]) => reason)).toEqual(Array(6).fill('full-resync'));
  });
});
