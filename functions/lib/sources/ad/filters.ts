/**
 * Search filters, built as ldapts Filter objects rather than strings: an objectGUID goes on the
 * wire as its raw 16 bytes (ldapts' string parser corrupts escaped bytes >= 0x80, ldapts#104), and
 * operator-supplied scope filters are parsed once and combined structurally, never concatenated.
 */
import {
  AndFilter, EqualityFilter, type Filter, FilterParser, GreaterThanEqualsFilter, LessThanEqualsFilter, NotFilter, OrFilter,
} from 'ldapts';
import { AdSourceError } from './errors';
import { guidToBuffer } from './guid';

export const DEFAULT_USER_FILTER = '(&(objectCategory=person)(objectClass=user))';
export const DEFAULT_GROUP_FILTER = '(objectClass=group)';

/** Parses an operator's filter (e.g. `AD_USER_FILTER`); the error names the variable, not the text. */
export function parseFilter(text: string, variable: string): Filter {
  try {
    // ldapts closes a filter that lacks closing parentheses, guessing at what a typo meant: refuse it.
    if (!balanced(text)) throw new Error('unbalanced parentheses');
    return FilterParser.parseString(text);
  } catch (error) {
    throw new AdSourceError('invalid-input', `${variable} is not a valid LDAP filter`, { cause: error, retryable: false });
  }
}

/** Parentheses close in order and all of them (values escape theirs as \28 and \29). */
function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** `(objectGUID=<16 raw bytes>)`. */
export function guidFilter(guid: string): Filter {
  return new EqualityFilter({ attribute: 'objectGUID', value: guidToBuffer(guid) });
}

/** Any of these objectGUIDs (each as raw bytes). */
export function anyGuid(guids: string[]): Filter {
  return new OrFilter({ filters: guids.map(guidFilter) });
}

export function and(...filters: Filter[]): Filter {
  return new AndFilter({ filters });
}

/** `uSNChanged` within [from, to], both inclusive; USNs are 64-bit so they travel as decimal strings. */
export function usnRange(from: bigint, to: bigint): Filter {
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
  return and(
    new OrFilter({ filters: [new EqualityFilter({ attribute: 'objectClass', value: 'user' }), new EqualityFilter({ attribute: 'objectClass', value: 'group' })] }),
    new NotFilter({ filter: new EqualityFilter({ attribute: 'objectClass', value: 'computer' }) }),
  );
}
