import type { Entry } from 'ldapts';
import type { LdapAttributeMap } from '../../../../functions/lib/sources/ldap/config';
import { LdapSourceError } from '../../../../functions/lib/sources/ldap/errors';
import {
  groupDepartment, groupMembers, ouDepartment, toIdentity, userAttributes, withoutUid,
} from '../../../../functions/lib/sources/ldap/mapping';

const UUID = '1f418aa0-8553-1041-8088-c725b9b6cbb3';
const MAP: LdapAttributeMap = { userName: 'uid', email: 'mail', displayName: ['displayName', 'cn'] };

const entry = (values: Record<string, string | string[]>): Entry => ({ dn: 'uid=ann,ou=People,dc=example,dc=test', entryUUID: UUID.toUpperCase(), ...values });

describe('toIdentity', () => {
  it('maps a person by the attribute map, the entryUUID lower-cased as the source id', () => {
    expect(toIdentity(entry({ uid: 'ann', mail: ' ann@example.test ', cn: 'Ann Cn', sn: 'Example', mobile: '+86 138', title: 'Eng', employeeNumber: 'E7' }), MAP, ['g1', 'g1', 'o1']))
      .toEqual({
        source: 'ldap', sourceId: UUID, userName: 'ann', email: 'ann@example.test', displayName: 'Ann Cn', mobile: '+86 138', title: 'Eng',
        employeeId: 'E7', status: 'active', departmentIds: ['g1', 'o1'], attributes: { uid: 'ann', cn: 'Ann Cn', sn: 'Example', employeeNumber: 'E7' },
      });
  });

  it('takes the first display-name attribute with a value, and the first value of a multi-valued one', () => {
    expect(toIdentity(entry({ cn: ['First', 'Second'], displayName: '  ' }), MAP, []).displayName).toBe('First');
    expect(toIdentity(entry({ displayName: 'Shown', cn: 'Cn' }), MAP, []).displayName).toBe('Shown');
    expect(toIdentity(entry({}), MAP, []).displayName).toBeUndefined();
  });

  it('finds a configured attribute whatever its case in the answer', () => {
    expect(toIdentity(entry({ mailPrimaryAddress: 'x@example.test' }), { ...MAP, email: 'mailprimaryaddress' }, []).email).toBe('x@example.test');
  });

  it.each([
    [{ attribute: 'pwdAccountLockedTime' }, { pwdAccountLockedTime: '000001010000Z' }, 'disabled'],
    [{ attribute: 'pwdAccountLockedTime' }, { pwdAccountLockedTime: '20261206010203Z' }, 'disabled'],
    [{ attribute: 'pwdAccountLockedTime' }, {}, 'active'],
    [{ attribute: 'nsAccountLock' }, { nsAccountLock: 'TRUE' }, 'disabled'],
    [{ attribute: 'nsAccountLock' }, { nsAccountLock: 'true' }, 'disabled'],
    [{ attribute: 'nsAccountLock' }, { nsAccountLock: 'FALSE' }, 'active'],
    [{ attribute: 'employeeType', value: 'Left' }, { employeeType: ['staff', 'left'] }, 'disabled'],
    [{ attribute: 'employeeType', value: 'Left' }, { employeeType: 'staff' }, 'active'],
  ] as const)('LDAP_ATTR_DISABLED %j on %j is %s', (disabled, values, status) => {
    expect(toIdentity(entry(values as Record<string, string | string[]>), { ...MAP, disabled: { ...disabled } }, []).status).toBe(status);
  });

  it('refuses an entry without a readable entryUUID, naming what to grant', () => {
    const error = (() => {
      try {
        toIdentity({ dn: 'uid=x,dc=example,dc=test', uid: 'x' }, MAP, []);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(LdapSourceError);
    expect(error).toMatchObject({ kind: 'unreadable-entry', retryable: false, recommendedAction: expect.stringContaining('LDAP_BIND_DN') });
  });
});

describe('userAttributes', () => {
  it('asks for entryUUID and every mapped attribute, each once', () => {
    const asked = userAttributes({ userName: 'UID', email: 'mail', displayName: ['displayName', 'cn'], disabled: { attribute: 'pwdAccountLockedTime' } });
    expect(asked).toEqual(expect.arrayContaining(['entryUUID', 'uid', 'mail', 'displayName', 'cn', 'pwdAccountLockedTime']));
    expect(new Set(asked.map((a) => a.toLowerCase())).size).toBe(asked.length);
  });
});

describe('departments', () => {
  it('names a group by cn and an OU by ou, the OU under its parent', () => {
    expect(groupDepartment(entry({ cn: 'Dev' }))).toEqual({ source: 'ldap', sourceId: UUID, name: 'Dev' });
    expect(ouDepartment(entry({ ou: 'RnD' }), 'p1')).toEqual({ source: 'ldap', sourceId: UUID, name: 'RnD', parentId: 'p1' });
    expect(ouDepartment(entry({ ou: 'Top' }), undefined)).toEqual({ source: 'ldap', sourceId: UUID, name: 'Top' });
  });

  it('reads members in the three shapes, uniqueMember without its UID, DNs as comparison keys', () => {
    const members = groupMembers(entry({
      member: ['UID=Ann,ou=People,DC=example,DC=test', 'not a dn'],
      uniqueMember: ["uid=bob,ou=People,dc=example,dc=test#'0101'B", 'uid=ann,ou=people,dc=example,dc=test'],
      memberUid: ['carol', 'carol'],
    }));
    expect(members).toEqual({ dnKeys: ['uid=ann,ou=people,dc=example,dc=test', 'uid=bob,ou=people,dc=example,dc=test'], uids: ['carol'] });
    expect(withoutUid("cn=x#y,dc=t#'1'B")).toBe('cn=x#y,dc=t');
  });
});
