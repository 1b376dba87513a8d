/**
 * The OpenLDAP poller against real throwaway slapd servers (test/support/slapd.ts): one with
 * accesslog and syncprov, one with syncprov only (deletions by listing). Each suite owns its server,
 * so every published change is this test's doing and the assertions are exact.
 */
import { Client } from 'ldapts';
import type { Change, ChangeBatch } from '../../../../functions/lib/core/model';
import type { ChangeQueue } from '../../../../functions/lib/core/ports';
import { CsnPoller, type CsnPollerOptions } from '../../../../functions/lib/sources/ldap/CsnPoller';
import type { LdapSourceConfig } from '../../../../functions/lib/sources/ldap/config';
import { openLdapClient } from '../../../../functions/lib/sources/ldap/connection';
import type { CsnWatermark } from '../../../../functions/lib/sources/ldap/watermark';
import { secondsBefore } from '../../../../functions/lib/sources/ldap/accesslog';
import { MemoryStateStore } from '../../../../functions/lib/state';
import { describeWithSlapd, type Slapd, startSlapd } from '../../../support/slapd';

class RecordingQueue implements ChangeQueue {
  readonly published: Change[] = [];
  failNext = false;

  async publish(changes: Change[]): Promise<ChangeBatch[]> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('queue down');
    }
    this.published.push(...changes);
    return [{ v: 1, id: String(this.published.length), emittedAt: new Date().toISOString(), changes }];
  }
  /** What was published since the last take, as sorted [kind, id, reason] rows. */
  take(): string[][] {
    return this.published.splice(0).map((c) => [c.kind, c.sourceId, c.reason]).sort((a, b) => a.join().localeCompare(b.join()));
  }
}

function configFor(slapd: Slapd, overrides: Partial<LdapSourceConfig> = {}): LdapSourceConfig {
  return {
    url: slapd.url, transport: 'plain', bindDn: slapd.bindDn, bindPassword: slapd.password, baseDn: slapd.baseDn, timeoutMs: 10_000,
    userFilter: '(objectClass=inetOrgPerson)',
    groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))',
    pageSize: 50, attributes: { userName: 'uid', email: 'mail', displayName: ['displayName', 'cn'] }, departments: 'groups',
    ...overrides,
  };
}

const person = (uid: string, extra: Record<string, string | string[]> = {}) => ({ objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, ...extra });

/** Counts the searches a poll makes (the bind is not one). */
function countingOpen(counter: { searches: number }) {
  return async (config: LdapSourceConfig): Promise<Client> => {
    const client = await openLdapClient(config);
    const search = client.search.bind(client);
    client.search = (...args: Parameters<Client['search']>) => {
      counter.searches++;
      return search(...args);
    };
    const paginated = client.searchPaginated.bind(client);
    client.searchPaginated = (...args: Parameters<Client['searchPaginated']>) => {
      counter.searches++;
      return paginated(...args);
    };
    return client;
  };
}

describeWithSlapd('CsnPoller against slapd with accesslog', () => {
  let slapd: Slapd;
  let state: MemoryStateStore;
  let queue: RecordingQueue;
  const counter = { searches: 0 };
  let poller: CsnPoller;
  let contractors: string;
  const uuid = {} as Record<string, string>;
  const make = (options: Partial<CsnPollerOptions> = {}) => new CsnPoller({ config: configFor(slapd, { baseDn: slapd.people }), state, queue, open: countingOpen(counter), ...options });

  beforeAll(async () => {
    slapd = await startSlapd();
    state = new MemoryStateStore();
    queue = new RecordingQueue();
    contractors = `ou=Contractors,${slapd.baseDn}`;
    await slapd.add(contractors, { objectClass: 'organizationalUnit', ou: 'Contractors' });
    await slapd.add(`ou=Platform,${slapd.people}`, { objectClass: 'organizationalUnit', ou: 'Platform' });
    for (const uid of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      await slapd.add(`uid=${uid},${slapd.people}`, person(uid));
      uuid[uid] = await slapd.entryUuid(`uid=${uid},${slapd.people}`);
    }
    await slapd.add(`cn=eng,${slapd.people}`, { objectClass: 'groupOfNames', cn: 'eng', member: [`uid=alice,${slapd.people}`] });
    uuid.eng = await slapd.entryUuid(`cn=eng,${slapd.people}`);
    poller = make();
  }, 60_000);
  afterAll(() => slapd?.stop());
  beforeEach(() => { counter.searches = 0; });

  it('first poll: a full resync naming everyone in scope, then a watermark of this server', async () => {
    const report = await poller.poll();
    expect(report).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', deletes: 'accesslog', changes: 7 });
    expect(queue.take()).toEqual([
      ['group', uuid.eng, 'full-resync'],
      ...['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((u) => ['user', uuid[u]!, 'full-resync']),
    ].sort((a, b) => a.join().localeCompare(b.join())));
    const mark = await state.get<CsnWatermark>('ldap/watermark');
    expect(mark).toMatchObject({ suffix: slapd.baseDn, deletes: 'accesslog', accesslog: { reqStart: expect.stringMatching(/^\d{14}\.\d{6}Z$/) } });
    expect(mark!.contextCsn).toHaveLength(1);
  });

  it('nothing written: the gate holds after one search', async () => {
    expect(await poller.poll()).toMatchObject({ mode: 'unchanged', gateHit: true, changes: 0 });
    expect(counter.searches).toBe(1);
  });

  it('add, modify and disable: each named once, by entryCSN', async () => {
    await slapd.add(`uid=gina,${slapd.people}`, person('gina', { displayName: 'Gina' }));
    uuid.gina = await slapd.entryUuid(`uid=gina,${slapd.people}`);
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { displayName: 'Alice Liu' } });
    await slapd.modify(`uid=bob,${slapd.people}`, { replace: { pwdAccountLockedTime: '000001010000Z' } });
    expect(await poller.poll()).toMatchObject({ mode: 'incremental', deletes: 'accesslog', gone: 0 });
    expect(queue.take()).toEqual([['user', uuid.alice, 'csn'], ['user', uuid.bob, 'csn'], ['user', uuid.gina, 'csn']]);
  });

  it('rename, move between OUs under the base, move out of the base, delete', async () => {
    await slapd.modrdn(`uid=carol,${slapd.people}`, 'uid=carol2');
    await slapd.modrdn(`uid=dave,${slapd.people}`, `uid=dave,ou=Platform,${slapd.people}`);
    await slapd.modrdn(`uid=erin,${slapd.people}`, `uid=erin,${contractors}`);
    await slapd.del(`uid=frank,${slapd.people}`);
    const report = await poller.poll();
    expect(report).toMatchObject({ mode: 'incremental', gone: 2 });
    expect(queue.take()).toEqual([
      ['user', uuid.carol, 'csn'], ['user', uuid.dave, 'csn'], ['user', uuid.erin, 'moved'], ['user', uuid.frank, 'deleted'],
    ]);
  });

  it('group members added and removed: the group and exactly who joined and who left', async () => {
    await slapd.modify(`cn=eng,${slapd.people}`, { add: { member: [`uid=bob,${slapd.people}`] } });
    await slapd.modify(`cn=eng,${slapd.people}`, { delete: { member: [`uid=alice,${slapd.people}`] } });
    expect(await poller.poll()).toMatchObject({ mode: 'incremental' });
    expect(queue.take()).toEqual([
      ['group', uuid.eng, 'csn'], ['user', uuid.alice, 'group-member-removed'], ['user', uuid.bob, 'group-member-added'],
    ]);
  });

  it('groupOfUniqueNames and posixGroup members resolve to the same people', async () => {
    await slapd.add(`cn=ops,${slapd.people}`, { objectClass: 'groupOfUniqueNames', cn: 'ops', uniqueMember: [`uid=gina,${slapd.people}#'0101'B`] });
    await slapd.add(`cn=posix,${slapd.people}`, { objectClass: 'posixGroup', cn: 'posix', gidNumber: '5000', memberUid: ['alice'] });
    uuid.ops = await slapd.entryUuid(`cn=ops,${slapd.people}`);
    uuid.posix = await slapd.entryUuid(`cn=posix,${slapd.people}`);
    await poller.poll();
    expect(queue.take()).toEqual([
      ['group', uuid.ops, 'csn'], ['group', uuid.posix, 'csn'], ['user', uuid.alice, 'group-member'], ['user', uuid.gina, 'group-member'],
    ]);
    await slapd.modify(`cn=posix,${slapd.people}`, { replace: { memberUid: ['gina'] } });
    await slapd.modify(`cn=ops,${slapd.people}`, { add: { uniqueMember: [`uid=alice,${slapd.people}`] } });
    await poller.poll();
    expect(queue.take()).toEqual([
      ['group', uuid.ops, 'csn'], ['group', uuid.posix, 'csn'], ['user', uuid.alice, 'group-member-added'], ['user', uuid.gina, 'group-member-added'],
    ]);
  });

  it('hostile member values (DN specials, filter specials, non-ASCII uid) resolve to the right people, nobody else', async () => {
    const special = `uid=O'Brien\\, Jr (x)*\\+1,${slapd.people}`;
    await slapd.add(special, person("O'Brien, Jr (x)*+1"));
    await slapd.add(`uid=张伟,${slapd.people}`, person('张伟', { cn: 'x'.repeat(255) }));
    uuid.special = await slapd.entryUuid(special);
    uuid.zhang = await slapd.entryUuid(`uid=张伟,${slapd.people}`);
    await slapd.add(`cn=odd,${slapd.people}`, { objectClass: 'groupOfNames', cn: 'odd', member: [special, `uid=张伟,${slapd.people}`, `uid=*,${slapd.people}`] });
    // memberUid is IA5: no Chinese there, but a filter special must match nobody.
    await slapd.modify(`cn=posix,${slapd.people}`, { add: { memberUid: ['*', 'a)(uid=*'] } });
    uuid.odd = await slapd.entryUuid(`cn=odd,${slapd.people}`);
    await poller.poll();
    expect(queue.take()).toEqual([
      ['group', uuid.odd, 'csn'], ['group', uuid.posix, 'csn'],
      ['user', uuid.special, 'csn'], ['user', uuid.zhang, 'csn'],
    ].sort((a, b) => a.join().localeCompare(b.join())));
    await slapd.del(`cn=odd,${slapd.people}`);
    await slapd.modify(`cn=posix,${slapd.people}`, { delete: { memberUid: ['*', 'a)(uid=*'] } });
    await poller.poll();
    expect(queue.take()).toEqual([
      ['group', uuid.odd, 'deleted'], ['group', uuid.posix, 'csn'],
      ['user', uuid.special, 'group-deleted'], ['user', uuid.zhang, 'group-deleted'],
    ].sort((a, b) => a.join().localeCompare(b.join())));
  });

  it('a deleted group names its former members', async () => {
    await slapd.del(`cn=ops,${slapd.people}`);
    expect(await poller.poll()).toMatchObject({ gone: 1 });
    expect(queue.take()).toEqual([['group', uuid.ops, 'deleted'], ['user', uuid.alice, 'group-deleted'], ['user', uuid.gina, 'group-deleted']]);
  });

  it('a person who stops matching LDAP_USER_FILTER is named (the log\'s modify record)', async () => {
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { objectClass: ['inetOrgPerson', 'posixAccount'], uidNumber: '1000', gidNumber: '1000', homeDirectory: '/home/alice' } });
    const narrow = make({ config: configFor(slapd, { baseDn: slapd.people, userFilter: '(&(objectClass=inetOrgPerson)(!(objectClass=posixAccount)))' }) });
    // Another scope is another watermark: first a resync, then the change is incremental.
    await slapd.modify(`uid=bob,${slapd.people}`, { replace: { displayName: 'Bob' } });
    expect(await narrow.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'scope-changed' });
    queue.take();
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { description: 'contractor now' } });
    expect(await narrow.poll()).toMatchObject({ mode: 'incremental', gone: 1 });
    expect(queue.take()).toEqual([['user', uuid.alice, 'left-filter']]);
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { objectClass: ['inetOrgPerson'] }, delete: { uidNumber: [], gidNumber: [], homeDirectory: [] } });
    expect(await poller.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'scope-changed' });
    queue.take();
  });

  it('a crash between publishing and saving repeats the changes on the next poll', async () => {
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { displayName: 'Alice L.' } });
    await slapd.del(`uid=gina,${slapd.people}`);
    const before = await state.get<CsnWatermark>('ldap/watermark');
    queue.failNext = true;
    await expect(poller.poll()).rejects.toThrow('queue down');
    expect(await state.get<CsnWatermark>('ldap/watermark')).toEqual(before);
    // gina stays in posix's memberUid (no refint): the group did not change, her deletion is named on its own.
    await poller.poll();
    expect(queue.take()).toEqual([['user', uuid.alice, 'csn'], ['user', uuid.gina, 'deleted']]);
    expect(await poller.poll()).toMatchObject({ gateHit: true });
  });

  it('with departments from OUs, a changed OU is a department change', async () => {
    const byOu = make({ config: configFor(slapd, { baseDn: slapd.people, departments: 'ous' }) });
    const platform = await slapd.entryUuid(`ou=Platform,${slapd.people}`);
    await slapd.modify(`ou=Platform,${slapd.people}`, { replace: { description: 'the platform team' } });
    expect(await byOu.poll()).toMatchObject({ mode: 'incremental', changes: 1 });
    expect(queue.take()).toEqual([['group', platform, 'csn']]);
  });

  it('a crash after publishing, before the watermark is saved: the next poll publishes the same changes again', async () => {
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { displayName: 'Alice Liu' } });
    await slapd.modify(`cn=eng,${slapd.people}`, { add: { member: [`uid=alice,${slapd.people}`] } });
    await slapd.del(`uid=dave,ou=Platform,${slapd.people}`);
    const put = state.put.bind(state);
    state.put = async (key, value) => {
      if (key === 'ldap/watermark') throw new Error('instance frozen');
      return put(key, value);
    };
    await expect(poller.poll()).rejects.toThrow('instance frozen');
    const first = queue.take();
    state.put = put;
    await poller.poll();
    expect(queue.take()).toEqual(first);
    expect(first).toEqual([['group', uuid.eng, 'csn'], ['user', uuid.alice, 'csn'], ['user', uuid.dave, 'deleted']]);
  });
});

describeWithSlapd('CsnPoller against slapd without accesslog (deletions by listing)', () => {
  let slapd: Slapd;
  let state: MemoryStateStore;
  let queue: RecordingQueue;
  let poller: CsnPoller;
  const counter = { searches: 0 };
  const uuid = {} as Record<string, string>;

  beforeAll(async () => {
    slapd = await startSlapd({ accesslog: false });
    state = new MemoryStateStore();
    queue = new RecordingQueue();
    await slapd.add(`ou=Contractors,${slapd.baseDn}`, { objectClass: 'organizationalUnit', ou: 'Contractors' });
    for (const uid of ['alice', 'bob', 'carol', 'dave']) {
      await slapd.add(`uid=${uid},${slapd.people}`, person(uid));
      uuid[uid] = await slapd.entryUuid(`uid=${uid},${slapd.people}`);
    }
    await slapd.add(`cn=eng,${slapd.people}`, { objectClass: 'groupOfNames', cn: 'eng', member: [`uid=alice,${slapd.people}`, `uid=bob,${slapd.people}`] });
    uuid.eng = await slapd.entryUuid(`cn=eng,${slapd.people}`);
    poller = new CsnPoller({ config: configFor(slapd, { baseDn: slapd.people }), state, queue, open: countingOpen(counter) });
  }, 60_000);
  afterAll(() => slapd?.stop());
  beforeEach(() => { counter.searches = 0; });

  it('auto falls back to listing, and says so', async () => {
    expect(await poller.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', deletes: 'listing', changes: 5 });
    queue.take();
    counter.searches = 0;
    expect(await poller.poll()).toMatchObject({ mode: 'unchanged', gateHit: true });
    expect(counter.searches).toBe(1);
  });

  it('a deletion and a move out of the base are found by the listing; a modify by entryCSN', async () => {
    await slapd.del(`uid=carol,${slapd.people}`);
    await slapd.modrdn(`uid=dave,${slapd.people}`, `uid=dave,ou=Contractors,${slapd.baseDn}`);
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { displayName: 'Alice' } });
    const report = await poller.poll();
    expect(report).toMatchObject({ mode: 'incremental', deletes: 'listing', gone: 2, changes: 3 });
    expect(queue.take()).toEqual([['user', uuid.alice, 'csn'], ['user', uuid.carol, 'gone'], ['user', uuid.dave, 'gone']]);
  });

  it('a deleted group names its former members', async () => {
    await slapd.del(`cn=eng,${slapd.people}`);
    expect(await poller.poll()).toMatchObject({ gone: 1 });
    expect(queue.take()).toEqual([['group', uuid.eng, 'gone'], ['user', uuid.alice, 'group-deleted'], ['user', uuid.bob, 'group-deleted']]);
  });

  it('LDAP_DELETE_DETECTION=accesslog refuses a server without one, naming the variable', async () => {
    const strict = new CsnPoller({ config: configFor(slapd, { baseDn: slapd.people }), state, queue, settings: { deletes: 'accesslog' } });
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { displayName: 'Alice L' } });
    await expect(strict.poll()).rejects.toMatchObject({ kind: 'accesslog-unreadable', retryable: false, message: expect.stringContaining('LDAP_DELETE_DETECTION') });
  });

  it('a watermark from another server (same suffix): a full resync, then incremental on the new one', async () => {
    const other = await startSlapd({ accesslog: false });
    try {
      await other.add(`uid=zoe,${other.people}`, person('zoe'));
      const zoe = await other.entryUuid(`uid=zoe,${other.people}`);
      const moved = new CsnPoller({ config: configFor(other), state, queue });
      expect(await moved.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'server-changed' });
      expect(queue.take()).toEqual([['user', zoe, 'full-resync']]);
      await other.del(`uid=zoe,${other.people}`);
      expect(await moved.poll()).toMatchObject({ mode: 'incremental', gone: 1 });
      expect(queue.take()).toEqual([['user', zoe, 'gone']]);
    } finally {
      await other.stop();
    }
  });
});

describeWithSlapd('CsnPoller: accesslog coverage', () => {
  let slapd: Slapd;

  beforeAll(async () => { slapd = await startSlapd(); }, 60_000);
  afterAll(() => slapd?.stop());

  it('a log purged past the stored record cannot prove deletions: a full resync (run by the caller), then incremental again', async () => {
    const state = new MemoryStateStore();
    const queue = new RecordingQueue();
    const resyncs: string[] = [];
    const poller = new CsnPoller({ config: configFor(slapd), state, queue, fullResync: async (reason) => { resyncs.push(reason); } });
    await slapd.add(`uid=amy,${slapd.people}`, person('amy'));
    expect(await poller.poll()).toMatchObject({ mode: 'full', changes: 0 });
    const mark = await state.get<CsnWatermark>('ldap/watermark');
    // What logpurge does: the log's rootdn removes the record the watermark points at.
    const log = new Client({ url: slapd.url });
    await log.bind('cn=accesslog', 'secret');
    await log.del(`reqStart=${mark!.accesslog!.reqStart},cn=accesslog`);
    await log.unbind();
    await slapd.del(`uid=amy,${slapd.people}`);
    expect(await poller.poll()).toMatchObject({ mode: 'full', fullResyncReason: 'accesslog-gap', changes: 0 });
    expect(resyncs).toEqual(['first-poll', 'accesslog-gap']);
    await slapd.add(`uid=ben,${slapd.people}`, person('ben'));
    expect(await poller.poll()).toMatchObject({ mode: 'incremental', changes: 1 });
  });

  it('a record logged late (a slow write, named by its start behind the position) is still read, once', async () => {
    const state = new MemoryStateStore();
    const queue = new RecordingQueue();
    const poller = new CsnPoller({ config: configFor(slapd), state, queue, fullResync: async () => undefined });
    await slapd.add(`uid=cy,${slapd.people}`, person('cy'));
    await poller.poll();
    await slapd.add(`uid=dee,${slapd.people}`, person('dee'));
    await poller.poll();
    queue.take();
    const position = (await state.get<CsnWatermark>('ldap/watermark'))!.accesslog!;
    // What slapd writes when a delete that started 5 s before the position ends after the last poll.
    const cy = await slapd.entryUuid(`uid=cy,${slapd.people}`);
    await slapd.del(`uid=cy,${slapd.people}`);
    const late = secondsBefore(position.reqStart, 5).replace('.000000Z', '.000001Z');
    const log = new Client({ url: slapd.url });
    await log.bind('cn=accesslog', 'secret');
    await log.add(`reqStart=${late},cn=accesslog`, {
      objectClass: 'auditDelete', reqStart: late, reqType: 'delete', reqSession: '1', reqDN: `uid=cy,${slapd.people}`, reqResult: '0', reqEntryUUID: cy,
    });
    // The real record of the delete is newer than the position: remove it, so only the late one names cy.
    const { searchEntries } = await log.search('cn=accesslog', { scope: 'one', filter: `(&(objectClass=auditDelete)(reqEntryUUID=${cy})(!(reqStart=${late})))`, attributes: ['reqStart'] });
    for (const e of searchEntries) await log.del(e.dn);
    await log.unbind();
    await slapd.modify(`uid=dee,${slapd.people}`, { replace: { sn: 'Dee' } });
    expect(await poller.poll()).toMatchObject({ mode: 'incremental', gone: 1 });
    expect(queue.take().filter((r) => r[2] !== 'full-resync')).toEqual([['user', cy, 'deleted'], ['user', await slapd.entryUuid(`uid=dee,${slapd.people}`), 'csn']].sort((a, b) => a.join().localeCompare(b.join())));
    await slapd.modify(`uid=dee,${slapd.people}`, { replace: { sn: 'Dee2' } });
    await poller.poll();
    expect(queue.take().map((r) => r[2])).toEqual(['csn']);
  });
});
