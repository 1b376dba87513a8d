/**
 * People → the RAM users they should have: scope, names, display names, groups, and deterministic,
 * reported resolution of name collisions. Pure: the same input (in any order) gives the same output.
 *
 * userName, per person: each `rules.userName` template in order, then the source id, each passed
 * through {@link usableUserName} (lowercase, RAM's alphabet, no letter silently lost); the first that
 * survives wins. The last resort is `u-<first 12 hex of sha256(externalId)>`.
 * So `张伟` with no email becomes their source id (`zhangwei01`, or `u-…` if that too is Chinese).
 *
 * Collisions (names compare case-insensitively; all ours are lowercase):
 * 1. A RAM user already holding the name with the person's own externalId keeps it.
 * 2. A name held by any other RAM user (console-made, or another externalId) is never taken.
 * 3. Among people wanting a free name, the lowest externalId (plain string order) wins.
 * Every loser gets `<base>-<6 hex of sha256(externalId)>` (base cut to fit 64), the hash extended
 * if even that is taken. Each contested name yields one {@link NameConflict}.
 */
import { createHash } from 'node:crypto';
import type { Department, DesiredUser, Identity, RamUser } from './model';
import { externalIdOf, parseExternalId } from './model';
import type { MappingRules } from './rules';
import { RAM_USER_NAME_MAX, sanitizeDisplayName, usableUserName } from './names';
import { compareStrings, compileGroupRules, compileScope, indexDepartments } from './scope';
import { compileTemplate } from './template';

export interface NameConflict {
  /** The name several wanted. */
  userName: string;
  /** externalId that keeps it; `ram-user:<SCIM id>` for a RAM user without externalId (console-made). */
  holder: string;
  renamed: { externalId: string; userName: string }[];
  /** Plain words, e.g. 'held by the existing RAM user' / 'lowest externalId'. */
  reason: string;
}

export interface MappingResult {
  /** Sorted by externalId. */
  desired: DesiredUser[];
  /** Sorted by userName. */
  conflicts: NameConflict[];
  /** People the scope rules leave out; they are absent from `desired`, so the planner treats them as gone. */
  outOfScope: number;
}

export const CONFLICT_REASON = {
  ownUser: 'held by the existing RAM user',
  consoleUser: 'held by a RAM user without externalId (made outside this sync)',
  otherUser: 'held by the RAM user of another person',
  foreignUser: 'held by a RAM user with an externalId this sync does not manage',
  lowestExternalId: 'lowest externalId',
} as const;

const LOSER_HASH_HEX = 6;
const FALLBACK_HASH_HEX = 12;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Candidate {
  identity: Identity;
  externalId: string;
  wanted: string;
  /** Undefined when no displayName template gave anything: the final userName stands in. */
  displayName: string | undefined;
  groups: string[];
}

/**
 * Map people to the RAM users they should have. `actual` are the current RAM users (ours and
 * console-made). Throws `TemplateError` when a template in `rules` is invalid.
 *
 * @example
 * const { desired, conflicts, outOfScope } = mapIdentities({ identities, departments, rules, actual });
 */
export function mapIdentities(input: {
  identities: Iterable<Identity>;
  departments?: Iterable<Department>;
  rules: MappingRules;
  actual: Iterable<RamUser>;
}): MappingResult {
  const { rules } = input;
  const userNameTemplates = rules.userName.map(compileTemplate);
  const displayNameTemplates = rules.displayName.map(compileTemplate);
  const index = indexDepartments(input.departments ?? []);
  const inScope = compileScope(rules.scope, index);
  const groupsOf = compileGroupRules(rules.groups, index);

  const wantedName = (identity: Identity, externalId: string): string => {
    for (const apply of userNameTemplates) {
      const name = usableUserName(apply(identity));
      if (name !== undefined) return name;
    }
    return usableUserName(identity.sourceId) ?? `u-${sha256Hex(externalId).slice(0, FALLBACK_HASH_HEX)}`;
  };
  const wantedDisplayName = (identity: Identity): string | undefined => {
    for (const apply of displayNameTemplates) {
      const name = sanitizeDisplayName(apply(identity));
      if (name !== undefined) return name;
    }
    return undefined;
  };

  let outOfScope = 0;
  const candidates: Candidate[] = [];
  for (const { externalId, identity } of uniqueByExternalId(input.identities)) {
    if (!inScope(identity)) {
      outOfScope += 1;
      continue;
    }
    candidates.push({
      identity,
      externalId,
      wanted: wantedName(identity, externalId),
      displayName: wantedDisplayName(identity),
      groups: groupsOf(identity),
    });
  }

  const { names, conflicts } = resolveNames(candidates, input.actual);
  const desired = candidates.map((c): DesiredUser => {
    const userName = names.get(c.externalId) ?? c.wanted;
    return {
      externalId: c.externalId,
      source: c.identity.source,
      sourceId: c.identity.sourceId,
      userName,
      displayName: c.displayName ?? userName,
      status: c.identity.status,
      groups: c.groups,
    };
  });
  return { desired, conflicts, outOfScope };
}

/**
 * One identity per externalId, sorted by externalId. A source that lists a person twice (DingTalk
 * lists per department) must not make the result depend on which copy came last: the copy with the
 * smallest canonical form wins. Sorting (needed anyway) finds the duplicates without a 100k-entry map.
 */
function uniqueByExternalId(identities: Iterable<Identity>): { externalId: string; identity: Identity }[] {
  const all: { externalId: string; identity: Identity }[] = [];
  for (const identity of identities) all.push({ externalId: externalIdOf(identity.source, identity.sourceId), identity });
  all.sort((a, b) => compareStrings(a.externalId, b.externalId));
  const unique: typeof all = [];
  for (const entry of all) {
    const last = unique[unique.length - 1];
    if (last === undefined || last.externalId !== entry.externalId) unique.push(entry);
    else if (compareStrings(canonical(entry.identity), canonical(last.identity)) < 0) last.identity = entry.identity;
  }
  return unique;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b)))
      : v);
}

/** `<base>-<hex>`, with the base cut (and its trailing separators dropped) so the whole fits 64. */
function suffixed(base: string, suffix: string): string {
  const room = RAM_USER_NAME_MAX - 1 - suffix.length;
  const cut = base.length > room ? base.slice(0, room).replace(/[._-]+$/, '') : base;
  return `${cut === '' ? 'u' : cut}-${suffix}`;
}

/**
 * Final names for candidates sorted by externalId: externalId → userName for everyone whose name
 * differs from the one they wanted, and one conflict per contested name.
 */
function resolveNames(
  candidates: readonly Candidate[],
  actual: Iterable<RamUser>,
): { names: Map<string, string>; conflicts: NameConflict[] } {
  // RAM forbids two users with one name (case-insensitively); should a listing still hold two, the
  // smaller SCIM id is taken as the holder so the outcome stays independent of listing order.
  const held = new Map<string, RamUser>();
  for (const user of actual) {
    const key = user.userName.toLowerCase();
    const seen = held.get(key);
    if (seen === undefined || compareStrings(user.id, seen.id) < 0) held.set(key, user);
  }

  // Most names are wanted by one person: keep the first (lowest externalId) apart and allocate a
  // list only for the contested ones, which keeps 100,000 people cheap.
  const firstFor = new Map<string, Candidate>();
  const othersFor = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (!firstFor.has(c.wanted)) {
      firstFor.set(c.wanted, c);
      continue;
    }
    const others = othersFor.get(c.wanted);
    if (others) others.push(c);
    else othersFor.set(c.wanted, [c]);
  }

  const suffixedNames = new Map<string, string>(); // userName → externalId, losers' new names only
  const losers: { candidate: Candidate; conflict: NameConflict }[] = [];
  const conflicts: NameConflict[] = [];
  const lose = (conflict: NameConflict, group: readonly Candidate[]): void => {
    conflicts.push(conflict);
    for (const candidate of group) losers.push({ candidate, conflict });
  };

  for (const [name, first] of firstFor) {
    const others = othersFor.get(name);
    const holder = held.get(name);
    if (holder === undefined) {
      if (others) lose({ userName: name, holder: first.externalId, renamed: [], reason: CONFLICT_REASON.lowestExternalId }, others);
      continue;
    }
    const group = others ? [first, ...others] : [first];
    const owner = group.find((c) => c.externalId === holder.externalId);
    if (owner === undefined) {
      lose({ userName: name, holder: holderLabel(holder), renamed: [], reason: foreignReason(holder) }, group);
      continue;
    }
    const rest = group.filter((c) => c !== owner);
    if (rest.length > 0) lose({ userName: name, holder: owner.externalId, renamed: [], reason: CONFLICT_REASON.ownUser }, rest);
  }

  // A name is taken when a RAM user of someone else holds it, when it is the free name a winner
  // keeps (every wanted name not held in RAM goes to its first, lowest-externalId, candidate), or
  // when an earlier loser got it.
  const isTaken = (name: string, externalId: string): boolean => {
    const holder = held.get(name);
    if (holder !== undefined) return holder.externalId !== externalId;
    const winner = firstFor.get(name);
    if (winner !== undefined && winner.externalId !== externalId) return true;
    const loser = suffixedNames.get(name);
    return loser !== undefined && loser !== externalId;
  };

  const names = new Map<string, string>();
  losers.sort((a, b) => compareStrings(a.candidate.externalId, b.candidate.externalId));
  for (const { candidate, conflict } of losers) {
    const name = freeSuffixedName(candidate, isTaken);
    suffixedNames.set(name, candidate.externalId);
    names.set(candidate.externalId, name);
    conflict.renamed.push({ externalId: candidate.externalId, userName: name });
  }
  conflicts.sort((a, b) => compareStrings(a.userName, b.userName));
  return { names, conflicts };
}

function freeSuffixedName(candidate: Candidate, isTaken: (name: string, externalId: string) => boolean): string {
  const hash = sha256Hex(candidate.externalId);
  // Longer hash prefixes first; past the room a 64-char name allows, a counter guarantees an end.
  for (let length = LOSER_HASH_HEX; length <= RAM_USER_NAME_MAX - 2; length += 1) {
    const name = suffixed(candidate.wanted, hash.slice(0, length));
    if (!isTaken(name, candidate.externalId)) return name;
  }
  for (let n = 2; ; n += 1) {
    const name = suffixed(candidate.wanted, `${hash.slice(0, LOSER_HASH_HEX)}-${n}`);
    if (!isTaken(name, candidate.externalId)) return name;
  }
}

function holderLabel(user: RamUser): string {
  return user.externalId || `ram-user:${user.id}`;
}

function foreignReason(holder: RamUser): string {
  if (!holder.externalId) return CONFLICT_REASON.consoleUser;
  if (parseExternalId(holder.externalId) === undefined) return CONFLICT_REASON.foreignUser;
  // Ours, but its person wants another name, or is gone / out of scope: still not taken, so a name
  // never moves between two people within one plan (the apply order would matter otherwise).
  return CONFLICT_REASON.otherUser;
}
