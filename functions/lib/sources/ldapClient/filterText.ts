/**
 * An operator's LDAP filter (`AD_USER_FILTER`, `LDAP_GROUP_FILTER`), parsed once into an ldapts
 * Filter so it is combined structurally with ours, never concatenated as text.
 */
import type { Filter } from 'ldapts';
import { ldapts } from './ldapts';

/** Throws on a filter ldapts cannot parse, and on unbalanced parentheses, which ldapts would "repair". */
export function parseFilterText(text: string): Filter {
  // ldapts closes a filter that lacks closing parentheses, guessing at what a typo meant: refuse it.
  if (!balanced(text)) throw new Error('unbalanced parentheses');
  return ldapts().FilterParser.parseString(text);
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
