import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../../functions/lib/core/errors';
import { type AdSourceConfig, parseAdSourceConfig } from '../../../../functions/lib/sources/ad/config';
import { DEFAULT_GROUP_FILTER, DEFAULT_USER_FILTER } from '../../../../functions/lib/sources/ad/filters';

type Env = Record<string, string | undefined>;

const minimal: Env = {
  AD_URL: 'ldaps://dc1.example.test',
  AD_BIND_DN: 'CN=ram-sync,OU=Service,DC=example,DC=test',
  AD_BIND_PASSWORD: 'S3cret!pass',
  AD_BASE_DN: 'OU=Staff,DC=example,DC=test',
};

// The body is never decoded by the parser, only recognised as PEM: a placeholder is enough.
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUXk1ZuK1nhQ==\n-----END CERTIFICATE-----';

/** The configuration the minimal one with these changes gives (fails the test when AD is off). */
function parse(changes: Env = {}): AdSourceConfig {
  const config = parseAdSourceConfig({ ...minimal, ...changes });
  if (config === undefined) throw new Error('expected a configuration, but AD is off');
  return config;
}

/** The ConfigError a bad environment throws (fails the test when it does not throw one). */
function rejection(env: Env): ConfigError {
  try {
    parseAdSourceConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

const badVariables = (env: Env) => rejection(env).problems.map((p) => p.variable);

describe('parseAdSourceConfig', () => {
  describe('when AD is not configured', () => {
    it('is off (undefined) without AD_URL', () => {
      expect(parseAdSourceConfig({})).toBeUndefined();
    });

    it('is off with a blank AD_URL', () => {
      expect(parseAdSourceConfig({ AD_URL: '' })).toBeUndefined();
      expect(parseAdSourceConfig({ AD_URL: '   ' })).toBeUndefined();
    });

    it('ignores the other AD_ variables while off, even malformed ones', () => {
      expect(parseAdSourceConfig({ ...minimal, AD_URL: undefined, AD_PAGE_SIZE: '0', AD_USER_FILTER: '(' })).toBeUndefined();
    });
  });

  describe('a minimal valid configuration', () => {
    it('takes the URL, bind DN, password and base DN, with defaults for everything else', () => {
      expect(parse()).toEqual({
        url: 'ldaps://dc1.example.test',
        transport: 'ldaps',
        bindDn: 'CN=ram-sync,OU=Service,DC=example,DC=test',
        bindPassword: 'S3cret!pass',
        baseDn: 'OU=Staff,DC=example,DC=test',
        userFilter: '(&(objectCategory=person)(objectClass=user))',
        groupFilter: '(objectClass=group)',
        tlsCa: undefined,
        tlsServerName: undefined,
        timeoutMs: 15_000,
        pageSize: 500,
      });
    });

    it('uses the default filters the filters module exports', () => {
      expect(parse()).toMatchObject({ userFilter: DEFAULT_USER_FILTER, groupFilter: DEFAULT_GROUP_FILTER });
    });

    it('trims the surrounding spaces of every value but the password', () => {
      expect(parse({ AD_URL: '  ldaps://dc1.example.test  ', AD_BIND_DN: ' CN=ram-sync,DC=example,DC=test\n', AD_BASE_DN: '\tDC=example,DC=test ' }))
        .toMatchObject({ url: 'ldaps://dc1.example.test', bindDn: 'CN=ram-sync,DC=example,DC=test', baseDn: 'DC=example,DC=test' });
    });

    it('keeps a password with leading or trailing spaces exactly as given (spaces may be part of it)', () => {
      expect(parse({ AD_BIND_PASSWORD: '  pass word \t' }).bindPassword).toBe('  pass word \t');
    });
  });

  describe('AD_URL and the transport', () => {
    it.each([
      ['ldaps://dc1.example.test', 'ldaps'],
      ['ldaps://dc1.example.test:636', 'ldaps'],
      ['ldap://dc1.example.test', 'starttls'],
      ['ldap://10.0.0.5:389', 'starttls'],
      ['LDAPS://DC1.EXAMPLE.TEST', 'ldaps'],
      ['LDAP://DC1.EXAMPLE.TEST', 'starttls'],
    ])('%s uses %s', (url, transport) => {
      expect(parse({ AD_URL: url })).toMatchObject({ url, transport });
    });

    it('uses plain LDAP only with ldap:// and AD_ALLOW_PLAIN_LDAP=true', () => {
      expect(parse({ AD_URL: 'ldap://dc1.example.test', AD_ALLOW_PLAIN_LDAP: 'true' }).transport).toBe('plain');
      expect(parse({ AD_URL: 'ldap://dc1.example.test', AD_ALLOW_PLAIN_LDAP: 'false' }).transport).toBe('starttls');
      expect(parse({ AD_URL: 'ldap://dc1.example.test', AD_ALLOW_PLAIN_LDAP: '' }).transport).toBe('starttls');
    });

    it('never downgrades ldaps:// to plain LDAP, whatever AD_ALLOW_PLAIN_LDAP says', () => {
      expect(parse({ AD_URL: 'ldaps://dc1.example.test', AD_ALLOW_PLAIN_LDAP: 'true' }).transport).toBe('ldaps');
    });

    it.each(['yes', '1', 'TRUE', 'on'])('rejects AD_ALLOW_PLAIN_LDAP=%s: only true or false', (value) => {
      expect(rejection({ ...minimal, AD_URL: 'ldap://dc1.example.test', AD_ALLOW_PLAIN_LDAP: value }).problems)
        .toEqual([{ variable: 'AD_ALLOW_PLAIN_LDAP', problem: 'must be true or false' }]);
    });

    it('removes a trailing slash', () => {
      expect(parse({ AD_URL: 'ldaps://dc1.example.test:636/' }).url).toBe('ldaps://dc1.example.test:636');
      expect(parse({ AD_URL: 'ldap://dc1.example.test/' }).url).toBe('ldap://dc1.example.test');
    });

    it.each([
      'dc1.example.test',
      'http://dc1.example.test',
      'ldapi://%2fvar%2frun%2fldapi',
      'ldaps://',
      'ldaps://dc1.example.test/DC=example,DC=test',
      'ldaps://dc1.example.test//',
      'ldaps://dc1 example.test',
    ])('rejects %s: not ldap(s)://host[:port]', (url) => {
      expect(rejection({ ...minimal, AD_URL: url }).problems)
        .toEqual([{ variable: 'AD_URL', problem: 'must be ldaps://host[:port] or ldap://host[:port]' }]);
    });

    // The URL is echoed in bind errors (connection.ts), so user:password@ must never pass.
    it.each([
      'ldaps://dc1.example.test:notaport',
      'ldaps://:636',
      'ldaps://ram-sync:secret@dc1.example.test',
      'ldaps://dc1.example.test:99999',
      'ldaps://dc1.example.test?base',
    ])('rejects %s: not ldap(s)://host[:port]', (url) => {
      expect(badVariables({ ...minimal, AD_URL: url })).toEqual(['AD_URL']);
    });
  });

  describe('required variables', () => {
    it('reports every missing one at once, in one ConfigError naming each', () => {
      const error = rejection({ AD_URL: 'ldaps://dc1.example.test' });
      expect(error.problems).toEqual([
        { variable: 'AD_BIND_DN', problem: 'is required when AD_URL is set' },
        { variable: 'AD_BIND_PASSWORD', problem: 'is required when AD_URL is set' },
        { variable: 'AD_BASE_DN', problem: 'is required when AD_URL is set' },
      ]);
      for (const name of ['AD_BIND_DN', 'AD_BIND_PASSWORD', 'AD_BASE_DN']) expect(error.message).toContain(name);
    });

    it.each(['AD_BIND_DN', 'AD_BIND_PASSWORD', 'AD_BASE_DN'])('reports %s alone when only it is missing', (name) => {
      expect(badVariables({ ...minimal, [name]: undefined })).toEqual([name]);
    });

    it('counts a blank DN as missing', () => {
      expect(badVariables({ ...minimal, AD_BIND_DN: '  ', AD_BASE_DN: '' })).toEqual(['AD_BIND_DN', 'AD_BASE_DN']);
    });

    it('counts an empty password as missing (an empty simple bind is an anonymous bind, RFC 4513 §5.1.2)', () => {
      expect(badVariables({ ...minimal, AD_BIND_PASSWORD: '' })).toEqual(['AD_BIND_PASSWORD']);
    });

    it('reports missing variables together with malformed ones', () => {
      expect(badVariables({ AD_URL: 'http://dc1.example.test', AD_BIND_DN: 'CN=x', AD_PAGE_SIZE: '0' }).sort())
        .toEqual(['AD_BASE_DN', 'AD_BIND_PASSWORD', 'AD_PAGE_SIZE', 'AD_URL']);
    });
  });

  describe('AD_USER_FILTER and AD_GROUP_FILTER', () => {
    it('takes valid filters as given', () => {
      const userFilter = '(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))';
      expect(parse({ AD_USER_FILTER: userFilter, AD_GROUP_FILTER: '(&(objectClass=group)(cn=ram-*))' }))
        .toMatchObject({ userFilter, groupFilter: '(&(objectClass=group)(cn=ram-*))' });
    });

    it('falls back to the defaults when blank', () => {
      expect(parse({ AD_USER_FILTER: ' ', AD_GROUP_FILTER: '' })).toMatchObject({ userFilter: DEFAULT_USER_FILTER, groupFilter: DEFAULT_GROUP_FILTER });
    });

    it.each(['AD_USER_FILTER', 'AD_GROUP_FILTER'])('names %s when it is not a valid LDAP filter', (name) => {
      expect(rejection({ ...minimal, [name]: '(objectClass=user' }).problems).toEqual([{ variable: name, problem: 'is not a valid LDAP filter' }]);
    });

    it('names both when both are invalid', () => {
      expect(badVariables({ ...minimal, AD_USER_FILTER: '(&)', AD_GROUP_FILTER: '(a=b)(c=d)' })).toEqual(['AD_USER_FILTER', 'AD_GROUP_FILTER']);
    });
  });

  describe('AD_TLS_CA and AD_TLS_SERVERNAME', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ad-config-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('uses the system roots when unset', () => {
      expect(parse().tlsCa).toBeUndefined();
    });

    it('takes the PEM itself (handy in FC variables)', () => {
      expect(parse({ AD_TLS_CA: CA_PEM }).tlsCa).toBe(CA_PEM);
    });

    it('reads a readable file path', async () => {
      const path = join(dir, 'ca.pem');
      await writeFile(path, `${CA_PEM}\n`);
      expect(parse({ AD_TLS_CA: path }).tlsCa).toBe(`${CA_PEM}\n`);
    });

    it('rejects a path that does not exist', () => {
      expect(rejection({ ...minimal, AD_TLS_CA: join(dir, 'missing.pem') }).problems)
        .toEqual([{ variable: 'AD_TLS_CA', problem: 'must be a PEM certificate or the path of a readable PEM file' }]);
    });

    it('rejects a directory', async () => {
      const path = join(dir, 'a-directory');
      await mkdir(path);
      expect(badVariables({ ...minimal, AD_TLS_CA: path })).toEqual(['AD_TLS_CA']);
    });

    it('rejects a file that holds no certificate', async () => {
      const path = join(dir, 'key.pem');
      await writeFile(path, '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n');
      expect(rejection({ ...minimal, AD_TLS_CA: path }).problems)
        .toEqual([{ variable: 'AD_TLS_CA', problem: 'names a file that holds no PEM certificate' }]);
    });

    it('rejects inline PEM that holds no certificate', () => {
      expect(badVariables({ ...minimal, AD_TLS_CA: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----' }))
        .toEqual(['AD_TLS_CA']);
    });

    it('takes an optional server name for the certificate check', () => {
      expect(parse({ AD_URL: 'ldaps://10.0.0.5', AD_TLS_SERVERNAME: 'dc1.example.test' }).tlsServerName).toBe('dc1.example.test');
      expect(parse({ AD_TLS_SERVERNAME: ' ' }).tlsServerName).toBeUndefined();
    });
  });

  describe('AD_TIMEOUT_MS and AD_PAGE_SIZE', () => {
    it('accept whole numbers from 1 to their maximum', () => {
      expect(parse({ AD_TIMEOUT_MS: '1', AD_PAGE_SIZE: '1' })).toMatchObject({ timeoutMs: 1, pageSize: 1 });
      expect(parse({ AD_TIMEOUT_MS: '600000', AD_PAGE_SIZE: '1000' })).toMatchObject({ timeoutMs: 600_000, pageSize: 1000 });
      expect(parse({ AD_TIMEOUT_MS: ' 30000 ', AD_PAGE_SIZE: ' 200 ' })).toMatchObject({ timeoutMs: 30_000, pageSize: 200 });
    });

    it('fall back to 15000 ms and 500 entries when blank', () => {
      expect(parse({ AD_TIMEOUT_MS: '', AD_PAGE_SIZE: '  ' })).toMatchObject({ timeoutMs: 15_000, pageSize: 500 });
    });

    it.each(['0', '-1', '1.5', 'abc', '600001', 'Infinity'])('reject AD_TIMEOUT_MS=%s', (value) => {
      expect(rejection({ ...minimal, AD_TIMEOUT_MS: value }).problems)
        .toEqual([{ variable: 'AD_TIMEOUT_MS', problem: 'must be a whole number from 1 to 600000' }]);
    });

    // Above 1000, AD silently cuts pages to its MaxPageSize.
    it.each(['0', '-5', '2.5', 'ten', '1001', '1e3', '0x10', '1.0'])('reject AD_PAGE_SIZE=%s', (value) => {
      expect(rejection({ ...minimal, AD_PAGE_SIZE: value }).problems)
        .toEqual([{ variable: 'AD_PAGE_SIZE', problem: 'must be a whole number from 1 to 1000' }]);
    });
  });

  describe('secrets in errors', () => {
    const SENTINEL = 'SENTINEL-pa55w0rd-7f3a';

    it('never echoes the password, whatever else is wrong', () => {
      const error = rejection({
        ...minimal,
        AD_BIND_PASSWORD: SENTINEL,
        AD_URL: 'http://dc1.example.test',
        AD_BASE_DN: '',
        AD_USER_FILTER: '(broken',
        AD_ALLOW_PLAIN_LDAP: 'maybe',
        AD_TLS_CA: '/nonexistent/ca.pem',
        AD_TIMEOUT_MS: '-1',
        AD_PAGE_SIZE: '5000',
      });
      expect(error.problems).toHaveLength(7);
      expect(error.message).not.toContain(SENTINEL);
      expect(JSON.stringify(error.problems)).not.toContain(SENTINEL);
      expect(String(error.stack)).not.toContain(SENTINEL);
    });

    it('names variables, never their values', () => {
      const error = rejection({ ...minimal, AD_URL: 'http://value-of-url', AD_USER_FILTER: '(value-of-filter', AD_PAGE_SIZE: 'value-of-page-size' });
      expect(error.message).not.toMatch(/value-of/);
      expect(JSON.stringify(error.problems)).not.toMatch(/value-of/);
    });
  });
});
