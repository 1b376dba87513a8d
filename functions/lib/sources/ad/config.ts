/**
 * The AD source's configuration. Off when `AD_URL` is unset or blank; otherwise every problem is
 * reported at once as a ConfigError naming the variables (never their values: one is a password).
 *
 * Transport: `ldaps://` uses TLS; `ldap://` upgrades with StartTLS unless `AD_ALLOW_PLAIN_LDAP=true`
 * (simple binds over plain LDAP send the password in the clear; AD refuses them by default anyway).
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { type LdapSearchSettings, type LdapTransport, readSearchSettings } from '../ldapClient/settings';
import { DEFAULT_GROUP_FILTER, DEFAULT_USER_FILTER } from './filters';

export type AdTransport = LdapTransport;

export interface AdSourceConfig extends LdapSearchSettings {
  /**
   * Ask for multi-valued attributes (`member`, `memberOf`) in ranges of this many values from the
   * first read, as AD does by itself past MaxValRange (1500). Not a variable: tests use it to make
   * Samba, which never cuts, answer like a large AD.
   */
  valueRangeStep?: number;
}

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
  const settings = readSearchSettings(read, problems, 'AD', {
    userFilter: DEFAULT_USER_FILTER, groupFilter: DEFAULT_GROUP_FILTER, pageSize: DEFAULT_PAGE_SIZE, maxPageSize: 1000,
  });
  if (!settings) return undefined;
  problems.throwIfAny();
  return settings;
}
