/**
 * A plain, stably ordered picture of an emulated account for end-state comparisons. Generated ids
 * and dates are left out so two runs of one scenario (say, with and without faults) compare equal.
 */
import type { UserAttachments } from './attachments';
import type { Memberships } from './memberships';
import type { StoredGroup, StoredUser } from './store';

export interface SnapshotUser {
  userName: string;
  displayName: string;
  externalId: string | null;
  createdBy: 'scim' | 'console';
  groups: string[];
  accessKeys: string[];
  loginProfile: boolean;
  policies: string[];
  mfa: boolean;
}

export interface SnapshotGroup {
  groupName: string;
  comments: string;
  members: string[];
}

export interface EmulatorSnapshot {
  users: SnapshotUser[];
  groups: SnapshotGroup[];
}

const byLower = (a: string, b: string): number => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

export function buildSnapshot(
  users: ReadonlyMap<string, StoredUser>,
  groups: ReadonlyMap<string, StoredGroup>,
  memberships: Memberships,
  attached: UserAttachments,
): EmulatorSnapshot {
  const groupName = (id: string): string => groups.get(id)?.name ?? id;
  const userName = (id: string): string => users.get(id)?.userName ?? id;
  return {
    users: [...users.values()]
      .map((u) => ({
        userName: u.userName,
        displayName: u.displayName,
        externalId: u.externalId ?? null,
        createdBy: u.createdBy,
        groups: memberships.ofUser(u.id).map((m) => groupName(m.groupId)).sort(byLower),
        accessKeys: attached.keysOf(u.id).map((k) => k.status).sort(),
        loginProfile: attached.loginProfiles.has(u.id),
        policies: attached.policiesOf(u.id).map((p) => `${p.policyType}:${p.policyName}`).sort(),
        mfa: attached.mfaDevices.has(u.id),
      }))
      .sort((a, b) => byLower(a.userName, b.userName)),
    groups: [...groups.values()]
      .map((g) => ({
        groupName: g.name,
        comments: g.comments,
        members: memberships.ofGroup(g.id).map((m) => userName(m.userId)).sort(byLower),
      }))
      .sort((a, b) => byLower(a.groupName, b.groupName)),
  };
}
