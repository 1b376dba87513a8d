/**
 * The OpenLDAP source's one error type. Messages name the operation and the server, never a password
 * or an attribute value (directories are full of emails and mobile numbers).
 */
import { LdapFamilyError, type LdapErrorOptions } from '../ldapClient/errors';

export type LdapErrorKind =
  /** The bind DN or password is wrong (LDAP 49). */
  | 'invalid-credentials'
  /** The server refuses a simple bind over plain LDAP (LDAP 8 or 13): use LDAPS or StartTLS. */
  | 'strong-auth-required'
  /** The server cannot be reached, or the TLS handshake failed. */
  | 'unreachable'
  /** A malformed filter, DN or entryUUID. */
  | 'invalid-input'
  /** An entry lacks what the source needs (entryUUID: the bind account may not read operational attributes). */
  | 'unreadable-entry'
  /** Anything else the server answered with. */
  | 'ldap';

/** What an operator does about each kind; the message says which value or entry was wrong. */
const ACTIONS: Partial<Record<LdapErrorKind, string>> = {
  'invalid-credentials': 'correct LDAP_BIND_DN or LDAP_BIND_PASSWORD, or unlock the bind account',
  'strong-auth-required': 'use ldaps:// or ldap:// with StartTLS in LDAP_URL (unset LDAP_ALLOW_PLAIN_LDAP)',
  unreachable: 'check LDAP_URL, LDAP_TLS_CA (and LDAP_TLS_SERVERNAME) and the network path from the function to the server',
  'unreadable-entry': 'let the bind account (LDAP_BIND_DN) read entryUUID and the mapped attributes under LDAP_BASE_DN (README, OpenLDAP)',
};

export class LdapSourceError extends LdapFamilyError<LdapErrorKind> {
  constructor(kind: LdapErrorKind, message: string, options: LdapErrorOptions = {}) {
    super('LDAP', ACTIONS, kind, message, options);
  }
}
