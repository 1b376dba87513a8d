/**
 * Search filters, built as ldapts Filter objects rather than strings: an objectGUID goes on the
 * wire as its raw 16 bytes (ldapts' string parser corrupts escaped bytes >= 0x80, ldapts#104), and
 * operator-supplied scope filters are parsed once and combined structurally, never concatenated.
 */
import type { Filter } from 'ldapts';
import { parseFilterText } from '../ldapClient/filterText';
import { AdSourceError } from './errors';
import { guidToBuffer } from './guid';
import { ldapts } from './ldapts';

export const DEFAULT_USER_FILTER = '(&(objectCategory=person)(objectClass=user))';
export const DEFAULT_GROUP_FILTER = '(objectClass=group)';

/** The configured user and group filters, parsed (first use, not construction: see ldapts.ts). */
export function scopeFilters(config: { userFilter: string; groupFilter: string }): { user: Filter; group: Filter } {
  return { user: parseFilter(config.userFilter, 'AD_USER_FILTER'), group: parseFilter(config.groupFilter, 'AD_GROUP_FILTER') };
}

/** Parses an operator's filter (e.g. `AD_USER_FILTER`); the error names the variable, not the text. */
export function parseFilter(text: string, variable: string): Filter {
  try {
    return parseFilterText(text);
  } catch (error) {
    throw new AdSourceError('invalid-input', `${variable} is not a valid LDAP filter`, { cause: error, retryable: false });
  }
}

/** `(objectGUID=<16 raw bytes>)`. */
export function guidFilter(guid: string): Filter {
  return new (ldapts().EqualityFilter)({ attribute: 'objectGUID', value: guidToBuffer(guid) });
}

/** Any of these objectGUIDs (each as raw bytes). */
export function anyGuid(guids: string[]): Filter {
  return new (ldapts().OrFilter)({ filters: guids.map(guidFilter) });
}

export function and(...filters: Filter[]): Filter {
  return new (ldapts().AndFilter)({ filters });
}

/** `uSNChanged` within [from, to], both inclusive; USNs are 64-bit so they travel as decimal strings. */
export function usnRange(from: bigint, to: bigint): Filter {
  const { GreaterThanEqualsFilter, LessThanEqualsFilter } = ldapts();
  return and(
    new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: from.toString() }),
    new LessThanEqualsFilter({ attribute: 'uSNChanged', value: to.toString() }),
  );
}

/**
 * Users and groups, but not computers (a computer is a `user` subclass). Deliberately wider than
 * the operator's scope: an incremental poll must also see objects that just *left* the scope
 * (moved out of the base OU, or no longer matching the filter), so the engine re-reads and drops them.
 */
export function usersAndGroups(): Filter {
  const { EqualityFilter, NotFilter, OrFilter } = ldapts();
  const objectClass = (value: string) => new EqualityFilter({ attribute: 'objectClass', value });
  return and(
    new OrFilter({ filters: [objectClass('user'), objectClass('group')] }),
    new NotFilter({ filter: objectClass('computer') }),
  );
}
