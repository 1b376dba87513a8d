import fc from 'fast-check';
import { ancestorsWithin, dnKey, escapeDnValue, formatDn, isWithinDn, parseDn } from '../../../../functions/lib/sources/ldap/dn';

describe('DNs (RFC 4514)', () => {
  it('parses escapes, hex escapes, multi-valued RDNs and spaces around separators', () => {
    expect(parseDn('uid=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i,ou=People , dc=example')).toEqual([
      [{ type: 'uid', value: 'a,b+c"d\\e<f>g;h=i' }], [{ type: 'ou', value: 'People' }], [{ type: 'dc', value: 'example' }],
    ]);
    expect(parseDn('cn=\\E5\\BC\\A0\\E4\\B8\\89+uid=x,dc=t')[0]).toEqual([{ type: 'cn', value: '张三' }, { type: 'uid', value: 'x' }]);
    expect(parseDn('cn=\\ lead\\20,dc=t')[0]).toEqual([{ type: 'cn', value: ' lead ' }]);
    expect(parseDn('cn=#04024869,dc=t')[0]).toEqual([{ type: 'cn', value: '#04024869', ber: true }]);
    expect(parseDn('')).toEqual([]);
  });

  it.each(['uid', 'uid=a,', 'uid=a\\', '=a', 'uid=a,dc'])('refuses the malformed %s', (dn) => {
    expect(() => parseDn(dn)).toThrow(/malformed DN/);
    expect(dnKey(dn)).toBeUndefined();
  });

  it('gives one key for every spelling of the same DN', () => {
    const key = dnKey('uid=Ann\\2Cx,OU=People,dc=Example,dc=TEST');
    expect(dnKey('UID=ann\\,X, ou=people,DC=example,DC=test')).toBe(key);
    expect(dnKey('uid=ann\\,y,ou=people,dc=example,dc=test')).not.toBe(key);
    expect(dnKey('cn=b+uid=a,dc=t')).toBe(dnKey('uid=a+cn=b,dc=t'));
  });

  it('round-trips any value through escapeDnValue and parseDn', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 255, unit: 'binary' }), (value) => {
      const parsed = parseDn(`cn=${escapeDnValue(value)},dc=example`);
      expect(parsed).toEqual([[{ type: 'cn', value }], [{ type: 'dc', value: 'example' }]]);
      expect(parseDn(formatDn(parsed))).toEqual(parsed);
    }), { numRuns: 500 });
  });

  it('lists the ancestors of an entry within the base, nearest first', () => {
    expect(ancestorsWithin('uid=a,ou=Web,ou=RnD,ou=People,dc=x', 'OU=people,dc=x')).toEqual(['ou=Web,ou=RnD,ou=People,dc=x', 'ou=RnD,ou=People,dc=x', 'ou=People,dc=x']);
    expect(ancestorsWithin('ou=People,dc=x', 'ou=People,dc=x')).toEqual([]);
    expect(ancestorsWithin('uid=a,ou=Former,dc=x', 'ou=People,dc=x')).toEqual([]);
    expect(ancestorsWithin('uid=a\\,ou=People,dc=x', 'ou=People,dc=x')).toEqual([]);
  });

  it('tells whether a DN is at or under the base', () => {
    expect(isWithinDn('uid=a,ou=people,dc=x', 'ou=People,dc=x')).toBe(true);
    expect(isWithinDn('ou=People,dc=x', 'ou=People,dc=x')).toBe(true);
    expect(isWithinDn('uid=a,ou=Peoplex,dc=x', 'ou=People,dc=x')).toBe(false);
    expect(isWithinDn('not a dn', 'dc=x')).toBe(false);
  });
});
