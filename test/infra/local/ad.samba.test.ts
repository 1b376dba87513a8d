/**
 * Active Directory's whole path on the local stack, every part real: a Samba AD DC, the built
 * `ad-poll` bundle (run by its timer), FC's invoke API into the durable queue, the built `push`
 * bundle reading each person back from the DC, and RAM (the emulator) following. Each step below
 * is one directory change, one timer tick, and the RAM state it must lead to.
 *
 * Needs the Samba AD DC (`samba-ad-harness.sh start`) and AD_TEST_URL; skipped otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import type { AdPollResult } from '../../../functions/lib/sync/adPoll';
import { AD_HOOK_TIMEOUT_MS, adTestConfig, adTestUrl, SambaAdFixtures } from '../../support/sambaAd';

const describeAd = adTestUrl ? describe : describe.skip;

describeAd('Active Directory → RAM on the local stack (Samba AD DC)', () => {
  let dir: string;
  let fx: SambaAdFixtures;
  let stack: LocalStack;
  let inScope: string;
  let outOfScope: string;
  const people = {} as Record<'alice' | 'bob' | 'carol', { dn: string; guid: string }>;
  let eng: { dn: string; guid: string };

  const poll = async (): Promise<AdPollResult> => {
    const result = await stack.tick('ad-poll') as AdPollResult;
    await stack.idle();
    return result;
  };
  const ram = (guid: string) => stack.emulator!.state.userByExternalId(`ad:${guid}`);
  const ramGroupMembers = () => stack.emulator!.state.usersForGroup('ad-eng').map((m) => m.user.externalId).sort();
  const keyStatus = (userName: string) => stack.emulator!.state.accessKeysOf(userName).map((k) => k.status);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ad-stack-'));
    fx = await SambaAdFixtures.open();
    inScope = await fx.addOu('people');
    outOfScope = await fx.addOu('contractors');
    people.alice = await fx.addUser('alice', { userAccountControl: '512', displayName: 'Alice Liu', mail: 'alice@corp.example' }, inScope);
    people.bob = await fx.addUser('bob', { userAccountControl: '512', displayName: 'Bob Wang' }, inScope);
    people.carol = await fx.addUser('carol', { userAccountControl: '512', displayName: 'Carol Chen' }, inScope);
    eng = await fx.addGroup('eng', [people.alice.dn]);
    await fx.rename(eng.dn, `CN=eng,${inScope}`);
    const ad = adTestConfig();
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), RAM_OAUTH_CLIENT_ID: '',
        AD_URL: ad.url, AD_ALLOW_PLAIN_LDAP: 'true', AD_BIND_DN: ad.bindDn, AD_BIND_PASSWORD: ad.bindPassword, AD_BASE_DN: inScope,
        SYNC_GROUP_RULES: 'eng=ad-eng',
        // Three people: the last step's two leavers would otherwise be a mass deletion, held for review.
        SAFEGUARD_MAX_DELETE_PERCENT: '100',
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
      // Ticks come from the test, not the clock.
      timers: { 'ad-poll': { triggerName: 'every-5m', everyMs: 3_600_000 } },
    });
  }, AD_HOOK_TIMEOUT_MS + 120_000);
  afterAll(async () => {
    await stack?.stop();
    await fx?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs ad-poll on its timer', () => {
    expect(stack.timers).toEqual(['ad-poll']);
    expect([...stack.unconfigured.keys()]).not.toContain('ad-poll');
  });

  it('first poll: a full resync brings everyone in scope into RAM, with their group', async () => {
    const result = await poll();
    expect(result).toMatchObject({ mode: 'full', fullResyncReason: 'first-poll', fullSync: { dryRun: false, result: { created: 3, failed: 0 } } });
    expect(ram(people.alice.guid)).toMatchObject({ displayName: 'Alice Liu' });
    expect(ram(people.bob.guid)).toBeDefined();
    expect(ramGroupMembers()).toEqual([`ad:${people.alice.guid}`]);
  });

  it('a quiet interval changes nothing', async () => {
    const before = stack.emulator!.state.snapshot();
    expect(await poll()).toMatchObject({ mode: 'incremental', changes: 0 });
    expect(stack.emulator!.state.snapshot()).toEqual(before);
  });

  it('hostile directory data (LDAP-special and non-ASCII names, blank and longest-allowed values) still makes valid RAM users', async () => {
    const special = await fx.addUser('O\'Brien\\, \\"Jr\\" \\<x\\>\\;\\+\\=#*()', {
      sAMAccountName: fx.accountName('obrien'), userAccountControl: '512', displayName: '*)(uid=*))(|(uid=*', title: '\\00\\2a',
    }, inScope);
    const wide = await fx.addUser('zhang', {
      sAMAccountName: fx.accountName('张伟'), userAccountControl: '512', displayName: `${'Ω'.repeat(254)}😀`, mobile: ' ', department: 'x'.repeat(64),
    }, inScope);
    expect(await poll()).toMatchObject({ mode: 'incremental', changes: 2 });
    for (const { guid } of [special, wide]) {
      const user = ram(guid);
      expect(user?.userName).toMatch(/^[a-z0-9._-]{1,64}$/);
      expect(user?.displayName.length).toBeGreaterThan(0);
      expect([...user!.displayName].length).toBeLessThanOrEqual(128);
    }
    expect(ram(special.guid)?.displayName).toBe('*)(uid=*))(|(uid=*');
  });

  it('modify, rename and move within scope: the same RAM users follow', async () => {
    const bobId = ram(people.bob.guid)!.id;
    await fx.replace(people.alice.dn, 'displayName', ['Alice Liu-Zhang']);
    const sub = await fx.addOu('platform', inScope);
    await fx.rename(people.bob.dn, `CN=robert,${sub}`);
    people.bob.dn = `CN=robert,${sub}`;
    await fx.replace(people.bob.dn, 'displayName', ['Robert Wang']);
    expect(await poll()).toMatchObject({ mode: 'incremental', changes: 2 });
    expect(ram(people.alice.guid)?.displayName).toBe('Alice Liu-Zhang');
    expect(ram(people.bob.guid)).toMatchObject({ id: bobId, displayName: 'Robert Wang' });
  });

  it('group members added and removed: the RAM group follows both ways', async () => {
    await fx.addValue(`CN=eng,${inScope}`, 'member', people.bob.dn);
    await fx.removeValue(`CN=eng,${inScope}`, 'member', people.alice.dn);
    expect(await poll()).toMatchObject({ changes: 3 }); // the group, bob joined, alice left
    expect(ramGroupMembers()).toEqual([`ad:${people.bob.guid}`]);
  });

  it('disable suspends (AccessKeys off), re-enable restores exactly that', async () => {
    const userName = ram(people.carol.guid)!.userName;
    stack.emulator!.state.attachAccessKey(userName);
    await fx.replace(people.carol.dn, 'userAccountControl', ['514']);
    await poll();
    expect(keyStatus(userName)).toEqual(['Inactive']);
    await fx.replace(people.carol.dn, 'userAccountControl', ['512']);
    await poll();
    expect(keyStatus(userName)).toEqual(['Active']);
    expect(ram(people.carol.guid)).toBeDefined();
  });

  it('moved out of scope, or deleted: deprovisioned', async () => {
    await fx.rename(people.carol.dn, `CN=carol,${outOfScope}`);
    const carolName = ram(people.carol.guid)!.userName;
    for (const key of stack.emulator!.state.accessKeysOf(carolName)) stack.emulator!.state.deleteAccessKey(carolName, key.id);
    await fx.remove(people.alice.dn);
    expect(await poll()).toMatchObject({ mode: 'incremental', changes: 2 });
    expect(ram(people.carol.guid)).toBeUndefined();
    expect(ram(people.alice.guid)).toBeUndefined();
    expect(ram(people.bob.guid)).toBeDefined();
  });
});
