/**
 * What every LDAP source needs to reach and bind to its server, read from `<PREFIX>_URL`,
 * `_BIND_DN`, `_BIND_PASSWORD`, `_BASE_DN`, `_ALLOW_PLAIN_LDAP`, `_TLS_CA`, `_TLS_SERVERNAME` and
 * `_TIMEOUT_MS` (AD_…, LDAP_…). Problems are reported by variable name, never value (one is a password).
 *
 * Transport: `ldaps://` uses TLS; `ldap://` upgrades with StartTLS unless `<PREFIX>_ALLOW_PLAIN_LDAP=true`
 * (a simple bind over plain LDAP sends the password in the clear).
 */
import { readFileSync } from 'node:fs';
import type { EnvReader } from '../../core/config';
import type { ConfigProblems } from '../../core/errors';
import { parseFilterText } from './filterText';

export type LdapTransport = 'ldaps' | 'starttls' | 'plain';

export interface LdapConnectionSettings {
  url: string;
  transport: LdapTransport;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  /** PEM of the CA that signed the server's certificate; undefined means the system roots. */
  tlsCa?: string;
  /** The name the server's certificate carries, when the URL uses another (e.g. an IP address). */
  tlsServerName?: string;
  /** Milliseconds for connecting and for each operation. */
  timeoutMs: number;
}

/** The connection plus what every LDAP source searches with: `<PREFIX>_USER_FILTER`, `_GROUP_FILTER`, `_PAGE_SIZE`. */
export interface LdapSearchSettings extends LdapConnectionSettings {
  userFilter: string;
  groupFilter: string;
  pageSize: number;
}

export interface LdapSearchDefaults {
  userFilter: string;
  groupFilter: string;
  pageSize: number;
  /** The server's cap on a page (AD: MaxPageSize 1000). */
  maxPageSize: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The settings under `prefix`, or undefined when `<PREFIX>_URL` is unset (the source is off).
 *
 * @example
 * const settings = readSearchSettings(read, problems, 'LDAP', { userFilter: '(objectClass=inetOrgPerson)', … });
 * if (!settings) return undefined;
 */
export function readSearchSettings(read: EnvReader, problems: ConfigProblems, prefix: string, defaults: LdapSearchDefaults): LdapSearchSettings | undefined {
  const url = read.text(`${prefix}_URL`);
  if (url === undefined) return undefined;
  return {
    ...readConnectionSettings(read, problems, prefix, url),
    userFilter: readFilter(read, problems, `${prefix}_USER_FILTER`, defaults.userFilter),
    groupFilter: readFilter(read, problems, `${prefix}_GROUP_FILTER`, defaults.groupFilter),
    pageSize: read.integer(`${prefix}_PAGE_SIZE`, { fallback: defaults.pageSize, min: 1, max: defaults.maxPageSize }),
  };
}

/**
 * The settings under `prefix`, given the (set) value of `<prefix>_URL`.
 *
 * @example
 * const url = read.text('LDAP_URL');
 * if (url !== undefined) settings = readConnectionSettings(read, problems, 'LDAP', url);
 */
export function readConnectionSettings(read: EnvReader, problems: ConfigProblems, prefix: string, url: string): LdapConnectionSettings {
  const { text } = read;
  const required = (name: string): string => read.required(name, `is required when ${prefix}_URL is set`) ?? '';
  const bindDn = required(`${prefix}_BIND_DN`);
  // A password is taken as set: its spaces are part of it.
  const bindPassword = read.secret(`${prefix}_BIND_PASSWORD`) ?? '';
  if (!bindPassword) problems.add({ variable: `${prefix}_BIND_PASSWORD`, problem: `is required when ${prefix}_URL is set` });
  const baseDn = required(`${prefix}_BASE_DN`);

  let transport: LdapTransport = 'ldaps';
  const allowPlain = read.flag(`${prefix}_ALLOW_PLAIN_LDAP`, false);
  const scheme = ldapUrlScheme(url);
  if (scheme === undefined) problems.add({ variable: `${prefix}_URL`, problem: 'must be ldaps://host[:port] or ldap://host[:port]' });
  else if (scheme === 'ldap') transport = allowPlain ? 'plain' : 'starttls';

  const tlsCa = readCa(text(`${prefix}_TLS_CA`), `${prefix}_TLS_CA`, problems);
  const tlsServerName = text(`${prefix}_TLS_SERVERNAME`);
  const timeoutMs = read.integer(`${prefix}_TIMEOUT_MS`, { fallback: DEFAULT_TIMEOUT_MS, min: 1, max: 600_000 });
  return { url: url.replace(/\/$/, ''), transport, bindDn, bindPassword, baseDn, tlsCa, tlsServerName, timeoutMs };
}

/**
 * An operator's filter variable, or `fallback` when unset. Parsed now (loading ldapts) so a bad one,
 * unbalanced parentheses included, stops the cold start; the defaults are known good.
 */
export function readFilter(read: EnvReader, problems: ConfigProblems, name: string, fallback: string): string {
  const value = read.text(name);
  if (value === undefined) return fallback;
  try {
    parseFilterText(value);
  } catch {
    problems.add({ variable: name, problem: 'is not a valid LDAP filter' });
  }
  return value;
}

/** Either the PEM itself (handy in FC variables) or the path of a PEM file (local, NAS). */
function readCa(ca: string | undefined, variable: string, problems: ConfigProblems): string | undefined {
  if (ca === undefined) return undefined;
  if (ca.startsWith('-----BEGIN')) {
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) problems.add({ variable, problem: 'holds no PEM certificate' });
    return ca;
  }
  try {
    const pem = readFileSync(ca, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) problems.add({ variable, problem: 'names a file that holds no PEM certificate' });
    return pem;
  } catch {
    problems.add({ variable, problem: 'must be a PEM certificate or the path of a readable PEM file' });
    return undefined;
  }
}

/**
 * `ldap` or `ldaps` for `scheme://host[:port]` with a DNS name, IPv4 or [IPv6] address and a port
 * of 1–65535, nothing else: no credentials (the URL appears in error messages), path or query.
 */
function ldapUrlScheme(url: string): 'ldap' | 'ldaps' | undefined {
  const match = /^(ldaps?):\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?\/?$/i.exec(url);
  if (!match) return undefined;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65_535)) return undefined;
  return match[1]!.toLowerCase() as 'ldap' | 'ldaps';
}
