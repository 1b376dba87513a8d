/**
 * Group membership for the poller, read from the groups: adding someone to a group changes the
 * group's entryCSN, not the member's (memberof's own writes set no operational attributes,
 * idp.md §3.5). The snapshot logic (who joined, who left, renamed and deleted groups) is AD's,
 * which is directory-neutral (../ad/groupSnapshots.ts); what differs is how a member is named:
 *
 * | objectClass          | attribute      | value                                  |
 * | groupOfNames         | `member`       | a DN                                   |
 * | groupOfUniqueNames   | `uniqueMember` | a DN, optionally `#'0101'B` after it    |
 * | posixGroup           | `memberUid`    | a uid, not a DN                        |
 *
 * Every value is resolved to the entryUUID of a user (LDAP_USER_FILTER) anywhere in the naming
 * context; a value that resolves to nothing (a deleted person still listed, without refint) is left
 * out: the person's deletion is seen on its own.
 */
import type { Client, Entry } from 'ldapts';
import { entryUuidOf, escapeFilterValue, searchAll, values } from './entryListing';

export { GroupSnapshots, type GroupSnapshot, memberChanges, snapshotOf } from '../ad/groupSnapshots';

export const MEMBER_ATTRIBUTES = ['member', 'uniqueMember', 'memberUid'];

/** How many values one resolving search names (one OR filter). */
const BATCH = 100;

export interface MemberReferences {
  dns: string[];
  uids: string[];
}

/** The members a group entry names, by DN and by uid. */
export function memberReferences(group: Entry): MemberReferences {
  const dns = [
    ...values(group, 'member'),
    // Name-and-optional-UID: `DN#'0101'B`; a `#` inside a DN is escaped, so the last one is the separator.
    ...values(group, 'uniqueMember').map((v) => v.replace(/#'[01]*'B$/, '')),
  ].filter((dn) => dn.trim() !== '');
  return { dns: [...new Set(dns)], uids: [...new Set(values(group, 'memberUid'))] };
}

export interface ResolveOptions {
  /** Where members are looked up: the naming context (a member outside the base is still a member). */
  base: string;
  userFilter: string;
  pageSize: number;
}

/** entryUUIDs of the users the references name (100 values a search). */
export async function resolveMembers(client: Client, refs: MemberReferences, options: ResolveOptions): Promise<string[]> {
  const found = new Set<string>();
  const lookups: string[] = [
    ...chunks(refs.dns, BATCH).map((dns) => dns.map((dn) => `(entryDN=${escapeFilterValue(dn)})`).join('')),
    ...chunks(refs.uids, BATCH).map((uids) => uids.map((uid) => `(uid=${escapeFilterValue(uid)})`).join('')),
  ];
  for (const any of lookups) {
    const entries = await searchAll(client, 'resolving group members', options.base, {
      filter: `(&${options.userFilter}(|${any}))`, attributes: ['entryUUID'], pageSize: options.pageSize,
    });
    for (const entry of entries) found.add(entryUuidOf(entry));
  }
  return [...found];
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
