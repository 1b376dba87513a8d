import type { Entry } from 'ldapts';
import { guidToBuffer } from '../../../../functions/lib/sources/ad/guid';
import { extendedGuid, toDepartment, toIdentity } from '../../../../functions/lib/sources/ad/mapping';

const ID = '60e8e479-8ea6-43b6-b1c2-d3e4f5061728';
const GROUP = '187fa756-7f73-41dd-b5d7-8b49a8d7c53a';
const MANAGER = 'd69d27f9-17f2-4927-84e3-2e25caddecbd';
const user = (attributes: Record<string, string | string[]>): Entry => ({ dn: 'CN=x,DC=example,DC=test', objectGUID: guidToBuffer(ID), ...attributes });

describe('toIdentity', () => {
  it('maps the AD attributes to the core model, ids as objectGUIDs', () => {
    expect(toIdentity(user({
      sAMAccountName: 'alice', userPrincipalName: 'alice@example.test', displayName: 'Alice Liu', mail: 'alice@corp.example',
      mobile: '+86 138 0000 0000', telephoneNumber: '+86 10 1234', department: 'Eng', title: 'Engineer', employeeID: 'E1',
      userAccountControl: '512', memberOf: [`<GUID=${GROUP.toUpperCase()}>;<SID=S-1-5-21-1>;CN=Eng,DC=example,DC=test`],
      manager: `<GUID=${MANAGER}>;<SID=S-1-5-21-2>;CN=Bob,DC=example,DC=test`,
    }))).toEqual({
      source: 'ad', sourceId: ID, userName: 'alice', displayName: 'Alice Liu', email: 'alice@corp.example', mobile: '+86 138 0000 0000',
      title: 'Engineer', employeeId: 'E1', departmentIds: [GROUP], status: 'active', managerId: MANAGER,
      attributes: { sAMAccountName: 'alice', userPrincipalName: 'alice@example.test', telephoneNumber: '+86 10 1234', department: 'Eng' },
    });
  });

  it('reads userAccountControl bit 2 as disabled', () => {
    expect(toIdentity(user({ userAccountControl: '514' })).status).toBe('disabled');
    expect(toIdentity(user({ userAccountControl: '546' })).status).toBe('disabled');
    expect(toIdentity(user({ userAccountControl: '66048' })).status).toBe('active');
  });

  it('treats empty and blank values as absent (ldapts fills missing attributes with [])', () => {
    const identity = toIdentity(user({ mail: [], displayName: '  ', memberOf: [], manager: [] }));
    expect(identity).toEqual({ source: 'ad', sourceId: ID, departmentIds: [], status: 'active', attributes: {} });
  });

  it('copies LDAP-special and non-ASCII characters verbatim', () => {
    const name = 'Zoë (O\'Brien), *\\ 王';
    expect(toIdentity(user({ displayName: name })).displayName).toBe(name);
  });
});

describe('toDepartment', () => {
  it('names a group by its cn', () => {
    expect(toDepartment({ dn: 'CN=Eng', objectGUID: guidToBuffer(GROUP), cn: 'Eng' })).toEqual({ source: 'ad', sourceId: GROUP, name: 'Eng' });
  });
});

describe('extendedGuid', () => {
  it('answers undefined for a plain DN', () => {
    expect(extendedGuid('CN=<GUID=x>,DC=example')).toBeUndefined();
  });
});
