/**
 * Connecting and binding, shared by the LDAP sources; a failed bind becomes a sentence an operator
 * can act on, naming the source's variables (`AD_BIND_DN`, `LDAP_TLS_CA`, …) and never the password.
 */
import type { Client } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { ldapts } from './ldapts';
import type { LdapConnectionSettings } from './settings';

export type BindFailureKind = 'invalid-credentials' | 'strong-auth-required' | 'unreachable';

/** How a source names itself in bind failures: its variables' prefix and its server ("the DC"). */
export interface BindWording {
  prefix: string;
  server: string;
}

/**
 * A connected, bound client; on failure `fail` builds the source's own error from the kind and sentence.
 *
 * @example
 * const client = await openBoundClient(config, { prefix: 'LDAP', server: 'the LDAP server' }, (kind, message, cause) => new LdapSourceError(kind, message, { cause }));
 */
export async function openBoundClient(
  settings: LdapConnectionSettings, wording: BindWording, fail: (kind: BindFailureKind, message: string, cause: unknown) => Error,
): Promise<Client> {
  const tlsOptions: ConnectionOptions = {};
  if (settings.tlsCa) tlsOptions.ca = settings.tlsCa;
  if (settings.tlsServerName) tlsOptions.servername = settings.tlsServerName;
  const client = new (ldapts().Client)({
    url: settings.url, timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs,
    tlsOptions: settings.transport === 'ldaps' ? tlsOptions : undefined,
  });
  try {
    if (settings.transport === 'starttls') await client.startTLS(tlsOptions);
    await client.bind(settings.bindDn, settings.bindPassword);
    return client;
  } catch (error) {
    await client.unbind().catch(() => undefined);
    const { kind, message } = bindFailure(error, settings.url, wording);
    throw fail(kind, message, error);
  }
}

function bindFailure(error: unknown, url: string, { prefix, server }: BindWording): { kind: BindFailureKind; message: string } {
  const where = `binding to ${server} at ${url} as ${prefix}_BIND_DN`;
  const { InvalidCredentialsError, StrongAuthRequiredError, ConfidentialityRequiredError } = ldapts();
  if (error instanceof InvalidCredentialsError) {
    return { kind: 'invalid-credentials', message: `${where} failed: wrong ${prefix}_BIND_DN or ${prefix}_BIND_PASSWORD (or the account is locked or disabled)` };
  }
  if (error instanceof StrongAuthRequiredError || error instanceof ConfidentialityRequiredError) {
    return {
      kind: 'strong-auth-required',
      message: `${where} failed: ${server} requires transport encryption; use ldaps:// or ldap:// with StartTLS (unset ${prefix}_ALLOW_PLAIN_LDAP)`,
    };
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = code ?? (error instanceof Error ? error.name : 'unknown error');
  return {
    kind: 'unreachable',
    message: `${where} failed: ${server} could not be reached or the TLS handshake failed (${detail}); check ${prefix}_URL, ${prefix}_TLS_CA and the network path`,
  };
}
