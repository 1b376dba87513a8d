/**
 * Needs the Samba AD DC (`samba-ad-harness.sh start`) and AD_TEST_URL=ldap://127.0.0.1; skipped otherwise.
 * Samba's USNs and the suite's own OU make every assertion exact: nothing else writes to the DC.
 */
import type { Change, ChangeBatch } from '../../../../functions/lib/core/model';
import type { ChangeQueue } from '../../../../functions/lib/core/ports';
import { AdSource, UsnPoller, type UsnWatermark } from '../../../../functions/lib/sources/ad';
import { openAdClient } from '../../../../functions/lib/sources/ad/connection';
import { MemoryStateStore } from '../../../../functions/lib/state';
import { AD_HOOK_TIMEOUT_MS, adTestConfig, adTestUrl, SambaAdFixtures } from '../../../support/sambaAd';

const describeAd = adTestUrl ? describe : describe.skip;

/** Keeps what the poller publishes; `take()` returns the changes naming this test's own objects. */
class RecordingQueue implements ChangeQueue {
  readonly published: Change[] = [];
  constructor(private readonly mine: ReadonlySet<string>) {}

  async publish(changes: Change[]): Promise<ChangeBatch[]> {
    this.published.push(...changes);
    return [{ v: 1, id: String(this.published.length), emittedAt: new Date().toISOString(), changes }];
  }
  take(): string[][] {
    // The lock keeps other tests off the DC, but not a benchmark or a person at the same time.
    const taken = this.published.splice(0).filter((c) => this.mine.has(c.sourceId)).map((c) => [c.kind, c.sourceId, c.reason]);
    return sorted(taken);
  }
}

function sorted(changes: string[][]): string[][] {
  return [...changes].sort((a, b) => a.join().localeCompare(b.join()));
}

describeAd('UsnPoller (Samba AD DC)', () => {
  let fx: SambaAdFixtures;
  let state: MemoryStateStore;
  let queue: RecordingQueue;
  let poller: UsnPoller;

  beforeEach(async () => {
    fx = await SambaAdFixtures.open();
    state = new MemoryStateStore();
    queue = new RecordingQueue(fx.created);
    poller = new UsnPoller({ config: adTestConfig({ baseDn: fx.ou }), state, queue });
  }, AD_HOOK_TIMEOUT_MS);
  afterEach(async () => fx.close());

  it('lists everything in scope on the first poll, then stores the DC, invocationId and USN', async () => {
    const alice = await fx.addUser('alice', { userAccountControl: '512' });
    const group = await fx.addGroup('eng', [alice.dn]);
    const report = await poller.poll();
    expect(report).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', changes: 2 });
    expect(queue.take()).toEqual(sorted([['group', group.guid, 'full-resync'], ['user', alice.guid, 'full-resync']]));
    const mark = await state.get<UsnWatermark>('ad/watermark');
    expect(mark).toMatchObject({ dnsHostName: await fx.rootDse('dnsHostName'), usn: report.toUsn });
  });

  it('emits exactly what changed: modify, disable, rename, move, delete', async () => {
    const alice = await fx.addUser('alice', { userAccountControl: '512' });
    const bob = await fx.addUser('bob', { userAccountControl: '512' });
    const carol = await fx.addUser('carol', { userAccountControl: '512' });
    const dave = await fx.addUser('dave', { userAccountControl: '512' });
    await fx.addUser('erin', { userAccountControl: '512' });
    const other = await fx.addOu('other');
    await poller.poll();
    queue.take();
    expect(await poller.poll()).toMatchObject({ mode: 'incremental', changes: 0, entriesRead: 0 });

    await fx.replace(alice.dn, 'displayName', ['Alice Liu']);
    await fx.replace(bob.dn, 'userAccountControl', ['514']);
    await fx.rename(carol.dn, `CN=carol2,${fx.ou}`);
    await fx.rename(dave.dn, `CN=dave,${other}`);
    const gone = await fx.addUser('frank');
    await fx.remove(gone.dn);
    const report = await poller.poll();
    expect(report.mode).toBe('incremental');
    expect(queue.take()).toEqual(sorted([
      ['user', alice.guid, 'usn'], ['user', bob.guid, 'usn'], ['user', carol.guid, 'usn'], ['user', dave.guid, 'usn'], ['user', gone.guid, 'deleted'],
    ]));
    expect(report.entriesRead).toBe(5);
  });

  describe('group membership (only the group\'s USN moves: memberOf is a back-link)', () => {
    it('names who joined and who left, compared with the last snapshot of the group', async () => {
      const alice = await fx.addUser('alice');
      const bob = await fx.addUser('bob');
      const group = await fx.addGroup('eng', [alice.dn]);
      await poller.poll();
      queue.take();
      await fx.addValue(group.dn, 'member', bob.dn);
      await poller.poll();
      expect(queue.take()).toEqual(sorted([['group', group.guid, 'usn'], ['user', bob.guid, 'group-member-added']]));
      await fx.removeValue(group.dn, 'member', alice.dn);
      await poller.poll();
      expect(queue.take()).toEqual(sorted([['group', group.guid, 'usn'], ['user', alice.guid, 'group-member-removed']]));
    });

    it('names every member, old and new, of a renamed group (group rules may map by name)', async () => {
      const alice = await fx.addUser('alice');
      const bob = await fx.addUser('bob');
      const group = await fx.addGroup('eng', [alice.dn]);
      await poller.poll();
      queue.take();
      await fx.rename(group.dn, `CN=engineering,${fx.ou}`);
      await fx.addValue(`CN=engineering,${fx.ou}`, 'member', bob.dn);
      await poller.poll();
      expect(queue.take()).toEqual(sorted([['group', group.guid, 'usn'], ['user', alice.guid, 'group-renamed'], ['user', bob.guid, 'group-renamed']]));
    });

    it('names the former members of a deleted group', async () => {
      const alice = await fx.addUser('alice');
      const group = await fx.addGroup('eng', [alice.dn]);
      await poller.poll();
      queue.take();
      await fx.remove(group.dn);
      await poller.poll();
      expect(queue.take()).toEqual(sorted([['group', group.guid, 'deleted'], ['user', alice.guid, 'group-deleted']]));
      expect(await state.list('ad/groups/')).toEqual([]);
    });

    it('names no one for a group outside the scope; names the members of a group that leaves it, or enters it', async () => {
      const scoped = await fx.addOu('scoped');
      const inside = new UsnPoller({ config: adTestConfig({ baseDn: scoped }), state, queue });
      const alice = await fx.addUser('alice', {}, scoped);
      const bob = await fx.addUser('bob', {}, scoped);
      const outside = await fx.addGroup('outside', [alice.dn]);
      const team = await fx.addGroup('team', [bob.dn]);
      await fx.rename(team.dn, `CN=team,${scoped}`);
      await inside.poll();
      queue.take();

      await fx.addValue(outside.dn, 'member', bob.dn);
      await inside.poll();
      expect(queue.take()).toEqual([['group', outside.guid, 'usn']]);

      await fx.rename(`CN=team,${scoped}`, `CN=team,${fx.ou}`);
      await inside.poll();
      expect(queue.take()).toEqual(sorted([['group', team.guid, 'usn'], ['user', bob.guid, 'group-deleted']]));

      await fx.rename(outside.dn, `CN=outside,${scoped}`);
      await inside.poll();
      expect(queue.take()).toEqual(sorted([['group', outside.guid, 'usn'], ['user', alice.guid, 'group-member'], ['user', bob.guid, 'group-member']]));
    });

    it('reads a large group\'s members in ranges (as AD answers past MaxValRange) and still names exactly the difference', async () => {
      const ranged = new UsnPoller({ config: adTestConfig({ baseDn: fx.ou, valueRangeStep: 4 }), state, queue });
      const people = [];
      for (let i = 0; i < 11; i++) people.push(await fx.addUser(`p${i}`));
      const group = await fx.addGroup('big', people.slice(0, 10).map((p) => p.dn));
      await ranged.poll();
      queue.take();
      expect((await state.get<{ members: string[] }>(`ad/groups/${group.guid}`))?.members).toEqual(people.slice(0, 10).map((p) => p.guid).sort());
      await fx.addValue(group.dn, 'member', people[10]!.dn);
      await fx.removeValue(group.dn, 'member', people[3]!.dn);
      await ranged.poll();
      expect(queue.take()).toEqual(sorted([
        ['group', group.guid, 'usn'], ['user', people[10]!.guid, 'group-member-added'], ['user', people[3]!.guid, 'group-member-removed'],
      ]));
    });
  });

  it('hands a full resync to its caller instead of publishing everything, and moves the watermark only after it', async () => {
    await fx.addUser('alice');
    const reasons: string[] = [];
    const resyncing = new UsnPoller({
      config: adTestConfig({ baseDn: fx.ou }), state, queue,
      fullResync: async (reason) => { reasons.push(reason); },
    });
    expect(await resyncing.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', changes: 0 });
    expect(reasons).toEqual(['first-poll']);
    expect(queue.take()).toEqual([]);

    const mark = (await state.get<UsnWatermark>('ad/watermark'))!;
    await state.put('ad/watermark', { ...mark, dnsHostName: 'dc2.example.test' });
    const failing = new UsnPoller({
      config: adTestConfig({ baseDn: fx.ou }), state, queue,
      fullResync: async () => { throw new Error('RAM unavailable'); },
    });
    await expect(failing.poll()).rejects.toThrow('RAM unavailable');
    expect((await state.get<UsnWatermark>('ad/watermark'))?.dnsHostName).toBe('dc2.example.test');
  });

  it('does not search at all when nothing was written on the DC since the last poll', async () => {
    await fx.addUser('alice');
    await poller.poll();
    let searches = 0;
    const counting = new UsnPoller({
      config: adTestConfig({ baseDn: fx.ou }), state, queue,
      open: async (config) => {
        const client = await openAdClient(config);
        const paged = client.searchPaginated.bind(client);
        client.searchPaginated = (...args) => { searches++; return paged(...args); };
        return client;
      },
    });
    expect(await counting.poll()).toMatchObject({ mode: 'incremental', changes: 0, entriesRead: 0 });
    expect(searches).toBe(0);
  });

  it('loses nothing when interrupted after enqueueing but before saving the watermark', async () => {
    const alice = await fx.addUser('alice');
    await poller.poll();
    queue.take();
    await fx.replace(alice.dn, 'mail', ['alice@corp.example']);
    const failing = new MemoryStateStore();
    await failing.put('ad/watermark', await state.get('ad/watermark'));
    failing.put = async () => { throw new Error('NAS unavailable'); };
    await expect(new UsnPoller({ config: adTestConfig({ baseDn: fx.ou }), state: failing, queue }).poll()).rejects.toThrow('NAS unavailable');
    expect(queue.take()).toEqual([['user', alice.guid, 'usn']]);
    await poller.poll();
    expect(queue.take()).toEqual([['user', alice.guid, 'usn']]);
  });

  it('does not store the watermark when enqueueing fails', async () => {
    await fx.addUser('alice');
    const before = await state.get('ad/watermark');
    const broken: ChangeQueue = { publish: async () => { throw new Error('queue down'); } };
    await expect(new UsnPoller({ config: adTestConfig({ baseDn: fx.ou }), state, queue: broken }).poll()).rejects.toThrow('queue down');
    expect(await state.get('ad/watermark')).toEqual(before);
  });

  it('refuses to poll with a bind account that cannot see deletions, naming the fix; such an account still reads people', async () => {
    const alice = await fx.addUser('alice', { displayName: 'Alice' });
    const account = await fx.addBindAccount('svc-sync', 'Sync!Passw0rd-1');
    const limited = adTestConfig({ baseDn: fx.ou, bindDn: account.bindDn, bindPassword: 'Sync!Passw0rd-1' });
    const rejected = new UsnPoller({ config: limited, state, queue }).poll();
    await expect(rejected).rejects.toMatchObject({ kind: 'deleted-objects-unreadable', retryable: false, message: expect.stringMatching(/Deleted Objects.*LCRP/) });
    expect(await state.get('ad/watermark')).toBeUndefined();
    expect(queue.take()).toEqual([]);
    expect(await new AdSource(limited).getUser(alice.guid)).toMatchObject({ displayName: 'Alice' });
  });

  it('resyncs fully when the invocationId or the DC differs from the stored one', async () => {
    await fx.addUser('alice');
    await poller.poll();
    const mark = (await state.get<UsnWatermark>('ad/watermark'))!;
    await state.put('ad/watermark', { ...mark, invocationId: '00000000-0000-0000-0000-000000000001' });
    expect(await poller.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'dc-restored', changes: 1 });
    await state.put('ad/watermark', { ...mark, dnsHostName: 'dc2.example.test' });
    expect(await poller.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'dc-changed', changes: 1 });
  });
});
