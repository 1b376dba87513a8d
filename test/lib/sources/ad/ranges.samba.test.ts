/** Needs the Samba AD DC (`samba-ad-harness.sh start`) and AD_TEST_URL=ldap://127.0.0.1; skipped otherwise. */
import type { Client, Entry } from 'ldapts';
import { openAdClient } from '../../../../functions/lib/sources/ad/connection';
import { extendedDnControl } from '../../../../functions/lib/sources/ad/controls';
import { BUFFER_ATTRIBUTES, extendedGuid, toIdentity } from '../../../../functions/lib/sources/ad/mapping';
import { attributeRequest, completeRangedAttributes, parseValueRange, readAllValues } from '../../../../functions/lib/sources/ad/ranges';
import { AD_HOOK_TIMEOUT_MS, adTestConfig, adTestUrl, SambaAdFixtures } from '../../../support/sambaAd';

const describeAd = adTestUrl ? describe : describe.skip;
const controls = [extendedDnControl()];
const guids = (values: string[]) => values.map((v) => extendedGuid(v)).sort();

/**
 * Samba does not cap values per attribute, but honours explicit ranges: asking for the first few
 * values makes it answer like an AD whose MaxValRange is that small.
 */
describeAd('range retrieval (Samba AD DC)', () => {
  let fx: SambaAdFixtures;
  let client: Client;
  let people: Array<{ dn: string; guid: string }>;
  let big: { dn: string; guid: string };
  let joiner: { dn: string; guid: string };
  let joined: string[];

  beforeAll(async () => {
    fx = await SambaAdFixtures.open();
    client = await openAdClient(adTestConfig());
    const staff = await fx.addOu('staff');
    people = [];
    for (let i = 0; i < 40; i++) people.push(await fx.addUser(`m${i}`, {}, staff));
    big = await fx.addGroup('big', people.map((p) => p.dn));
    joiner = await fx.addUser('joiner');
    joined = [];
    for (let i = 0; i < 15; i++) joined.push((await fx.addGroup(`club${i}`, [joiner.dn])).guid);
  }, AD_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await client?.unbind().catch(() => undefined);
    await fx?.close();
  });

  /** The one entry a paged subtree search of the suite's OU finds, read the way the source reads. */
  async function readOne(filter: string, attribute: string): Promise<Entry> {
    const found: Entry[] = [];
    const pages = client.searchPaginated(fx.ou, {
      scope: 'sub', filter, attributes: ['objectGUID', attribute], explicitBufferAttributes: BUFFER_ATTRIBUTES, paged: { pageSize: 7 },
    }, controls);
    for await (const page of pages) found.push(...page.searchEntries);
    expect(found).toHaveLength(1);
    return found[0]!;
  }

  it('completes a group read 10 members at a time, following with steps of 10 or with the rest at once', async () => {
    const group = await readOne('(&(objectClass=group)(cn=big))', attributeRequest('member', 10));
    expect(parseValueRange(group, 'member')).toMatchObject({ low: 0, high: 9 });
    const everyone = people.map((p) => p.guid).sort();
    expect(guids(await readAllValues(client, group, 'member', { controls, step: 10 }))).toEqual(everyone);
    expect(guids(await readAllValues(client, group, 'member', { controls }))).toEqual(everyone);
  });

  it('completes a user\'s memberOf read 5 groups at a time, for mapping to see all 15', async () => {
    for (const step of [5, undefined]) {
      const user = await readOne(`(&(objectClass=user)(cn=joiner))`, attributeRequest('memberOf', 5));
      expect(parseValueRange(user, 'memberOf')).toMatchObject({ low: 0, high: 4 });
      await completeRangedAttributes(client, user, ['memberOf'], { controls, step });
      expect(Object.keys(user).filter((k) => k.includes(';'))).toEqual([]);
      expect(toIdentity(user).departmentIds.sort()).toEqual([...joined].sort());
    }
  });

  it('is a no-op when the attribute is asked for plainly, since Samba then sends every value', async () => {
    const group = await readOne('(&(objectClass=group)(cn=big))', 'member');
    expect(Object.keys(group).sort()).toEqual(['dn', 'member', 'objectGUID']);
    expect(parseValueRange(group, 'member')).toBeUndefined();
    const before = { ...group };
    await completeRangedAttributes(client, group, ['member'], { controls, step: 10 });
    expect(group).toEqual(before);
    expect(guids(await readAllValues(client, group, 'member', { controls }))).toEqual(people.map((p) => p.guid).sort());
  });

  it('completes entries between the pages of an open paged search on the same connection', async () => {
    const counts = new Map<string, number>();
    const pages = client.searchPaginated(fx.ou, {
      scope: 'sub', filter: '(&(objectClass=group)(|(cn=big)(cn=club*)))', attributes: ['cn', attributeRequest('member', 10)], paged: { pageSize: 4 },
    }, controls);
    for await (const page of pages) {
      for (const group of page.searchEntries) {
        await completeRangedAttributes(client, group, ['member'], { controls, step: 10 });
        counts.set(String(group.cn), [group.member ?? []].flat().length);
      }
    }
    expect(counts.size).toBe(16);
    expect(counts.get('big')).toBe(40);
    expect([...counts].filter(([cn, n]) => cn.startsWith('club') && n === 1)).toHaveLength(15);
  });

  it('reads a group without members, asked for with a range, as an empty list', async () => {
    await fx.addGroup('empty');
    const group = await readOne('(&(objectClass=group)(cn=empty))', attributeRequest('member', 10));
    await completeRangedAttributes(client, group, ['member'], { controls, step: 10 });
    expect(group.member).toEqual([]);
  });
});
