/**
 * The AD source's configuration. Off when `AD_URL` is unset or blank; otherwise every problem is
 * reported at once as a ConfigError naming the variables (never their values: one is a password).
 *
 * Transport: `ldaps://` uses TLS; `ldap://` upgrades with StartTLS unless `AD_ALLOW_PLAIN_LDAP=true`
 * (simple binds over plain LDAP send the password in the clear; AD refuses them by default anyway).
 */
import { readFileSync } from 'node:fs';
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { DEFAULT_GROUP_FILTER, DEFAULT_USER_FILTER, parseFilter } from './filters';

export type AdTransport = 'ldaps' | 'starttls' | 'plain';

export interface AdSourceConfig {
  url: string;
  transport: AdTransport;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  userFilter: string;
  groupFilter: string;
  /** PEM of the CA that signed the DC's certificate; undefined means the system roots. */
  tlsCa?: string;
  /** The name the DC's certificate carries, when AD_URL uses another (e.g. an IP address). */
  tlsServerName?: string;
  /** Milliseconds for connecting and for each operation. */
  timeoutMs: number;
  pageSize: number;
  /**
   * Ask for multi-valued attributes (`member`, `memberOf`) in ranges of this many values from the
   * first read, as AD does by itself past MaxValRange (1500). Not a variable: tests use it to make
   * Samba, which never cuts, answer like a large AD.
   */
  valueRangeStep?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** AD's MaxPageSize is 1000 (KB 315071); larger pages are silently cut. */
const DEFAULT_PAGE_SIZE = 500;

/**
 * @example
 * const config = parseAdSourceConfig(process.env);
 * const source = config && createAdSource(config);
 */
export function parseAdSourceConfig(env: Env): AdSourceConfig | undefined {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const { text } = read;
  const url = text('AD_URL');
  if (url === undefined) return undefined;
  const required = (name: string): string => read.required(name, 'is required when AD_URL is set') ?? '';
  const bindDn = required('AD_BIND_DN');
  // A password is taken as set: its spaces are part of it.
  const bindPassword = read.secret('AD_BIND_PASSWORD') ?? '';
  if (!bindPassword) problems.add({ variable: 'AD_BIND_PASSWORD', problem: 'is required when AD_URL is set' });
  const baseDn = required('AD_BASE_DN');

  let transport: AdTransport = 'ldaps';
  const allowPlain = read.flag('AD_ALLOW_PLAIN_LDAP', false);
  const scheme = ldapUrlScheme(url);
  if (scheme === undefined) problems.add({ variable: 'AD_URL', problem: 'must be ldaps://host[:port] or ldap://host[:port]' });
  else if (scheme === 'ldap') transport = allowPlain ? 'plain' : 'starttls';

  // An operator's filter is parsed now (loading ldapts), so a bad one stops the cold start; the
  // defaults are known good and wait for the first connect (see ldapts.ts).
  const filter = (name: string, fallback: string): string => {
    const value = text(name);
    if (value === undefined) return fallback;
    try {
      parseFilter(value, name);
    } catch {
      problems.add({ variable: name, problem: 'is not a valid LDAP filter' });
    }
    return value;
  };
  const userFilter = filter('AD_USER_FILTER', DEFAULT_USER_FILTER);
  const groupFilter = filter('AD_GROUP_FILTER', DEFAULT_GROUP_FILTER);

  let tlsCa: string | undefined;
  const ca = text('AD_TLS_CA');
  if (ca !== undefined) {
    // Either the PEM itself (handy in FC variables) or the path of a PEM file (local, NAS).
    if (ca.startsWith('-----BEGIN')) {
      tlsCa = ca;
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) problems.add({ variable: 'AD_TLS_CA', problem: 'holds no PEM certificate' });
    } else {
      try {
        tlsCa = readFileSync(ca, 'utf8');
        if (!tlsCa.includes('-----BEGIN CERTIFICATE-----')) problems.add({ variable: 'AD_TLS_CA', problem: 'names a file that holds no PEM certificate' });
      } catch {
        problems.add({ variable: 'AD_TLS_CA', problem: 'must be a PEM certificate or the path of a readable PEM file' });
      }
    }
  }
  const tlsServerName = text('AD_TLS_SERVERNAME');
  const timeoutMs = read.integer('AD_TIMEOUT_MS', { fallback: DEFAULT_TIMEOUT_MS, min: 1, max: 600_000 });
  const pageSize = read.integer('AD_PAGE_SIZE', { fallback: DEFAULT_PAGE_SIZE, min: 1, max: 1000 });

  problems.throwIfAny();
  return { url: url.replace(/\/$/, ''), transport, bindDn, bindPassword, baseDn, userFilter, groupFilter, tlsCa, tlsServerName, timeoutMs, pageSize };
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
