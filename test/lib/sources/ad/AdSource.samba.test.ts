/** Needs the Samba AD DC (`samba-ad-harness.sh start`) and AD_TEST_URL=ldap://127.0.0.1; skipped otherwise. */
import { AdSource, AdSourceError } from '../../../../functions/lib/sources/ad';
import { openAdClient } from '../../../../functions/lib/sources/ad/connection';
import { AD_HOOK_TIMEOUT_MS, adTestCa, adTestConfig, adTestUrl, SambaAdFixtures } from '../../../support/sambaAd';

const describeAd = adTestUrl ? describe : describe.skip;

describeAd('AdSource (Samba AD DC)', () => {
  let fx: SambaAdFixtures;
  beforeAll(async () => { fx = await SambaAdFixtures.open(); }, AD_HOOK_TIMEOUT_MS);
  afterAll(async () => fx.close());

  it('reads one user by objectGUID with groups and manager as objectGUIDs', async () => {
    const boss = await fx.addUser('boss', { userAccountControl: '512' });
    const alice = await fx.addUser('alice', {
      userAccountControl: '512', displayName: 'Zoë (O\'Brien) *\\ 王', mail: 'alice@corp.example', manager: boss.dn,
      userPrincipalName: 'alice@example.test', department: 'Eng',
    });
    const group = await fx.addGroup('eng', [alice.dn]);
    const source = new AdSource(adTestConfig({ baseDn: fx.ou }));
    expect(await source.getUser(alice.guid)).toEqual({
      source: 'ad', sourceId: alice.guid, userName: fx.accountName('alice'), displayName: 'Zoë (O\'Brien) *\\ 王', email: 'alice@corp.example',
      departmentIds: [group.guid], status: 'active', managerId: boss.guid,
      attributes: { sAMAccountName: fx.accountName('alice'), userPrincipalName: 'alice@example.test', department: 'Eng' },
    });
    expect(await source.getDepartment(group.guid)).toEqual({ source: 'ad', sourceId: group.guid, name: 'eng' });
  });

  it('reads many people at once over one connection, and reconnects after close()', async () => {
    const people = await Promise.all(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((cn) => fx.addUser(cn)));
    let opened = 0;
    const source = new AdSource(adTestConfig({ baseDn: fx.ou }), { open: (config) => { opened++; return openAdClient(config); } });
    const read = await Promise.all([...people, ...people].map((p) => source.getUser(p.guid)));
    expect(read.map((identity) => identity?.sourceId)).toEqual([...people, ...people].map((p) => p.guid));
    expect(opened).toBe(1);
    await source.close();
    expect((await source.getUser(people[0]!.guid))?.sourceId).toBe(people[0]!.guid);
    expect(opened).toBe(2);
    await source.close();
  });

  it('answers undefined for unknown GUIDs, non-GUIDs, and objects outside the base DN or filter', async () => {
    const inside = await fx.addOu('inside');
    const outside = await fx.addUser('outsider');
    const source = new AdSource(adTestConfig({ baseDn: inside }));
    expect(await source.getUser(outside.guid)).toBeUndefined();
    expect(await source.getUser('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(await source.getUser('*)(objectClass=*')).toBeUndefined();
    const group = await fx.addGroup('notauser');
    expect(await new AdSource(adTestConfig({ baseDn: fx.ou })).getUser(group.guid)).toBeUndefined();
  });

  it('lists every user in scope across pages, disabled ones marked', async () => {
    const ou = await fx.addOu('many');
    const made = [];
    for (let i = 0; i < 16; i++) made.push(await fx.addUser(`u${i}`, { userAccountControl: i % 5 === 0 ? '514' : '512' }, ou));
    const listed = [];
    for await (const person of new AdSource(adTestConfig({ baseDn: ou, pageSize: 5 })).listUsers()) listed.push(person);
    expect(listed.map((p) => p.sourceId).sort()).toEqual(made.map((m) => m.guid).sort());
    expect(listed.filter((p) => p.status === 'disabled')).toHaveLength(4);
  });

  it('connects over LDAPS and StartTLS with the DC\'s CA', async () => {
    const ca = adTestCa();
    if (!ca) throw new Error('the harness CA is missing; set AD_TEST_CA');
    const person = await fx.addUser('tls');
    for (const config of [
      adTestConfig({ baseDn: fx.ou, url: 'ldaps://127.0.0.1:636', transport: 'ldaps', tlsCa: ca, tlsServerName: 'dc1.example.test' }),
      adTestConfig({ baseDn: fx.ou, transport: 'starttls', tlsCa: ca, tlsServerName: 'dc1.example.test' }),
    ]) expect((await new AdSource(config).getUser(person.guid))?.sourceId).toBe(person.guid);
  });

  it('explains a wrong password and an unknown CA without revealing the password', async () => {
    const wrong = new AdSource(adTestConfig({ baseDn: fx.ou, bindPassword: 'not-the-Passw0rd' }));
    const error = await wrong.getUser('00000000-0000-0000-0000-000000000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdSourceError);
    expect(error).toMatchObject({ kind: 'invalid-credentials' });
    expect(String((error as Error).message)).not.toContain('not-the-Passw0rd');
    const untrusted = new AdSource(adTestConfig({ baseDn: fx.ou, url: 'ldaps://127.0.0.1:636', transport: 'ldaps' }));
    await expect(untrusted.getUser('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ kind: 'unreachable' });
  });
});
