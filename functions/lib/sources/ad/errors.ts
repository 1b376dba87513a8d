/**
 * The AD source's one error type. Messages name the operation and the DC, never a password or an
 * attribute value (directories are full of emails and mobile numbers).
 */
import { LdapFamilyError, type LdapErrorOptions } from '../ldapClient/errors';

export type AdErrorKind =
  /** The bind name or password is wrong (LDAP 49). */
  | 'invalid-credentials'
  /** The DC refuses a simple bind over plain LDAP (LDAP 8): use LDAPS or StartTLS. */
  | 'strong-auth-required'
  /** The DC cannot be reached, or the TLS handshake failed. */
  | 'unreachable'
  /** The bind account cannot read the Deleted Objects container: deletions would go unseen. */
  | 'deleted-objects-unreadable'
  /** A malformed objectGUID, filter or DN. */
  | 'invalid-input'
  /** Anything else the DC answered with. */
  | 'ldap';

/** What an operator does about each kind; the message says which value or entry was wrong. */
const ACTIONS: Partial<Record<AdErrorKind, string>> = {
  'invalid-credentials': 'correct AD_BIND_DN or AD_BIND_PASSWORD, or unlock or enable the bind account',
  'strong-auth-required': 'use ldaps:// or ldap:// with StartTLS in AD_URL (unset AD_ALLOW_PLAIN_LDAP)',
  unreachable: 'check AD_URL, AD_TLS_CA and the network path from the function to the DC',
  'deleted-objects-unreadable':
    'grant the bind account List Contents and Read Property on CN=Deleted Objects (README, Active Directory)',
};

export class AdSourceError extends LdapFamilyError<AdErrorKind> {
  constructor(kind: AdErrorKind, message: string, options: LdapErrorOptions = {}) {
    super('AD', ACTIONS, kind, message, options);
  }
}
