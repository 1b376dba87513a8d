/**
 * Opening a bound client to the OpenLDAP server, and the one connection a source instance shares.
 */
import type { Client, SearchOptions } from 'ldapts';
import { openBoundClient } from '../ldapClient/bind';
import { SharedConnection } from '../ldapClient/SharedConnection';
import type { LdapSourceConfig } from './config';
import { LdapSourceError } from './errors';

/**
 * A connected, bound client (StartTLS or LDAPS per LDAP_URL). Close it with `client.unbind()`.
 * A failed bind is an LdapSourceError naming the variable to fix, never the password.
 *
 * @example
 * const client = await openLdapClient(config);
 * try { … } finally { await client.unbind(); }
 */
export function openLdapClient(config: LdapSourceConfig): Promise<Client> {
  return openBoundClient(config, { prefix: 'LDAP', server: 'the LDAP server' }, (kind, message, cause) => new LdapSourceError(kind, message, { cause }));
}

export interface LdapConnectionOptions {
  open?: (config: LdapSourceConfig) => Promise<Client>;
  /** Closed after this long unused. Default 1 s. */
  idleMs?: number;
}

/**
 * One bound connection per source (or poller) instance: opened on first use, reopened once when
 * found dead, closed when idle or by `close()`.
 *
 * @example
 * const connection = ldapConnection(config);
 * const found = await connection.read((client) => search(client, 'one user', config.baseDn, options));
 */
export function ldapConnection(config: LdapSourceConfig, options: LdapConnectionOptions = {}): SharedConnection {
  const open = options.open ?? openLdapClient;
  return new SharedConnection(() => open(config), options.idleMs);
}

/** A search whose failure names the operation, never the values in the filter. */
export async function search(client: Client, what: string, base: string, options: SearchOptions) {
  try {
    return await client.search(base, options);
  } catch (error) {
    throw searchError(what, error);
  }
}

/** The LdapSourceError for a failed search or listing of `what`. */
export function searchError(what: string, error: unknown): LdapSourceError {
  if (error instanceof LdapSourceError) return error;
  return new LdapSourceError('ldap', `LDAP search for ${what} failed: ${error instanceof Error ? error.name : 'unknown error'}`, { cause: error });
}
