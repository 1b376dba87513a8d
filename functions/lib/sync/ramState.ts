/**
 * Reads what RAM holds now, with as few calls as RAM allows: the user listing pages, and for group
 * rules the groups and the members of the mapped groups only (never one call per user).
 */
import type { RamGroup, RamUser } from '../core/model';
import type { RamTarget } from '../core/ports';
import type { GroupRule } from '../core/rules';

export interface RamSnapshot {
  users: RamUser[];
  groups: RamGroup[];
  /** Mapped group → lowercased member userNames. */
  members: Map<string, Set<string>>;
}

export async function readRamState(target: RamTarget, groupRules: GroupRule[]): Promise<RamSnapshot> {
  const users: RamUser[] = [];
  for await (const user of target.listUsers()) users.push(user);
  const groups: RamGroup[] = [];
  const members = new Map<string, Set<string>>();
  if (groupRules.length === 0) return { users, groups, members };

  for await (const group of target.listGroups()) groups.push(group);
  const existing = new Set(groups.map((g) => g.groupName.toLowerCase()));
  for (const name of new Set(groupRules.map((r) => r.group))) {
    const set = new Set<string>();
    if (existing.has(name.toLowerCase())) {
      for await (const member of target.listGroupMembers(name)) set.add(member.toLowerCase());
    }
    members.set(name, set);
  }
  return { users, groups, members };
}
