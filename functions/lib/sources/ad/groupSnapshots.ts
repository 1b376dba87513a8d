/**
 * What the poller last saw of each group: its DN and its members' objectGUIDs.
 *
 * A membership change bumps only the group's uSNChanged (`memberOf` is a back-link), and a group
 * read after the change lists only who is in it *now*. So someone removed from a group would never
 * be named, and the RAM group they left would keep them. Comparing with the last snapshot names
 * exactly who joined and who left. A renamed or moved group names everyone, old and new: what its
 * members map to (group rules by name, scope by department) may have changed. A group deleted or
 * gone out of scope names its former members.
 */
import type { StateStore } from '../../core/ports';

export interface GroupSnapshot {
  /** The group's plain DN: a change, even of case only, means it was renamed or moved (rules match names exactly). */
  dn: string;
  /** Member objectGUIDs, sorted. */
  members: string[];
}

export type MemberChangeReason = 'group-member' | 'group-member-added' | 'group-member-removed' | 'group-renamed' | 'group-deleted';

export interface MemberChange {
  sourceId: string;
  reason: MemberChangeReason;
}

/**
 * The people a group change concerns. Without a snapshot (a group the poller has not seen before)
 * every current member is named, which is always safe: the engine re-reads and converges.
 */
export function memberChanges(previous: GroupSnapshot | undefined, current: GroupSnapshot | undefined): MemberChange[] {
  if (current === undefined) return (previous?.members ?? []).map((sourceId) => ({ sourceId, reason: 'group-deleted' }));
  if (previous === undefined) return current.members.map((sourceId) => ({ sourceId, reason: 'group-member' }));
  if (previous.dn !== current.dn) {
    return [...new Set([...previous.members, ...current.members])].map((sourceId) => ({ sourceId, reason: 'group-renamed' }));
  }
  const before = new Set(previous.members);
  const now = new Set(current.members);
  return [
    ...current.members.filter((id) => !before.has(id)).map((sourceId) => ({ sourceId, reason: 'group-member-added' as const })),
    ...previous.members.filter((id) => !now.has(id)).map((sourceId) => ({ sourceId, reason: 'group-member-removed' as const })),
  ];
}

/** `<GUID=…>;<SID=…>;CN=x,OU=y` (an Extended DN) or a plain DN → `CN=x,OU=y`, as the DC spells it. */
export function plainDn(dn: string): string {
  return dn.replace(/^(<[^>]*>;)*/, '');
}

/**
 * Snapshots read from and written to the state store. Writes are staged and `save()`d by the poller
 * after the changes are published and before the watermark: a crash before `save()` repeats the
 * same differences on the next poll; a crash after it repeats the poll's USN range, whose
 * differences were already published.
 */
export class GroupSnapshots {
  private readonly staged = new Map<string, GroupSnapshot | undefined>();

  constructor(private readonly state: StateStore, private readonly prefix: string) {}

  async get(groupId: string): Promise<GroupSnapshot | undefined> {
    if (this.staged.has(groupId)) return this.staged.get(groupId);
    return this.state.get<GroupSnapshot>(this.key(groupId));
  }

  set(groupId: string, snapshot: GroupSnapshot | undefined): void {
    this.staged.set(groupId, snapshot);
  }

  /** A full resync: every group not seen in it is forgotten. */
  async forgetAllBut(seen: ReadonlySet<string>): Promise<void> {
    for (const key of await this.state.list(this.prefix)) {
      const groupId = key.slice(this.prefix.length);
      if (!seen.has(groupId)) this.staged.set(groupId, undefined);
    }
  }

  async save(): Promise<void> {
    for (const [groupId, snapshot] of this.staged) {
      if (snapshot) await this.state.put(this.key(groupId), snapshot);
      else await this.state.delete(this.key(groupId));
    }
    this.staged.clear();
  }

  private key(groupId: string): string {
    return `${this.prefix}${groupId}`;
  }
}

export function snapshotOf(dn: string, members: string[]): GroupSnapshot {
  return { dn: plainDn(dn), members: [...new Set(members)].sort() };
}
