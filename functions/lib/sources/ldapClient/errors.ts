/**
 * The base of the LDAP sources' error types (AdSourceError, LdapSourceError): a kind, the action
 * for it, and retryable only for network trouble and unexpected server answers.
 */
import { ClassifiedError } from '../../core/errors';

export interface LdapErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

export abstract class LdapFamilyError<K extends string> extends ClassifiedError {
  readonly kind: K;
  /** Whether trying again later may succeed (network trouble), as opposed to a setting to fix. */
  readonly retryable: boolean;

  /** `source` prefixes the code (`AD invalid-credentials`); `actions` says what an operator does per kind. */
  protected constructor(source: string, actions: Partial<Record<K, string>>, kind: K, message: string, options: LdapErrorOptions) {
    super({ code: `${source} ${kind}`, reason: message, recommendedAction: actions[kind], cause: options.cause });
    this.kind = kind;
    this.retryable = options.retryable ?? (kind === 'unreachable' || kind === 'ldap');
  }
}
