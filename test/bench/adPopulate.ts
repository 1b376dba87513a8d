/**
 * The AD bench's own OU, `OU=bench-<N>,<NC>`: N users and a few groups, created once and then
 * reused. Adding 10,000 users over LDAP takes minutes, so a second `npm run bench` only counts
 * what is there and adds what is missing (which also resumes an interrupted population).
 *
 * Names carry N (`b<N>u<i>`, `b<N>g<j>`): sAMAccountName is unique in the whole domain, at most
 * 20 characters, and OUs for different N must not collide.
 */
import { AlreadyExistsError, type Client } from 'ldapts';
import { openAdClient } from '../../functions/lib/sources/ad/connection';
import { AD_NC, adTestConfig } from '../support/sambaAd';

export const BENCH_GROUPS = 20;
export const MEMBERS_PER_GROUP = 50;
/** Samba runs as one process here, so more connections only pipeline requests; a few are enough. */
const CONNECTIONS = 4;

export interface BenchOu {
  dn: string;
  /** DN of user i, for i in [0, N). */
  userDn: (i: number) => string;
  usersCreated: number;
  groupsCreated: number;
  populateMs: number;
}

export type Progress = (line: string) => void;

export async function ensureBenchOu(n: number, progress: Progress): Promise<BenchOu> {
  const dn = `OU=bench-${n},${AD_NC}`;
  const userDn = (i: number) => `CN=u${i},${dn}`;
  const started = performance.now();
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => openAdClient(adTestConfig())));
  try {
    const [admin] = clients as [Client];
    await addIfAbsent(admin, dn, { objectClass: ['top', 'organizationalUnit'] });

    const users = await childNames(admin, dn, '(&(objectCategory=person)(objectClass=user))');
    const missingUsers = range(n).filter((i) => !users.has(`u${i}`));
    progress(`OU ${dn}: ${users.size} users present, ${missingUsers.length} to add`);
    await addConcurrently(clients, missingUsers, (i) => [userDn(i), userAttributes(n, i)], 'users', progress);

    const groups = await childNames(admin, dn, '(objectClass=group)');
    const missingGroups = range(BENCH_GROUPS).filter((j) => !groups.has(`g${j}`));
    await addConcurrently(clients, missingGroups, (j) => [`CN=g${j},${dn}`, {
      objectClass: ['top', 'group'], sAMAccountName: `b${n}g${j}`, description: `bench group ${j}`,
      member: groupMembers(n, j).map(userDn),
    }], 'groups', progress);

    return { dn, userDn, usersCreated: missingUsers.length, groupsCreated: missingGroups.length, populateMs: performance.now() - started };
  } finally {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
  }
}

/** Enabled (512) and filled like a real directory entry, so listing reads realistic entries. No password: adds stay fast. */
function userAttributes(n: number, i: number): Record<string, string | string[]> {
  const account = `b${n}u${i}`;
  return {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    sAMAccountName: account, userPrincipalName: `${account}@example.test`, userAccountControl: '512',
    givenName: 'Bench', sn: `User ${i}`, displayName: `Bench User ${i}`, mail: `${account}@example.test`,
    title: 'Engineer', department: `Department ${i % BENCH_GROUPS}`, employeeID: String(100000 + i),
    telephoneNumber: `+86 10 ${String(i).padStart(8, '0')}`,
  };
}

/** Group j holds users j, j+20, j+40, …: spread over the OU, each user in at most one group (for N >= 1000). */
function groupMembers(n: number, j: number): number[] {
  return [...new Set(range(MEMBERS_PER_GROUP).map((k) => (j + k * BENCH_GROUPS) % n))];
}

async function addConcurrently(
  clients: Client[], indices: number[], entry: (i: number) => [string, Record<string, string | string[]>], what: string, progress: Progress,
): Promise<void> {
  if (indices.length === 0) return;
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async (client: Client) => {
    for (let k = next++; k < indices.length; k = next++) {
      const [dn, attributes] = entry(indices[k]!);
      await addIfAbsent(client, dn, attributes);
      if (++done % 500 === 0 || done === indices.length) {
        const perSecond = done / ((performance.now() - started) / 1000);
        progress(`  ${what}: ${done}/${indices.length} added (${perSecond.toFixed(0)}/s)`);
      }
    }
  };
  await Promise.all(clients.map(worker));
}

async function addIfAbsent(client: Client, dn: string, attributes: Record<string, string | string[]>): Promise<void> {
  try {
    await client.add(dn, attributes);
  } catch (error) {
    // A previous run may have been interrupted between adding an entry and counting it.
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
}

/** The CNs of the OU's direct children matching the filter, read with a paged search. */
async function childNames(client: Client, ou: string, filter: string): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const page of client.searchPaginated(ou, { scope: 'one', filter, attributes: ['cn'], paged: { pageSize: 1000 } })) {
    for (const entry of page.searchEntries) names.add(String(entry.cn));
  }
  return names;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
