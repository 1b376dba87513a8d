/**
 * Search filters built as ldapts Filter objects, never as text: a value (an entryUUID, a DN with
 * `*()\`, a non-ASCII uid) travels as its own octets, so nothing needs RFC 4515 escaping and nothing
 * can change a filter's meaning. Operator filters (LDAP_USER_FILTER, LDAP_GROUP_FILTER) are parsed
 * once and combined structurally.
 */
import type { Filter } from 'ldapts';
import { parseFilterText } from '../ldapClient/filterText';
import { ldapts } from '../ldapClient/ldapts';
import { LdapSourceError } from './errors';

export interface ScopeFilters {
  user: Filter;
  group: Filter;
  ou: Filter;
}

/** The configured filters, parsed (at first use, not construction: see ../ldapClient/ldapts.ts). */
export function scopeFilters(config: { userFilter: string; groupFilter: string }): ScopeFilters {
  return { user: parse(config.userFilter, 'LDAP_USER_FILTER'), group: parse(config.groupFilter, 'LDAP_GROUP_FILTER'), ou: equals('objectClass', 'organizationalUnit') };
}

function parse(text: string, variable: string): Filter {
  try {
    return parseFilterText(text);
  } catch (error) {
    throw new LdapSourceError('invalid-input', `${variable} is not a valid LDAP filter`, { cause: error, retryable: false });
  }
}

/** `(attribute=value)`, the value as its UTF-8 octets. */
export function equals(attribute: string, value: string): Filter {
  return new (ldapts().EqualityFilter)({ attribute, value });
}

export function and(...filters: Filter[]): Filter {
  return new (ldapts().AndFilter)({ filters });
}

export function or(...filters: Filter[]): Filter {
  return new (ldapts().OrFilter)({ filters });
}

/**
 * Groups naming this person by `member` (their DN: the server matches DNs by their normalised form)
 * or by `memberUid` (one of their uids). uniqueMember is matched by the caller (see LdapSource).
 */
export function namesMember(dn: string, uids: string[]): Filter {
  return or(equals('member', dn), ...uids.map((uid) => equals('memberUid', uid)));
}
