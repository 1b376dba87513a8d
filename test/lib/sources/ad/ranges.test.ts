import type { Client, Control, Entry, SearchOptions } from 'ldapts';
import { EXTENDED_DN_OID, extendedDnControl } from '../../../../functions/lib/sources/ad/controls';
import { AdSourceError } from '../../../../functions/lib/sources/ad/errors';
import { guidToBuffer } from '../../../../functions/lib/sources/ad/guid';
import { toIdentity } from '../../../../functions/lib/sources/ad/mapping';
import {
  attributeRequest, completeRangedAttributes, parseValueRange, readAllValues,
} from '../../../../functions/lib/sources/ad/ranges';

const GROUP_GUID = '187fa756-7f73-41dd-b5d7-8b49a8d7c53a';
const GROUP_DN = `<GUID=${GROUP_GUID}>;<SID=S-1-5-21-1-1100>;CN=big,DC=example,DC=test`;
const guidOf = (i: number) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
const extended = (i: number) => `<GUID=${guidOf(i)}>;<SID=S-1-5-21-1-${2000 + i}>;CN=u${i},DC=example,DC=test`;
const members = (count: number) => Array.from({ length: count }, (_, i) => extended(i));
const controls: Control[] = [extendedDnControl()];

/**
 * A DC holding one object's multi-valued attribute, answering base reads the way AD and Samba do:
 * at most `cap` values per read, labelled with the range actually sent (`*` for the last, empty when
 * asked past the end), values in Extended DN form only with the control, and the full Extended DN
 * rejected as a search base (as Samba does). Like ldapts, it adds each requested attribute the
 * server did not send as `[]`.
 */
class FakeDc {
  readonly requests: string[] = [];
  constructor(private readonly attribute: string, private readonly values: string[], private readonly cap = 1500) {}

  async search(base: string, options: SearchOptions, controls?: Control[]) {
    if (base !== `<GUID=${GROUP_GUID}>`) throw Object.assign(new Error('invalid number of DN components'), { name: 'InvalidDNSyntaxError' });
    const request = options.attributes?.[0] ?? this.attribute;
    this.requests.push(request);
    const withGuids = controls?.some((c) => c.type === EXTENDED_DN_OID) ?? false;
    return { searchEntries: [this.entry(request, withGuids)], searchReferences: [] };
  }

  /** The entry as ldapts would return it for a read asking for `request`. */
  entry(request: string, withGuids = true): Entry {
    const all = withGuids ? this.values : this.values.map((v) => v.replace(/^(<[^>]+>;)+/, ''));
    const entry: Entry = { dn: GROUP_DN };
    const range = new RegExp(`^${this.attribute};range=(\\d+)-(\\d+|\\*)$`).exec(request);
    if (!range && all.length <= this.cap) {
      entry[this.attribute] = all;
    } else if (all.length > 0) {
      const low = range ? Number(range[1]) : 0;
      const asked = !range || range[2] === '*' ? Infinity : Number(range[2]);
      const high = Math.min(asked, low + this.cap - 1);
      entry[`${this.attribute};range=${low}-${high >= all.length - 1 ? '*' : high}`] = all.slice(low, high + 1);
    }
    if (!(request in entry)) entry[request] = [];
    return entry;
  }

  asClient(): Client {
    return this as unknown as Client;
  }
}

/** A DC that answers every follow-up with the same entry, whatever was asked. */
const answering = (entry: Entry | undefined) => ({
  search: async () => ({ searchEntries: entry ? [entry] : [], searchReferences: [] }),
}) as unknown as Client;

describe('parseValueRange', () => {
  it('is undefined when the attribute came back plain, or not at all', () => {
    expect(parseValueRange({ dn: GROUP_DN, member: members(3) }, 'member')).toBeUndefined();
    expect(parseValueRange({ dn: GROUP_DN }, 'member')).toBeUndefined();
  });

  it('reads the bounds and values of a partial range', () => {
    expect(parseValueRange({ dn: GROUP_DN, 'member;range=0-1499': members(1500), member: [] }, 'member'))
      .toEqual({ values: members(1500), low: 0, high: 1499 });
  });

  it('reads `*` as the last range, a single value included', () => {
    expect(parseValueRange({ dn: GROUP_DN, 'member;range=1500-*': extended(1500) }, 'member'))
      .toEqual({ values: [extended(1500)], low: 1500, high: '*' });
  });

  it('matches the attribute and option case-insensitively', () => {
    expect(parseValueRange({ dn: GROUP_DN, 'MemberOf;Range=5-*': ['a', 'b'] }, 'memberOf')).toEqual({ values: ['a', 'b'], low: 5, high: '*' });
    expect(parseValueRange({ dn: GROUP_DN, 'memberOf;range=0-1': ['a', 'b'] }, 'member')).toBeUndefined();
  });

  it('takes an empty `*` range as the end, and an empty bounded one as ldapts\' placeholder for nothing sent', () => {
    expect(parseValueRange({ dn: GROUP_DN, 'member;range=20-*': [], 'member;range=20-29': [] }, 'member')).toEqual({ values: [], low: 20, high: '*' });
    expect(parseValueRange({ dn: GROUP_DN, 'member;range=0-9': [] }, 'member')).toBeUndefined();
  });

  it('prefers the range the server sent over the placeholder for the one asked for', () => {
    expect(parseValueRange({ dn: GROUP_DN, 'member;range=10-*': members(2), 'member;range=10-19': [] }, 'member'))
      .toEqual({ values: members(2), low: 10, high: '*' });
  });
});

describe('attributeRequest', () => {
  it('asks for the first `step` values, or the plain attribute', () => {
    expect(attributeRequest('member', 10)).toBe('member;range=0-9');
    expect(attributeRequest('memberOf')).toBe('memberOf');
    expect(() => attributeRequest('member', 0)).toThrow(AdSourceError);
  });
});

describe('readAllValues', () => {
  it('returns plain values as they are, without asking the DC', async () => {
    const dc = new FakeDc('member', members(3));
    expect(await readAllValues(dc.asClient(), dc.entry('member'), 'member', { controls })).toEqual(members(3));
    expect(await readAllValues(dc.asClient(), { dn: GROUP_DN, member: extended(0) }, 'member')).toEqual([extended(0)]);
    expect(await readAllValues(dc.asClient(), { dn: GROUP_DN, 'member;range=0-9': [] }, 'member')).toEqual([]);
    expect(dc.requests).toEqual([]);
  });

  it('follows a capped read to the end, in Extended DN form, through the GUID base', async () => {
    const dc = new FakeDc('member', members(3700));
    expect(await readAllValues(dc.asClient(), dc.entry('member'), 'member', { controls })).toEqual(members(3700));
    expect(dc.requests).toEqual(['member;range=1500-*', 'member;range=3000-*']);
  });

  it('pages by `step` when given, ending on the DC\'s `*`', async () => {
    for (const count of [40, 41, 39]) {
      const dc = new FakeDc('member', members(count));
      expect(await readAllValues(dc.asClient(), dc.entry('member;range=0-9'), 'member', { controls, step: 10 })).toEqual(members(count));
    }
  });

  it('stops with an AdSourceError when the DC repeats a range, sends an empty one, or loses the entry', async () => {
    const first = { dn: GROUP_DN, 'member;range=0-9': members(10) };
    for (const client of [
      answering(first),
      answering({ dn: GROUP_DN, 'member;range=10-19': [] }),
      answering({ dn: GROUP_DN, 'member;range=5-*': members(20).slice(5) }),
      answering({ dn: GROUP_DN, member: members(20) }),
      answering(undefined),
    ]) {
      await expect(readAllValues(client, first, 'member', { step: 10 })).rejects.toMatchObject({ name: 'AdSourceError', kind: 'ldap' });
    }
  });

  it('refuses a first range that does not start at 0', async () => {
    const dc = new FakeDc('member', members(20));
    await expect(readAllValues(dc.asClient(), { dn: GROUP_DN, 'member;range=10-19': members(10) }, 'member')).rejects.toBeInstanceOf(AdSourceError);
  });
});

describe('completeRangedAttributes', () => {
  it('puts the full list under the plain name, so mapping sees every group', async () => {
    const dc = new FakeDc('memberOf', members(25));
    const user = { ...dc.entry('memberOf;range=0-9'), objectGUID: guidToBuffer(GROUP_GUID) };
    await completeRangedAttributes(dc.asClient(), user, ['memberOf'], { controls, step: 10 });
    expect(Object.keys(user).filter((k) => k.includes(';'))).toEqual([]);
    expect(toIdentity(user).departmentIds).toEqual(Array.from({ length: 25 }, (_, i) => guidOf(i)));
  });

  it('leaves a plainly returned attribute untouched', async () => {
    const dc = new FakeDc('member', members(3));
    const group = dc.entry('member');
    await completeRangedAttributes(dc.asClient(), group, ['member'], { controls });
    expect(group).toEqual({ dn: GROUP_DN, member: members(3) });
  });

  it('turns a group read with a range and no members into an empty member list', async () => {
    const dc = new FakeDc('member', []);
    const group = dc.entry('member;range=0-9');
    await completeRangedAttributes(dc.asClient(), group, ['member'], { controls, step: 10 });
    expect(group).toEqual({ dn: GROUP_DN, member: [] });
  });
});
