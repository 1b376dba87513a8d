/**
 * The ldap source against a real, throwaway OpenLDAP slapd (test/support/slapd.ts): what `push`
 * and `full-sync` read after each kind of directory change, departments from all three group shapes
 * and from OUs, hostile values, and a bind that fails.
 */
import { type Client, InsufficientAccessError, SizeLimitExceededError } from 'ldapts';
import type { Identity } from '../../../../functions/lib/core/model';
import {
  createLdapSource, escapeDnValue, LdapSource, LdapSourceError, openLdapClient, parseLdapSourceConfig, type LdapSourceConfig,
} from '../../../../functions/lib/sources/ldap';
import { describeWithSlapd, type Attributes, type Slapd, startSlapd } from '../../../support/slapd';

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

const person = (uid: string, extra: Attributes = {}): Attributes => ({
  objectClass: ['inetOrgPerson'], uid, cn: `${uid} cn`, sn: 'Tester', mail: `${uid}@example.test`, ...extra,
});

describeWithSlapd('LdapSource against slapd', () => {
  let slapd: Slapd;
  const sources: LdapSource[] = [];

  const configFor = (env: Record<string, string> = {}): LdapSourceConfig => parseLdapSourceConfig({
    LDAP_URL: slapd.url, LDAP_ALLOW_PLAIN_LDAP: 'true', LDAP_BIND_DN: slapd.bindDn, LDAP_BIND_PASSWORD: slapd.password,
    LDAP_BASE_DN: slapd.baseDn, LDAP_PAGE_SIZE: '2', ...env,
  })!;
  const source = (env: Record<string, string> = {}): LdapSource => {
    const created = createLdapSource(configFor(env));
    sources.push(created);
    return created;
  };
  let n = 0;
  /** A fresh OU per test, so tests do not see each other's people. */
  const freshOu = async (name = `t${++n}`): Promise<string> => {
    const dn = `ou=${name},${slapd.people}`;
    await slapd.add(dn, { objectClass: 'organizationalUnit', ou: name });
    return dn;
  };
  const addPerson = async (parent: string, uid: string, extra: Attributes = {}) => {
    const dn = `uid=${escapeDnValue(uid)},${parent}`;
    await slapd.add(dn, person(uid, extra));
    return { dn, id: await slapd.entryUuid(dn) };
  };

  beforeAll(async () => {
    slapd = await startSlapd();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('reads a new person by entryUUID, with the mapped attributes, and a modification', async () => {
    const ou = await freshOu();
    const { dn, id } = await addPerson(ou, 'ann', { displayName: 'Ann Example', mobile: '+86 138 0000 0000', employeeNumber: 'E1', title: 'Engineer' });
    const ldap = source();
    expect(await ldap.getUser(id)).toEqual<Identity>({
      source: 'ldap', sourceId: id, userName: 'ann', email: 'ann@example.test', displayName: 'Ann Example', mobile: '+86 138 0000 0000',
      employeeId: 'E1', title: 'Engineer', status: 'active', departmentIds: [],
      attributes: { uid: 'ann', cn: 'ann cn', sn: 'Tester', employeeNumber: 'E1' },
    });
    await slapd.modify(dn, { replace: { mail: 'ann.new@example.test' }, delete: { displayName: [] } });
    expect(await ldap.getUser(id)).toMatchObject({ email: 'ann.new@example.test', displayName: 'ann cn' });
  });

  it('follows LDAP_ATTR_USERNAME, LDAP_ATTR_EMAIL and LDAP_ATTR_DISPLAYNAME', async () => {
    const ou = await freshOu();
    const { id } = await addPerson(ou, 'bob', { employeeNumber: 'E42', givenName: 'Bobby', telephoneNumber: '+86 10 1234' });
    const ldap = source({ LDAP_ATTR_USERNAME: 'employeeNumber', LDAP_ATTR_EMAIL: 'uid', LDAP_ATTR_DISPLAYNAME: 'displayName, givenName, cn' });
    expect(await ldap.getUser(id)).toMatchObject({ userName: 'E42', email: 'bob', displayName: 'Bobby' });
  });

  it('keeps the same person across a rename (modrdn) and a move between OUs', async () => {
    const dev = await freshOu('dev');
    const ops = await freshOu('ops');
    const { dn, id } = await addPerson(dev, 'carol');
    const ldap = source({ LDAP_DEPARTMENTS: 'ous' });
    const devId = await slapd.entryUuid(dev);
    const opsId = await slapd.entryUuid(ops);
    expect(await ldap.getUser(id)).toMatchObject({ userName: 'carol', departmentIds: [devId] });

    await slapd.modrdn(dn, 'uid=caroline'); // deleteoldrdn: uid is caroline alone now
    expect(await ldap.getUser(id)).toMatchObject({ sourceId: id, userName: 'caroline', departmentIds: [devId] });

    await slapd.modrdn(`uid=caroline,${dev}`, `uid=caroline,${ops}`);
    expect(await ldap.getUser(id)).toMatchObject({ sourceId: id, userName: 'caroline', departmentIds: [opsId] });
  });

  it('answers undefined for someone moved out of the base, deleted, or no longer matching the filter', async () => {
    const ou = await freshOu();
    await slapd.add(`ou=Former${n},${slapd.baseDn}`, { objectClass: 'organizationalUnit', ou: `Former${n}` });
    const moved = await addPerson(ou, 'dave');
    const deleted = await addPerson(ou, 'erin');
    const contractor = await addPerson(ou, 'fay');
    const ldap = source({ LDAP_BASE_DN: slapd.people, LDAP_USER_FILTER: '(&(objectClass=inetOrgPerson)(!(employeeType=contractor)))' });
    for (const { id } of [moved, deleted, contractor]) expect(await ldap.getUser(id)).toBeDefined();

    await slapd.modrdn(moved.dn, `uid=dave,ou=Former${n},${slapd.baseDn}`);
    await slapd.del(deleted.dn);
    await slapd.modify(contractor.dn, { add: { employeeType: 'contractor' } });
    for (const { id } of [moved, deleted, contractor]) expect(await ldap.getUser(id)).toBeUndefined();
    expect(await ldap.getUser('not-a-uuid')).toBeUndefined();
  });

  it('reads the disabled flag: present pwdAccountLockedTime, or name=value', async () => {
    const ou = await freshOu();
    const { dn, id } = await addPerson(ou, 'gus');
    const locked = source({ LDAP_ATTR_DISABLED: 'pwdAccountLockedTime' });
    const typed = source({ LDAP_ATTR_DISABLED: 'employeeType=Disabled' });
    expect(await locked.getUser(id)).toMatchObject({ status: 'active' });
    await slapd.modify(dn, { replace: { pwdAccountLockedTime: '000001010000Z', employeeType: 'disabled' } });
    expect(await locked.getUser(id)).toMatchObject({ status: 'disabled' });
    expect(await typed.getUser(id)).toMatchObject({ status: 'disabled' });
    expect(await source().getUser(id)).toMatchObject({ status: 'active' });
    await slapd.modify(dn, { delete: { pwdAccountLockedTime: [] }, replace: { employeeType: 'staff' } });
    expect(await locked.getUser(id)).toMatchObject({ status: 'active' });
    expect(await typed.getUser(id)).toMatchObject({ status: 'active' });
  });

  describe('departments from groups', () => {
    it('reads membership from groupOfNames, groupOfUniqueNames (with a UID suffix) and posixGroup, and its changes', async () => {
      const ou = await freshOu();
      const hal = await addPerson(ou, 'hal');
      const ivy = await addPerson(ou, 'ivy');
      const gone = await addPerson(ou, 'gone');
      const names = `cn=names${n},${slapd.groups}`;
      const unique = `cn=unique${n},${slapd.groups}`;
      const posix = `cn=posix${n},${slapd.groups}`;
      await slapd.add(names, { objectClass: 'groupOfNames', cn: `names${n}`, member: [hal.dn, gone.dn] });
      await slapd.add(unique, { objectClass: 'groupOfUniqueNames', cn: `unique${n}`, uniqueMember: [`${hal.dn}#'0101'B`, ivy.dn] });
      await slapd.add(posix, { objectClass: 'posixGroup', cn: `posix${n}`, gidNumber: String(1000 + n), memberUid: ['hal', 'nobody-here'] });
      await slapd.del(gone.dn); // no refint: its DN stays in the group and must be ignored
      const [namesId, uniqueId, posixId] = await Promise.all([names, unique, posix].map((dn) => slapd.entryUuid(dn)));
      const ldap = source();

      expect((await ldap.getUser(hal.id))!.departmentIds.sort()).toEqual([namesId, uniqueId, posixId].sort());
      expect((await ldap.getUser(ivy.id))!.departmentIds).toEqual([uniqueId]);
      expect(await ldap.getDepartment(namesId!)).toEqual({ source: 'ldap', sourceId: namesId, name: `names${n}` });
      expect(await ldap.getDepartment(hal.id)).toBeUndefined();

      const listed = (await collect(ldap.listUsers())).filter((p) => [hal.id, ivy.id].includes(p.sourceId));
      expect(listed.map((p) => [p.userName, p.departmentIds.sort()])).toEqual(expect.arrayContaining([
        ['hal', [namesId, uniqueId, posixId].sort()], ['ivy', [uniqueId]],
      ]));

      const members = async (id: string) => (await collect((await ldap.listDepartmentMembers(id))!)).map((p) => p.userName).sort();
      expect(await members(namesId!)).toEqual(['hal']);
      expect(await members(uniqueId!)).toEqual(['hal', 'ivy']);
      expect(await members(posixId!)).toEqual(['hal']);

      await slapd.modify(unique, { delete: { uniqueMember: [`${hal.dn}#'0101'B`] } });
      await slapd.modify(names, { add: { member: [ivy.dn] } });
      await slapd.modify(posix, { delete: { memberUid: ['hal'] } });
      expect((await ldap.getUser(hal.id))!.departmentIds).toEqual([namesId]);
      expect((await ldap.getUser(ivy.id))!.departmentIds.sort()).toEqual([namesId, uniqueId].sort());

      await slapd.del(posix);
      expect(await ldap.getDepartment(posixId!)).toBeUndefined();
      expect(await ldap.listDepartmentMembers(posixId!)).toBeUndefined();
    });

    it('lists groups as flat departments, each once', async () => {
      const ldap = source();
      const departments = await collect(ldap.listDepartments());
      expect(departments.length).toBeGreaterThan(0);
      expect(new Set(departments.map((d) => d.sourceId)).size).toBe(departments.length);
      expect(departments.every((d) => d.parentId === undefined && d.name.length > 0)).toBe(true);
    });
  });

  describe('departments from OUs', () => {
    it('makes each OU a department under its parent OU, and lists everyone in its subtree', async () => {
      const top = await freshOu('org');
      const rnd = `ou=RnD,${top}`;
      const web = `ou=Web,${rnd}`;
      await slapd.add(rnd, { objectClass: 'organizationalUnit', ou: 'RnD' });
      await slapd.add(web, { objectClass: 'organizationalUnit', ou: 'Web' });
      const kim = await addPerson(rnd, 'kim');
      const lee = await addPerson(web, 'lee');
      const [peopleId, topId, rndId, webId] = await Promise.all([slapd.people, top, rnd, web].map((dn) => slapd.entryUuid(dn)));
      const ldap = source({ LDAP_DEPARTMENTS: 'ous' });

      expect(await ldap.getDepartment(rndId!)).toEqual({ source: 'ldap', sourceId: rndId, name: 'RnD', parentId: topId });
      expect(await ldap.getDepartment(topId!)).toEqual({ source: 'ldap', sourceId: topId, name: 'org', parentId: peopleId });
      const departments = await collect(ldap.listDepartments());
      expect(departments).toEqual(expect.arrayContaining([
        { source: 'ldap', sourceId: webId, name: 'Web', parentId: rndId },
        { source: 'ldap', sourceId: rndId, name: 'RnD', parentId: topId },
      ]));
      expect((await ldap.getUser(lee.id))!.departmentIds).toEqual([webId]);
      const inRnd = await collect((await ldap.listDepartmentMembers(rndId!))!);
      expect(inRnd.map((p) => [p.userName, p.departmentIds])).toEqual(expect.arrayContaining([['kim', [rndId]], ['lee', [webId]]]));
      expect(inRnd).toHaveLength(2);
      expect(await ldap.listDepartmentMembers(kim.id)).toBeUndefined();
    });

    it('with LDAP_DEPARTMENTS=both, a person has their groups and their OU', async () => {
      const ou = await freshOu();
      const mia = await addPerson(ou, 'mia');
      const group = `cn=both${n},${slapd.groups}`;
      await slapd.add(group, { objectClass: 'groupOfNames', cn: `both${n}`, member: mia.dn });
      const [ouId, groupId] = await Promise.all([ou, group].map((dn) => slapd.entryUuid(dn)));
      const ldap = source({ LDAP_DEPARTMENTS: 'both' });
      expect((await ldap.getUser(mia.id))!.departmentIds.sort()).toEqual([ouId, groupId].sort());
      const listed = (await collect(ldap.listUsers())).find((p) => p.sourceId === mia.id);
      expect(listed!.departmentIds.sort()).toEqual([ouId, groupId].sort());
      const departments = await collect(ldap.listDepartments());
      expect(departments.map((d) => d.sourceId)).toEqual(expect.arrayContaining([ouId, groupId]));
    });
  });

  it('lists everyone in pages of LDAP_PAGE_SIZE, each once', async () => {
    const ou = await freshOu();
    const added = await Promise.all(['p1', 'p2', 'p3', 'p4', 'p5'].map((uid) => addPerson(ou, uid)));
    const everyone = await collect(source({ LDAP_PAGE_SIZE: '2' }).listUsers());
    expect(new Set(everyone.map((p) => p.sourceId)).size).toBe(everyone.length);
    expect(everyone.map((p) => p.sourceId)).toEqual(expect.arrayContaining(added.map((a) => a.id)));
  });

  it("lists a large group's members each once, in batches (groupOfNames by DN, posixGroup by uid)", async () => {
    const ou = await freshOu();
    const added = [];
    for (let i = 0; i < 120; i++) added.push(await addPerson(ou, `big${n}-${i}`));
    const names = `cn=big-names${n},${slapd.groups}`;
    const posix = `cn=big-posix${n},${slapd.groups}`;
    await slapd.add(names, { objectClass: 'groupOfNames', cn: `big-names${n}`, member: added.slice(0, 40).map((a) => a.dn) });
    await slapd.add(posix, { objectClass: 'posixGroup', cn: `big-posix${n}`, gidNumber: '4242', memberUid: added.map((a, i) => `big${n}-${i}`) });
    const ldap = source();
    const byDn = await collect((await ldap.listDepartmentMembers(await slapd.entryUuid(names)))!);
    expect(byDn.map((p) => p.sourceId).sort()).toEqual(added.slice(0, 40).map((a) => a.id).sort());
    const byUid = await collect((await ldap.listDepartmentMembers(await slapd.entryUuid(posix)))!);
    expect(byUid.map((p) => p.sourceId).sort()).toEqual(added.map((a) => a.id).sort());
  });

  it('round-trips hostile values: DN specials, a non-ASCII uid, 255-character names', async () => {
    const ou = await freshOu();
    const specials = 'a,b+c"d\\e<f>g;h=i #j ';
    const chinese = '张三';
    const long = 'x'.repeat(255);
    const hostile = await addPerson(ou, specials, { cn: specials, displayName: `${specials} display` });
    const cjk = await addPerson(ou, chinese, { cn: '张三', displayName: '张三', mail: 'zhangsan@example.test' });
    // back-mdb refuses an RDN of ~250 bytes or more (LDAP "other", 80), so the long uid is not in the RDN.
    const longDn = `cn=long-uid,${ou}`;
    await slapd.add(longDn, { ...person(long), cn: ['long-uid', long], displayName: long, mail: `${'y'.repeat(64)}@example.test` });
    const longOne = { dn: longDn, id: await slapd.entryUuid(longDn) };
    const group = `cn=${escapeDnValue(specials)},${slapd.groups}`;
    await slapd.add(group, { objectClass: 'groupOfNames', cn: specials, member: [hostile.dn, cjk.dn, longOne.dn] });
    const groupId = await slapd.entryUuid(group);
    const ldap = source();

    expect(await ldap.getUser(hostile.id)).toMatchObject({ userName: specials.trim(), displayName: `${specials} display`.trim(), departmentIds: [groupId] });
    expect(await ldap.getUser(cjk.id)).toMatchObject({ userName: chinese, displayName: '张三', departmentIds: [groupId] });
    expect(await ldap.getUser(longOne.id)).toMatchObject({ userName: long, displayName: long, departmentIds: [groupId] });
    expect(await ldap.getDepartment(groupId)).toMatchObject({ name: specials.trim() });
    const members = await collect((await ldap.listDepartmentMembers(groupId))!);
    expect(members.map((p) => p.sourceId).sort()).toEqual([hostile.id, cjk.id, longOne.id].sort());
    const listed = (await collect(ldap.listUsers())).filter((p) => p.departmentIds.includes(groupId));
    expect(listed).toHaveLength(3);
  });

  it('a wrong password is a readable error naming the variables, never the password', async () => {
    const secret = 'Sentinel-Pa55word';
    const ldap = source({ LDAP_BIND_PASSWORD: secret });
    const failure = await ldap.listDepartments()[Symbol.asyncIterator]().next().then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(LdapSourceError);
    expect(failure).toMatchObject({ kind: 'invalid-credentials', retryable: false, message: expect.stringMatching(/wrong LDAP_BIND_DN or LDAP_BIND_PASSWORD/) });
    expect((failure as LdapSourceError).recommendedAction).toMatch(/LDAP_BIND_PASSWORD/);
    expect(JSON.stringify(failure) + String(failure) + (failure as Error).stack).not.toContain(secret);
    await expect(ldap.getUser('1f418aa0-8553-1041-8088-c725b9b6cbb3')).rejects.toMatchObject({ kind: 'invalid-credentials' });
  });

  it('shares one bound connection between calls, and opens a new one after close()', async () => {
    const ou = await freshOu();
    const people = await Promise.all(['s1', 's2', 's3'].map((uid) => addPerson(ou, uid)));
    let opened = 0;
    const ldap = createLdapSource(configFor(), { open: (config) => (opened++, openLdapClient(config)) });
    sources.push(ldap);
    const read = await Promise.all(people.map((p) => ldap.getUser(p.id)));
    expect(read.map((p) => p?.userName)).toEqual(['s1', 's2', 's3']);
    await collect(ldap.listUsers());
    expect(opened).toBe(1);
    await ldap.close();
    expect(await ldap.getUser(people[0]!.id)).toBeDefined();
    expect(opened).toBe(2);
  });

  it('StartTLS against a server without TLS fails, naming LDAP_URL and LDAP_TLS_CA', async () => {
    const ldap = source({ LDAP_ALLOW_PLAIN_LDAP: 'false' });
    await expect(ldap.getUser('1f418aa0-8553-1041-8088-c725b9b6cbb3')).rejects.toMatchObject({
      kind: 'unreachable', retryable: true, message: expect.stringMatching(/check LDAP_URL, LDAP_TLS_CA/),
    });
  });

  it('a base DN that does not exist is an error, never "nobody is there"', async () => {
    const ldap = source({ LDAP_BASE_DN: `ou=Missing,${slapd.baseDn}` });
    await expect(ldap.getUser('1f418aa0-8553-1041-8088-c725b9b6cbb3')).rejects.toBeInstanceOf(LdapSourceError);
    await expect(collect(ldap.listUsers())).rejects.toBeInstanceOf(LdapSourceError);
  });
});

describeWithSlapd('LdapSource over TLS (a throwaway CA)', () => {
  let slapd: Slapd;
  let id: string;

  beforeAll(async () => {
    slapd = await startSlapd({ tls: true, accesslog: false });
    const dn = `uid=tess,${slapd.people}`;
    await slapd.add(dn, person('tess'));
    id = await slapd.entryUuid(dn);
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  const read = async (env: Record<string, string>) => {
    const ldap = createLdapSource(parseLdapSourceConfig({
      LDAP_BIND_DN: slapd.bindDn, LDAP_BIND_PASSWORD: slapd.password, LDAP_BASE_DN: slapd.baseDn, LDAP_TIMEOUT_MS: '5000', ...env,
    } as Record<string, string>)!);
    try {
      return await ldap.getUser(id);
    } finally {
      await ldap.close();
    }
  };

  it('reads over StartTLS (ldap://) and LDAPS (ldaps://) with LDAP_TLS_CA', async () => {
    expect(await read({ LDAP_URL: slapd.url, LDAP_TLS_CA: slapd.caPem! })).toMatchObject({ userName: 'tess' });
    expect(await read({ LDAP_URL: slapd.ldapsUrl!, LDAP_TLS_CA: slapd.caPem! })).toMatchObject({ userName: 'tess' });
  });

  it('checks the certificate against LDAP_TLS_SERVERNAME when set', async () => {
    expect(await read({ LDAP_URL: slapd.ldapsUrl!, LDAP_TLS_CA: slapd.caPem!, LDAP_TLS_SERVERNAME: 'localhost' })).toMatchObject({ userName: 'tess' });
    await expect(read({ LDAP_URL: slapd.ldapsUrl!, LDAP_TLS_CA: slapd.caPem!, LDAP_TLS_SERVERNAME: 'ldap.elsewhere.example' }))
      .rejects.toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/LDAP_TLS_CA/) });
  });

  it('refuses a certificate from a CA it was not given, naming LDAP_TLS_CA', async () => {
    await expect(read({ LDAP_URL: slapd.ldapsUrl! })).rejects.toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/TLS handshake failed.*LDAP_TLS_CA/) });
    await expect(read({ LDAP_URL: slapd.url })).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('binds in the clear only with LDAP_ALLOW_PLAIN_LDAP=true (a lab)', async () => {
    let client: Client | undefined;
    try {
      client = await openLdapClient(parseLdapSourceConfig({
        LDAP_URL: slapd.url, LDAP_ALLOW_PLAIN_LDAP: 'true', LDAP_BIND_DN: slapd.bindDn, LDAP_BIND_PASSWORD: slapd.password, LDAP_BASE_DN: slapd.baseDn,
      })!);
      expect(client.isConnected).toBe(true);
    } finally {
      await client?.unbind();
    }
  });
});

describeWithSlapd('LdapSource with a read-only bind account (the README\'s ACLs)', () => {
  let slapd: Slapd;
  const BASE = 'dc=example,dc=test';
  const ACCOUNT = `cn=ram-sync,ou=Service,${BASE}`;
  const UNLIMITED_NOT_SET = `cn=no-limits,ou=Service,${BASE}`;

  beforeAll(async () => {
    slapd = await startSlapd({
      accesslog: false,
      extraConfig: {
        // slapd's default size limit (500) also caps a paged search's total; 5 here shows it with 8 people.
        global: ['sizelimit 5'],
        data: [
          'access to attrs=userPassword by self write by anonymous auth by * none',
          `access to * by dn.exact="${ACCOUNT}" read by dn.exact="${UNLIMITED_NOT_SET}" read by * none`,
          `limits dn.exact="${ACCOUNT}" size=unlimited`,
        ],
      },
    });
    await slapd.add(`ou=Service,${BASE}`, { objectClass: 'organizationalUnit', ou: 'Service' });
    for (const dn of [ACCOUNT, UNLIMITED_NOT_SET]) {
      await slapd.add(dn, { objectClass: ['applicationProcess', 'simpleSecurityObject'], cn: dn.slice(3, dn.indexOf(',')), userPassword: 'Read-only-1' });
    }
    for (let i = 1; i <= 8; i++) await slapd.add(`uid=r${i},${slapd.people}`, person(`r${i}`, { userPassword: `pw-of-r${i}` }));
    await slapd.add(`cn=readers,${slapd.groups}`, { objectClass: 'groupOfNames', cn: 'readers', member: `uid=r1,${slapd.people}` });
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  const as = (bindDn: string) => createLdapSource(parseLdapSourceConfig({
    LDAP_URL: slapd.url, LDAP_ALLOW_PLAIN_LDAP: 'true', LDAP_BIND_DN: bindDn, LDAP_BIND_PASSWORD: 'Read-only-1', LDAP_BASE_DN: BASE, LDAP_PAGE_SIZE: '3',
  })!);

  it('reads every person, their entryUUID and their groups, and can write nothing', async () => {
    const ldap = as(ACCOUNT);
    try {
      const everyone = await collect(ldap.listUsers());
      expect(everyone.map((p) => p.userName).sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8']);
      const r1 = everyone.find((p) => p.userName === 'r1')!;
      expect(await ldap.getUser(r1.sourceId)).toMatchObject({ userName: 'r1', departmentIds: [await slapd.entryUuid(`cn=readers,${slapd.groups}`)] });
      const client = await openLdapClient(parseLdapSourceConfig({
        LDAP_URL: slapd.url, LDAP_ALLOW_PLAIN_LDAP: 'true', LDAP_BIND_DN: ACCOUNT, LDAP_BIND_PASSWORD: 'Read-only-1', LDAP_BASE_DN: BASE,
      })!);
      try {
        await expect(client.del(`uid=r8,${slapd.people}`)).rejects.toBeInstanceOf(InsufficientAccessError);
        const { searchEntries } = await client.search(`uid=r1,${slapd.people}`, { scope: 'base', attributes: ['userPassword'] });
        expect(searchEntries[0]).toBeDefined();
        expect(searchEntries[0]!.userPassword ?? []).toEqual([]);
      } finally {
        await client.unbind();
      }
    } finally {
      await ldap.close();
    }
  });

  it('without a size limit lifted for the account, a listing fails rather than come back short', async () => {
    const ldap = as(UNLIMITED_NOT_SET);
    try {
      await expect(collect(ldap.listUsers())).rejects.toMatchObject({ kind: 'ldap', cause: expect.any(SizeLimitExceededError) });
    } finally {
      await ldap.close();
    }
  });
});
