/**
 * The AD source's one error type. Messages name the operation and the DC, never a password or an
 * attribute value (directories are full of emails and mobile numbers).
 */

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

export class AdSourceError extends Error {
  override readonly name = 'AdSourceError';
  readonly kind: AdErrorKind;
  /** Whether trying again later may succeed (network trouble), as opposed to a setting to fix. */
  readonly retryable: boolean;

  constructor(kind: AdErrorKind, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.retryable = options.retryable ?? (kind === 'unreachable' || kind === 'ldap');
  }
}
