/**
 * Who is in scope and which RAM groups they belong to, by department (AD: group) with its
 * sub-departments. Rules name a department by source id or, when no id matches, by exact name.
 *
 * A department the index does not know (no listing given, or a person in a department created after
 * the listing) matches a rule by its id only: its parents are unknown.
 */
import type { Department, Identity, SourceName } from './model';
import type { GroupRule, ScopeRules } from './rules';

/** Departments of every source, built once and shared by the scope and group matchers. */
export interface DepartmentIndex {
  /** Department key (`source:id`) → its parent's key, or undefined at a root. */
  readonly parentOf: ReadonlyMap<string, string | undefined>;
  /** Source id → keys of the departments with that id (one per source that has it). */
  readonly keysById: ReadonlyMap<string, readonly string[]>;
  /** Exact name → keys of the departments with that name (names repeat across a tree). */
  readonly keysByName: ReadonlyMap<string, readonly string[]>;
}

export function departmentKey(source: SourceName, sourceId: string): string {
  return `${source}:${sourceId}`;
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Index departments by key, id and name; a repeated department keeps its last listing. */
export function indexDepartments(departments: Iterable<Department>): DepartmentIndex {
  const parentOf = new Map<string, string | undefined>();
  const nameOf = new Map<string, string>();
  for (const d of departments) {
    const key = departmentKey(d.source, d.sourceId);
    parentOf.set(key, d.parentId === undefined || d.parentId === '' ? undefined : departmentKey(d.source, d.parentId));
    nameOf.set(key, d.name);
  }
  const keysById = new Map<string, string[]>();
  const keysByName = new Map<string, string[]>();
  for (const [key, name] of nameOf) {
    push(keysById, key.slice(key.indexOf(':') + 1), key);
    push(keysByName, name, key);
  }
  return { parentOf, keysById, keysByName };
}

const EMPTY: readonly never[] = [];

/**
 * For rules `[department, value]`, a function answering the values of every rule that matches a
 * person's department or one of its ancestors. Memoised per department, so the cost is paid once
 * per department, not once per person.
 */
function compileDepartmentRules<T>(
  rules: readonly (readonly [string, T])[],
  index: DepartmentIndex,
): (source: SourceName, departmentId: string) => readonly T[] {
  const direct = new Map<string, T[]>(); // department key → values of rules naming it
  const byRawId = new Map<string, T[]>(); // rule token → values, for departments the index lacks
  for (const [token, value] of rules) {
    const keys = index.keysById.get(token) ?? index.keysByName.get(token) ?? EMPTY;
    for (const key of keys) push(direct, key, value);
    push(byRawId, token, value);
  }

  const memo = new Map<string, readonly T[]>();
  const resolve = (key: string): readonly T[] => {
    const known = memo.get(key);
    if (known) return known;
    // Walk up to the first memoised ancestor (or the root), guarding against cycles in bad data.
    const chain: string[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined = key;
    while (cursor !== undefined && !memo.has(cursor) && !seen.has(cursor) && index.parentOf.has(cursor)) {
      chain.push(cursor);
      seen.add(cursor);
      cursor = index.parentOf.get(cursor);
    }
    let inherited: readonly T[] = (cursor !== undefined ? memo.get(cursor) : undefined) ?? EMPTY;
    let end = chain.length;
    if (cursor !== undefined && seen.has(cursor)) {
      // A cycle: each member is an ancestor of every other, so all share the rules of all.
      end = chain.indexOf(cursor);
      const cycle = chain.slice(end);
      inherited = cycle.flatMap((k) => direct.get(k) ?? []);
      for (const k of cycle) memo.set(k, inherited);
    }
    for (let i = end - 1; i >= 0; i -= 1) {
      const own = direct.get(chain[i] as string);
      const values = own ? [...inherited, ...own] : inherited;
      memo.set(chain[i] as string, values);
      inherited = values;
    }
    return inherited;
  };

  return (source, departmentId) => {
    const key = departmentKey(source, departmentId);
    if (index.parentOf.has(key)) return resolve(key);
    return byRawId.get(departmentId) ?? EMPTY;
  };
}

/**
 * Whether a person is in scope: their status is listed, they sit in (or under) an included
 * department when any are listed, and in (or under) no excluded one. Exclusion wins.
 * An empty `statuses` list puts nobody in scope.
 *
 * @example
 * const inScope = compileScope({ includeDepartments: ['Engineering'], excludeDepartments: ['contractors'],
 *   statuses: ['active'] }, indexDepartments(departments));
 */
export function compileScope(rules: ScopeRules, index: DepartmentIndex): (identity: Identity) => boolean {
  const statuses = new Set<string>(rules.statuses);
  const includeAll = rules.includeDepartments.length === 0;
  const included = compileDepartmentRules(rules.includeDepartments.map((d) => [d, true] as const), index);
  const excluded = compileDepartmentRules(rules.excludeDepartments.map((d) => [d, true] as const), index);
  return (identity) => {
    if (!statuses.has(identity.status)) return false;
    let isIncluded = includeAll;
    for (const id of identity.departmentIds) {
      if (excluded(identity.source, id).length > 0) return false;
      if (!isIncluded && included(identity.source, id).length > 0) isIncluded = true;
    }
    return isIncluded;
  };
}

/**
 * The RAM groups a person should be in: every rule naming one of their departments or an ancestor,
 * deduplicated and sorted (plain string order) so plans compare equal across runs.
 *
 * @example
 * compileGroupRules([{ department: 'eng', group: 'developers' }], index)(alice) // ['developers']
 */
export function compileGroupRules(rules: GroupRule[], index: DepartmentIndex): (identity: Identity) => string[] {
  const groupsOf = compileDepartmentRules(rules.map((r) => [r.department, r.group] as const), index);
  return (identity) => {
    const groups = new Set<string>();
    for (const id of identity.departmentIds) for (const group of groupsOf(identity.source, id)) groups.add(group);
    return [...groups].sort(compareStrings);
  };
}

/** Plain UTF-16 order, independent of locale: the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
