/**
 * Who belongs to which group, indexed both ways so a join, a leave or a member listing costs the
 * size of one user's or one group's memberships, not the account's. Orders are join order, as RAM
 * lists them and as the state file keeps them: leaving and joining again moves a membership last.
 */
export interface StoredMembership {
  userId: string;
  groupId: string;
  joinDate: string;
}

export class Memberships {
  /** Every membership in join order (a Set: deleting keeps the others' order, in O(1)). */
  private readonly all = new Set<StoredMembership>();
  private readonly byUser = new Map<string, Map<string, StoredMembership>>();
  private readonly byGroup = new Map<string, Map<string, StoredMembership>>();

  add(membership: StoredMembership): void {
    this.all.add(membership);
    indexed(this.byUser, membership.userId).set(membership.groupId, membership);
    indexed(this.byGroup, membership.groupId).set(membership.userId, membership);
  }

  /** False when the user was not a member. */
  remove(userId: string, groupId: string): boolean {
    const membership = this.byUser.get(userId)?.get(groupId);
    if (!membership) return false;
    this.all.delete(membership);
    unindex(this.byUser, userId, groupId);
    unindex(this.byGroup, groupId, userId);
    return true;
  }

  has(userId: string, groupId: string): boolean {
    return this.byUser.get(userId)?.has(groupId) ?? false;
  }

  /** The user's memberships in join order (live rows: callers copy what they hand out). */
  ofUser(userId: string): readonly StoredMembership[] {
    return [...(this.byUser.get(userId)?.values() ?? [])];
  }

  /** The group's memberships in join order (live rows). */
  ofGroup(groupId: string): readonly StoredMembership[] {
    return [...(this.byGroup.get(groupId)?.values() ?? [])];
  }

  countOfUser(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  countOfGroup(groupId: string): number {
    return this.byGroup.get(groupId)?.size ?? 0;
  }

  /** Copies of every membership in join order, for the state file. */
  rows(): StoredMembership[] {
    return [...this.all].map((m) => ({ ...m }));
  }
}

function indexed(index: Map<string, Map<string, StoredMembership>>, key: string): Map<string, StoredMembership> {
  let inner = index.get(key);
  if (!inner) index.set(key, (inner = new Map()));
  return inner;
}

function unindex(index: Map<string, Map<string, StoredMembership>>, key: string, other: string): void {
  const inner = index.get(key);
  inner?.delete(other);
  if (inner?.size === 0) index.delete(key);
}
