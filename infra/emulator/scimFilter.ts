/**
 * The SCIM filter subset RAM supports: `eq` joined by `and`, on `id`, `userName` and `externalId`,
 * with quoted values. Everything else (`or`, `not`, `co`, `sw`, `pr`, grouping, other attributes,
 * unquoted values) is refused, so a client relying on more fails here as it would against RAM.
 *
 * @example parseScimFilter('userName eq "alice" and externalId eq "ad:5f1c"')
 */
import type { StoredUser } from './store';

export class ScimFilterError extends Error {
  override readonly name = 'ScimFilterError';
}

const ATTRIBUTES = { id: 'id', username: 'userName', externalid: 'externalId' } as const;
type FilterAttribute = (typeof ATTRIBUTES)[keyof typeof ATTRIBUTES];

export interface FilterTerm {
  attribute: FilterAttribute;
  value: string;
}

/** A conjunction of `attribute eq "value"` terms. */
export type ScimFilter = FilterTerm[];

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new ScimFilterError('unterminated string in filter');
      try {
        tokens.push({ kind: 'string', text: JSON.parse(text.slice(i, j + 1)) as string });
      } catch (cause) {
        throw new ScimFilterError('malformed string in filter', { cause });
      }
      i = j + 1;
    } else if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      throw new ScimFilterError('grouping is not supported; only eq and and');
    } else {
      const word = /^[^\s"()[\]]+/.exec(text.slice(i))?.[0] ?? ch;
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    }
  }
  return tokens;
}

export function parseScimFilter(text: string): ScimFilter {
  const tokens = tokenize(text);
  const terms: ScimFilter = [];
  let i = 0;
  for (;;) {
    const [attr, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (attr?.kind !== 'word') throw new ScimFilterError('expected an attribute name');
    const attribute = ATTRIBUTES[attr.text.toLowerCase() as keyof typeof ATTRIBUTES];
    if (!attribute) throw new ScimFilterError(`filtering on "${attr.text}" is not supported`);
    if (op?.kind !== 'word' || op.text.toLowerCase() !== 'eq') {
      throw new ScimFilterError('only the eq operator is supported');
    }
    if (value?.kind !== 'string') throw new ScimFilterError('the compared value must be a quoted string');
    terms.push({ attribute, value: value.text });
    i += 3;
    const next = tokens[i];
    if (next === undefined) return terms;
    if (next.kind !== 'word' || next.text.toLowerCase() !== 'and') {
      throw new ScimFilterError('only the and logical operator is supported');
    }
    i++;
  }
}

/** The store's lookups by each filterable attribute (all three are unique and indexed). */
export interface UsersByAttribute {
  userById(id: string): StoredUser | undefined;
  userByName(userName: string): StoredUser | undefined;
  userByExternalId(externalId: string): StoredUser | undefined;
}

/**
 * The users a filter selects, found through the index of its first term rather than by scanning:
 * every term names a unique attribute, so there is at most one, and it must match the other terms.
 */
export function usersMatchingScimFilter(filter: ScimFilter, users: UsersByAttribute): StoredUser[] {
  const [first] = filter;
  if (!first) throw new ScimFilterError('expected an attribute name'); // parseScimFilter never returns none
  const lookup = { id: users.userById, userName: users.userByName, externalId: users.userByExternalId }[first.attribute];
  const candidate = lookup.call(users, first.value);
  return candidate && matchesScimFilter(filter, candidate) ? [candidate] : [];
}

/** userName compares case-insensitively (RAM names are); id and externalId exactly. */
export function matchesScimFilter(filter: ScimFilter, user: StoredUser): boolean {
  return filter.every((term) => {
    if (term.attribute === 'userName') return user.userName.toLowerCase() === term.value.toLowerCase();
    return user[term.attribute] === term.value;
  });
}
