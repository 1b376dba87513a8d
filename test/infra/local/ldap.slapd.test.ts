/**
 * OpenLDAP's whole path on the local stack, every part real: a throwaway slapd (accesslog, syncprov),
 * the built `ldap-poll` bundle (run by its timer), FC's invoke API into the durable queue, the built
 * `push` bundle reading each person back from slapd, and RAM (the emulator) following. Each step
 * below is one directory change, one timer tick, and the RAM state it must lead to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import type { LdapPollResult } from '../../../functions/lib/sync/ldapPoll';
import { describeWithSlapd, type Slapd, startSlapd } from '../../support/slapd';

const person = (uid: string, extra: Record<string, string | string[]> = {}) => ({ objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, ...extra });

describeWithSlapd('OpenLDAP → RAM on the local stack (slapd)', () => {
  let dir: string;
  let slapd: Slapd;
  let stack: LocalStack;
  let contractors: string;
  const uuid = {} as Record<'alice' | 'bob' | 'carol' | 'dave', string>;

  const poll = async (): Promise<LdapPollResult> => {
    const result = await stack.tick('ldap-poll') as LdapPollResult;
    await stack.idle();
    return result;
  };
  const ram = (id: string) => stack.emulator!.state.userByExternalId(`ldap:${id}`);
  const ramGroupMembers = () => stack.emulator!.state.usersForGroup('ldap-eng').map((m) => m.user.externalId).sort();
  const keyStatus = (userName: string) => stack.emulator!.state.accessKeysOf(userName).map((k) => k.status);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ldap-stack-'));
    slapd = await startSlapd();
    contractors = `ou=Contractors,${slapd.baseDn}`;
    await slapd.add(contractors, { objectClass: 'organizationalUnit', ou: 'Contractors' });
    await slapd.add(`uid=alice,${slapd.people}`, person('alice', { displayName: 'Alice Liu', mail: 'alice@corp.example' }));
    await slapd.add(`uid=bob,${slapd.people}`, person('bob', { displayName: 'Bob Wang' }));
    await slapd.add(`uid=carol,${slapd.people}`, person('carol', { displayName: 'Carol Chen' }));
    for (const uid of ['alice', 'bob', 'carol'] as const) uuid[uid] = await slapd.entryUuid(`uid=${uid},${slapd.people}`);
    await slapd.add(`cn=eng,${slapd.people}`, { objectClass: 'groupOfNames', cn: 'eng', member: [`uid=alice,${slapd.people}`] });
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), RAM_OAUTH_CLIENT_ID: '',
        LDAP_URL: slapd.url, LDAP_ALLOW_PLAIN_LDAP: 'true', LDAP_BIND_DN: slapd.bindDn, LDAP_BIND_PASSWORD: slapd.password,
        LDAP_BASE_DN: slapd.people, LDAP_ATTR_DISABLED: 'pwdAccountLockedTime',
        SYNC_GROUP_RULES: 'eng=ldap-eng',
        // Three people: the last step's two leavers would otherwise be a mass deletion, held for review.
        SAFEGUARD_MAX_DELETE_PERCENT: '100',
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
      // Ticks come from the test, not the clock.
      timers: { 'ldap-poll': { triggerName: 'every-5m', everyMs: 3_600_000 } },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await slapd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs ldap-poll on its timer', () => {
    expect(stack.timers).toEqual(['ldap-poll']);
    expect([...stack.unconfigured.keys()]).not.toContain('ldap-poll');
  });

  it('first poll: a full resync brings everyone in scope into RAM, with their group', async () => {
    const result = await poll();
    expect(result).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', deletes: 'accesslog', fullSync: { dryRun: false, result: { created: 3, failed: 0 } } });
    expect(ram(uuid.alice)).toMatchObject({ displayName: 'Alice Liu' });
    expect(ram(uuid.bob)).toBeDefined();
    expect(ramGroupMembers()).toEqual([`ldap:${uuid.alice}`]);
  });

  it('a quiet interval changes nothing, after one search', async () => {
    const before = stack.emulator!.state.snapshot();
    expect(await poll()).toMatchObject({ mode: 'unchanged', gateHit: true, changes: 0 });
    expect(stack.emulator!.state.snapshot()).toEqual(before);
  });

  it('add, modify, rename and move within scope: the same RAM users follow', async () => {
    const bobId = ram(uuid.bob)!.id;
    await slapd.add(`uid=dave,${slapd.people}`, person('dave', { displayName: 'Dave Zhou' }));
    uuid.dave = await slapd.entryUuid(`uid=dave,${slapd.people}`);
    await slapd.modify(`uid=alice,${slapd.people}`, { replace: { displayName: 'Alice Liu-Zhang' } });
    await slapd.add(`ou=Platform,${slapd.people}`, { objectClass: 'organizationalUnit', ou: 'Platform' });
    await slapd.modrdn(`uid=bob,${slapd.people}`, `uid=robert,ou=Platform,${slapd.people}`);
    await slapd.modify(`uid=robert,ou=Platform,${slapd.people}`, { replace: { displayName: 'Robert Wang' } });
    expect(await poll()).toMatchObject({ mode: 'incremental', gone: 0 });
    expect(ram(uuid.dave)).toMatchObject({ displayName: 'Dave Zhou' });
    expect(ram(uuid.alice)?.displayName).toBe('Alice Liu-Zhang');
    expect(ram(uuid.bob)).toMatchObject({ id: bobId, displayName: 'Robert Wang' });
  });

  it('group members added and removed: the RAM group follows both ways', async () => {
    await slapd.modify(`cn=eng,${slapd.people}`, { add: { member: [`uid=robert,ou=Platform,${slapd.people}`] } });
    await slapd.modify(`cn=eng,${slapd.people}`, { delete: { member: [`uid=alice,${slapd.people}`] } });
    expect(await poll()).toMatchObject({ changes: 3 }); // the group, bob joined, alice left
    expect(ramGroupMembers()).toEqual([`ldap:${uuid.bob}`]);
  });

  it('disable suspends (AccessKeys off), re-enable restores exactly that', async () => {
    const userName = ram(uuid.carol)!.userName;
    stack.emulator!.state.attachAccessKey(userName);
    await slapd.modify(`uid=carol,${slapd.people}`, { replace: { pwdAccountLockedTime: '000001010000Z' } });
    await poll();
    expect(keyStatus(userName)).toEqual(['Inactive']);
    await slapd.modify(`uid=carol,${slapd.people}`, { delete: { pwdAccountLockedTime: [] } });
    await poll();
    expect(keyStatus(userName)).toEqual(['Active']);
    expect(ram(uuid.carol)).toBeDefined();
  });

  it('moved out of the base, or deleted: deprovisioned', async () => {
    const carolName = ram(uuid.carol)!.userName;
    for (const key of stack.emulator!.state.accessKeysOf(carolName)) stack.emulator!.state.deleteAccessKey(carolName, key.id);
    await slapd.modrdn(`uid=carol,${slapd.people}`, `uid=carol,${contractors}`);
    await slapd.del(`uid=alice,${slapd.people}`);
    expect(await poll()).toMatchObject({ mode: 'incremental', gone: 2, changes: 2 });
    expect(ram(uuid.carol)).toBeUndefined();
    expect(ram(uuid.alice)).toBeUndefined();
    expect(ram(uuid.bob)).toBeDefined();
  });
});
