import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../../functions/lib/core/errors';
import {
  DEFAULT_GROUP_FILTER, DEFAULT_USER_FILTER, type LdapSourceConfig, parseLdapSourceConfig,
} from '../../../../functions/lib/sources/ldap/config';

type Env = Record<string, string | undefined>;

const minimal: Env = {
  LDAP_URL: 'ldaps://ldap.example.test',
  LDAP_BIND_DN: 'cn=ram-sync,ou=Service,dc=example,dc=test',
  LDAP_BIND_PASSWORD: ' S3cret pass ',
  LDAP_BASE_DN: 'ou=People,dc=example,dc=test',
};

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUXk1ZuK1nhQ==\n-----END CERTIFICATE-----';

const parse = (changes: Env = {}): LdapSourceConfig => parseLdapSourceConfig({ ...minimal, ...changes })!;

/** The ConfigError `env` is refused with (the test fails when it is accepted). */
function rejection(env: Env): ConfigError {
  let thrown: unknown;
  try {
    parseLdapSourceConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

describe('parseLdapSourceConfig', () => {
  it('is off without LDAP_URL (or with a blank one), whatever else is set', () => {
    expect(parseLdapSourceConfig({})).toBeUndefined();
    expect(parseLdapSourceConfig({ LDAP_URL: '  ' })).toBeUndefined();
    expect(parseLdapSourceConfig({ ...minimal, LDAP_URL: undefined, LDAP_USER_FILTER: '(', LDAP_PAGE_SIZE: '0' })).toBeUndefined();
  });

  it('takes the four required variables, with a default for everything else', () => {
    expect(parse()).toEqual<LdapSourceConfig>({
      url: 'ldaps://ldap.example.test',
      transport: 'ldaps',
      bindDn: 'cn=ram-sync,ou=Service,dc=example,dc=test',
      bindPassword: ' S3cret pass ',
      baseDn: 'ou=People,dc=example,dc=test',
      tlsCa: undefined,
      tlsServerName: undefined,
      timeoutMs: 15_000,
      userFilter: '(objectClass=inetOrgPerson)',
      groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))',
      pageSize: 500,
      attributes: { userName: 'uid', email: 'mail', displayName: ['displayName', 'cn'] },
      departments: 'groups',
    });
    expect(DEFAULT_USER_FILTER).toBe('(objectClass=inetOrgPerson)');
    expect(DEFAULT_GROUP_FILTER).toContain('posixGroup');
  });

  it('names every missing required variable at once, never a value', () => {
    const error = rejection({ LDAP_URL: 'ldap://ldap.example.test' });
    expect(error.problems).toEqual([
      { variable: 'LDAP_BIND_DN', problem: 'is required when LDAP_URL is set' },
      { variable: 'LDAP_BIND_PASSWORD', problem: 'is required when LDAP_URL is set' },
      { variable: 'LDAP_BASE_DN', problem: 'is required when LDAP_URL is set' },
    ]);
  });

  describe('transport', () => {
    it('uses TLS for ldaps:// and StartTLS for ldap://', () => {
      expect(parse({ LDAP_URL: 'ldaps://10.0.0.5:636/' })).toMatchObject({ url: 'ldaps://10.0.0.5:636', transport: 'ldaps' });
      expect(parse({ LDAP_URL: 'ldap://ldap.example.test:389' }).transport).toBe('starttls');
      expect(parse({ LDAP_URL: 'LDAP://[::1]:3389' }).transport).toBe('starttls');
    });

    it('sends a bind over plain LDAP only with LDAP_ALLOW_PLAIN_LDAP=true, and never for ldaps://', () => {
      expect(parse({ LDAP_URL: 'ldap://127.0.0.1:3389', LDAP_ALLOW_PLAIN_LDAP: 'true' }).transport).toBe('plain');
      expect(parse({ LDAP_URL: 'ldap://127.0.0.1:3389', LDAP_ALLOW_PLAIN_LDAP: 'false' }).transport).toBe('starttls');
      expect(parse({ LDAP_ALLOW_PLAIN_LDAP: 'true' }).transport).toBe('ldaps');
      expect(rejection({ ...minimal, LDAP_ALLOW_PLAIN_LDAP: 'yes' }).problems).toEqual([{ variable: 'LDAP_ALLOW_PLAIN_LDAP', problem: 'must be true or false' }]);
    });

    it.each(['https://ldap.example.test', 'ldap://user:pw@ldap.example.test', 'ldap://ldap.example.test/dc=x', 'ldap://host:0', 'ldap://host:70000', 'ldap.example.test'])(
      'refuses LDAP_URL=%s, naming the variable and not the value', (url) => {
        const error = rejection({ ...minimal, LDAP_URL: url });
        expect(error.problems).toEqual([{ variable: 'LDAP_URL', problem: 'must be ldaps://host[:port] or ldap://host[:port]' }]);
        expect(error.message).not.toContain(url);
      });

    it('takes LDAP_TLS_CA as PEM text or a file, and LDAP_TLS_SERVERNAME', async () => {
      expect(parse({ LDAP_TLS_CA: CA_PEM, LDAP_TLS_SERVERNAME: 'ldap.corp.example' })).toMatchObject({ tlsCa: CA_PEM, tlsServerName: 'ldap.corp.example' });
      const dir = await mkdtemp(join(tmpdir(), 'ldap-ca-'));
      try {
        await writeFile(join(dir, 'ca.pem'), CA_PEM);
        await writeFile(join(dir, 'not.pem'), 'hello');
        expect(parse({ LDAP_TLS_CA: join(dir, 'ca.pem') }).tlsCa).toBe(CA_PEM);
        expect(rejection({ ...minimal, LDAP_TLS_CA: join(dir, 'not.pem') }).problems).toEqual([{ variable: 'LDAP_TLS_CA', problem: 'names a file that holds no PEM certificate' }]);
        expect(rejection({ ...minimal, LDAP_TLS_CA: join(dir, 'missing.pem') }).problems[0]!.variable).toBe('LDAP_TLS_CA');
        expect(rejection({ ...minimal, LDAP_TLS_CA: '-----BEGIN PRIVATE KEY-----' }).problems).toEqual([{ variable: 'LDAP_TLS_CA', problem: 'holds no PEM certificate' }]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('filters', () => {
    it('takes LDAP_USER_FILTER and LDAP_GROUP_FILTER as given', () => {
      expect(parse({ LDAP_USER_FILTER: '(&(objectClass=posixAccount)(!(loginShell=/bin/false)))', LDAP_GROUP_FILTER: '(objectClass=groupOfNames)' }))
        .toMatchObject({ userFilter: '(&(objectClass=posixAccount)(!(loginShell=/bin/false)))', groupFilter: '(objectClass=groupOfNames)' });
    });

    it.each([
      ['LDAP_USER_FILTER', '(&(objectClass=inetOrgPerson)(uid=a)'],
      ['LDAP_USER_FILTER', '(objectClass=inetOrgPerson))'],
      ['LDAP_GROUP_FILTER', '(|(objectClass=groupOfNames)'],
      ['LDAP_GROUP_FILTER', 'objectClass=groupOfNames)('],
    ])('refuses %s with unbalanced parentheses (%s), naming the variable', (variable, filter) => {
      const error = rejection({ ...minimal, [variable]: filter });
      expect(error.problems).toEqual([{ variable, problem: 'is not a valid LDAP filter' }]);
      expect(error.message).not.toContain(filter);
    });

    it('accepts parentheses escaped inside a value', () => {
      expect(parse({ LDAP_USER_FILTER: '(cn=a\\28b\\29)' }).userFilter).toBe('(cn=a\\28b\\29)');
    });
  });

  describe('numbers', () => {
    it('takes LDAP_TIMEOUT_MS and LDAP_PAGE_SIZE within their ranges', () => {
      expect(parse({ LDAP_TIMEOUT_MS: '2500', LDAP_PAGE_SIZE: '1000' })).toMatchObject({ timeoutMs: 2500, pageSize: 1000 });
      expect(rejection({ ...minimal, LDAP_TIMEOUT_MS: '0', LDAP_PAGE_SIZE: '10001' }).problems.map((p) => p.variable)).toEqual(['LDAP_TIMEOUT_MS', 'LDAP_PAGE_SIZE']);
      expect(rejection({ ...minimal, LDAP_PAGE_SIZE: 'many' }).problems.map((p) => p.variable)).toEqual(['LDAP_PAGE_SIZE']);
    });
  });

  describe('attribute mapping', () => {
    it('takes LDAP_ATTR_USERNAME, LDAP_ATTR_EMAIL and a LDAP_ATTR_DISPLAYNAME list', () => {
      expect(parse({ LDAP_ATTR_USERNAME: 'employeeNumber', LDAP_ATTR_EMAIL: 'mailPrimaryAddress', LDAP_ATTR_DISPLAYNAME: 'displayName, givenName,cn' }).attributes)
        .toEqual({ userName: 'employeeNumber', email: 'mailPrimaryAddress', displayName: ['displayName', 'givenName', 'cn'] });
      expect(parse({ LDAP_ATTR_USERNAME: '0.9.2342.19200300.100.1.1' }).attributes.userName).toBe('0.9.2342.19200300.100.1.1');
    });

    it('reads LDAP_ATTR_DISABLED as an attribute (set = disabled) or attribute=value', () => {
      expect(parse({ LDAP_ATTR_DISABLED: 'pwdAccountLockedTime' }).attributes.disabled).toEqual({ attribute: 'pwdAccountLockedTime' });
      expect(parse({ LDAP_ATTR_DISABLED: 'nsAccountLock' }).attributes.disabled).toEqual({ attribute: 'nsAccountLock' });
      expect(parse({ LDAP_ATTR_DISABLED: 'employeeType = left' }).attributes.disabled).toEqual({ attribute: 'employeeType', value: 'left' });
    });

    it.each([
      ['LDAP_ATTR_USERNAME', 'uid;lang-en'], ['LDAP_ATTR_EMAIL', 'ma il'], ['LDAP_ATTR_DISPLAYNAME', 'cn,(x)'],
      ['LDAP_ATTR_DISABLED', '=TRUE'], ['LDAP_ATTR_DISABLED', 'nsAccountLock='], ['LDAP_ATTR_DISABLED', 'a b=c'],
    ])('refuses %s=%s, naming the variable', (variable, value) => {
      expect(rejection({ ...minimal, [variable]: value }).problems.map((p) => p.variable)).toEqual([variable]);
    });
  });

  it('takes LDAP_DEPARTMENTS groups, ous or both (default groups), and nothing else', () => {
    expect(parse({ LDAP_DEPARTMENTS: 'ous' }).departments).toBe('ous');
    expect(parse({ LDAP_DEPARTMENTS: 'both' }).departments).toBe('both');
    expect(rejection({ ...minimal, LDAP_DEPARTMENTS: 'ou' }).problems).toEqual([{ variable: 'LDAP_DEPARTMENTS', problem: 'must be one of groups, ous, both' }]);
  });

  it('never puts the password in a problem', () => {
    const error = rejection({ ...minimal, LDAP_URL: 'ftp://x', LDAP_PAGE_SIZE: '-1' });
    expect(JSON.stringify(error.problems) + error.message).not.toContain('S3cret');
  });
});
