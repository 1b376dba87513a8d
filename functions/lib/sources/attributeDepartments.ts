/**
 * Departments for directories without a department tree (Entra ID, Okta): the value of a person's
 * department attribute, and/or the groups they are a direct member of. One convention for both, so
 * scope and group rules read the same whichever directory the people live in.
 */
import type { Department, SourceName } from '../core/model';

/**
 * The id of the department a department attribute names: `dept:` + the name, trimmed, inner
 * whitespace runs made one space, case kept. Readable in scope and group rules, the same for everyone
 * who carries the name, and never a group id (Graph's are GUIDs, Okta's `00g…`, neither with a colon).
 *
 * @example
 * attributeDepartmentId('  Research  and Development ') // 'dept:Research and Development'
 */
export const ATTRIBUTE_DEPARTMENT_PREFIX = 'dept:';
export function attributeDepartmentId(name: string): string {
  return `${ATTRIBUTE_DEPARTMENT_PREFIX}${name.trim().replace(/\s+/g, ' ')}`;
}

/** The name an attribute department id stands for, or undefined for a group id. */
export function attributeDepartmentName(id: string): string | undefined {
  return id.startsWith(ATTRIBUTE_DEPARTMENT_PREFIX) ? id.slice(ATTRIBUTE_DEPARTMENT_PREFIX.length) || undefined : undefined;
}

/** An attribute department (no parent: the attribute is free text). */
export function attributeDepartment(source: SourceName, name: string): Department {
  const id = attributeDepartmentId(name);
  return { source, sourceId: id, name: attributeDepartmentName(id)! };
}

/** Every distinct department the users' attribute names, each once (the directories keep no list of them). */
export async function* attributeDepartmentsOf<U>(
  source: SourceName, users: AsyncIterable<U>, departmentOf: (user: U) => unknown,
): AsyncIterable<Department> {
  const seen = new Set<string>();
  for await (const user of users) {
    const name = departmentOf(user);
    if (typeof name !== 'string' || !name.trim()) continue;
    const found = attributeDepartment(source, name);
    if (seen.has(found.sourceId)) continue;
    seen.add(found.sourceId);
    yield found;
  }
}

/**
 * user id → the groups they are a direct member of, from one listing of every group's members: a
 * full listing reads each group once instead of each person's groups one by one.
 */
export async function membershipByUser(
  groups: AsyncIterable<{ id: string }>, membersOf: (groupId: string) => AsyncIterable<{ id: string }>,
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for await (const group of groups) {
    for await (const member of membersOf(group.id)) {
      const list = map.get(member.id) ?? [];
      if (!list.includes(group.id)) list.push(group.id);
      map.set(member.id, list);
    }
  }
  return map;
}
