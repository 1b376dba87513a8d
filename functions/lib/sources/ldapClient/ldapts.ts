/**
 * ldapts, loaded at the first LDAP connect (or the first parse of an operator's filter) instead of
 * at cold start: with node:net and node:tls it costs ~9 ms of every push and full-sync start when
 * an LDAP source (AD, OpenLDAP) is on, and most invocations of those never talk to the directory.
 * Every value from ldapts in the LDAP sources comes through here; types may be imported directly
 * (`import type`), they cost nothing.
 *
 * @example
 * const client = new (ldapts().Client)({ url });
 */
type Ldapts = typeof import('ldapts');

let loaded: Ldapts | undefined;

export function ldapts(): Ldapts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('ldapts') as Ldapts;
  return loaded;
}
