/**
 * The throwaway Samba AD DC for `*.samba.test.ts` suites: connection settings from the environment
 * (set by whoever started `/work/shared/reference/samba-ad-harness.sh`, or by `.ci/run`), and
 * fixtures written over LDAP as Administrator.
 *
 *   AD_TEST_URL        ldap://127.0.0.1 (required: suites skip without it)
 *   AD_TEST_BIND_DN    default Administrator@example.test
 *   AD_TEST_PASSWORD   default Passw0rd!Test
 *   AD_TEST_BASE_DN    default DC=example,DC=test
 *   AD_TEST_CA         default /tmp/samba-ad-test/private/tls/ca.pem (for the LDAPS/StartTLS cases)
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Attribute, Change, Client, Control } from 'ldapts';
import { guidToString } from '../../functions/lib/sources/ad/guid';
import type { AdSourceConfig } from '../../functions/lib/sources/ad/config';

export const adTestUrl = process.env.AD_TEST_URL;
export const AD_NC = process.env.AD_TEST_BASE_DN ?? 'DC=example,DC=test';
const BIND_DN = process.env.AD_TEST_BIND_DN ?? 'Administrator@example.test';
const PASSWORD = process.env.AD_TEST_PASSWORD ?? 'Passw0rd!Test';
const CA_PATH = process.env.AD_TEST_CA ?? '/tmp/samba-ad-test/private/tls/ca.pem';

/** The harness runs Samba with `ldap server require strong auth=no`, so plain LDAP is allowed here. */
export function adTestConfig(overrides: Partial<AdSourceConfig> = {}): AdSourceConfig {
  return {
    url: adTestUrl ?? 'ldap://127.0.0.1', transport: 'plain', bindDn: BIND_DN, bindPassword: PASSWORD, baseDn: AD_NC,
    userFilter: '(&(objectCategory=person)(objectClass=user))', groupFilter: '(objectClass=group)',
    timeoutMs: 10_000, pageSize: 7, ...overrides,
  };
}

export function adTestCa(): string | undefined {
  return existsSync(CA_PATH) ? readFileSync(CA_PATH, 'utf8') : undefined;
}

const LOCK_DIR = process.env.AD_TEST_LOCK ?? '/tmp/samba-ad-test.lock';
/** How long `open()` waits for the DC: a suite holding it whole (the local-stack one builds bundles) takes a while. */
const LOCK_WAIT_MS = 170_000;
/** For the hooks that call `SambaAdFixtures.open()`: jest's default 30 s is shorter than the wait. */
export const AD_HOOK_TIMEOUT_MS = LOCK_WAIT_MS + 60_000;

/**
 * One test at a time on the DC, across jest workers: an incremental poll searches the whole naming
 * context, so another suite's writes (or its tree delete) would show up in it. A lock left by a
 * process that died is taken over.
 */
async function lockDc(): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(`${LOCK_DIR}/pid`, String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(`${LOCK_DIR}/pid`, { encoding: 'utf8', flag: 'a+' }) || NaN);
      if (Number.isInteger(owner) && !isAlive(owner)) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`the Samba DC stayed locked by pid ${owner} (${LOCK_DIR})`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes fixtures as Administrator. Every test works under its own fresh OU and holds the DC's
 * test lock from `open()` to `close()`, so tests never see each other's writes.
 */
export class SambaAdFixtures {
  /** objectGUIDs of what this fixture created, to tell its objects from anyone else's. */
  readonly created = new Set<string>();

  private constructor(private readonly client: Client, readonly ou: string, private readonly tag: string, private readonly unlock: () => void) {}

  /** sAMAccountName is unique in the whole domain: suffix the suite's tag (and stay within 20 characters). */
  accountName(cn: string): string {
    return `${cn.slice(0, 13)}-${this.tag}`;
  }

  static async open(): Promise<SambaAdFixtures> {
    const unlock = await lockDc();
    try {
      const client = new Client({ url: adTestUrl ?? 'ldap://127.0.0.1', timeout: 10_000 });
      await client.bind(BIND_DN, PASSWORD);
      const tag = randomUUID().slice(0, 6);
      const ou = `OU=t${tag},${AD_NC}`;
      await client.add(ou, { objectClass: ['top', 'organizationalUnit'] });
      return new SambaAdFixtures(client, ou, tag, unlock);
    } catch (error) {
      unlock();
      throw error;
    }
  }

  async addOu(name: string, parent = this.ou): Promise<string> {
    const dn = `OU=${name},${parent}`;
    await this.client.add(dn, { objectClass: ['top', 'organizationalUnit'] });
    return dn;
  }

  /** A user without a password: Samba makes it 546 (disabled + PASSWD_NOTREQD); pass uac 512 to enable. */
  async addUser(cn: string, attributes: Record<string, string | string[]> = {}, parent = this.ou): Promise<{ dn: string; guid: string }> {
    const dn = `CN=${cn},${parent}`;
    await this.client.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: this.accountName(cn), ...attributes });
    return { dn, guid: await this.guidOf(dn) };
  }

  /**
   * An enabled account with a password and no privileges (Domain Users only): a least-privilege bind
   * account. Passwords can only be set over an encrypted connection, so this one write uses LDAPS.
   */
  async addBindAccount(cn: string, password: string): Promise<{ dn: string; bindDn: string }> {
    const { dn } = await this.addUser(cn);
    const tls = new Client({ url: (adTestUrl ?? 'ldap://127.0.0.1').replace(/^ldap:\/\/([^:/]+).*$/, 'ldaps://$1:636'), timeout: 10_000, tlsOptions: { ca: adTestCa(), servername: 'dc1.example.test' } });
    try {
      await tls.bind(BIND_DN, PASSWORD);
      await tls.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }) }));
      await tls.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['512'] }) }));
    } finally {
      await tls.unbind();
    }
    return { dn, bindDn: dn };
  }

  async addGroup(cn: string, members: string[] = []): Promise<{ dn: string; guid: string }> {
    const dn = `CN=${cn},${this.ou}`;
    await this.client.add(dn, { objectClass: ['top', 'group'], sAMAccountName: this.accountName(cn), ...(members.length ? { member: members } : {}) });
    return { dn, guid: await this.guidOf(dn) };
  }

  async replace(dn: string, type: string, values: string[]): Promise<void> {
    await this.client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type, values }) }));
  }

  async addValue(dn: string, type: string, value: string): Promise<void> {
    await this.client.modify(dn, new Change({ operation: 'add', modification: new Attribute({ type, values: [value] }) }));
  }

  async removeValue(dn: string, type: string, value: string): Promise<void> {
    await this.client.modify(dn, new Change({ operation: 'delete', modification: new Attribute({ type, values: [value] }) }));
  }

  async rename(dn: string, newDn: string): Promise<void> {
    await this.client.modifyDN(dn, newDn);
  }

  async remove(dn: string): Promise<void> {
    await this.client.del(dn);
  }

  async guidOf(dn: string): Promise<string> {
    const { searchEntries } = await this.client.search(dn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    const bytes = searchEntries[0]?.objectGUID;
    if (!Buffer.isBuffer(bytes)) throw new Error(`no objectGUID for fixture ${dn}`);
    const guid = guidToString(bytes);
    this.created.add(guid);
    return guid;
  }

  /** The raw rootDSE value, for tests that compare against what the DC says. */
  async rootDse(attribute: string): Promise<string> {
    const { searchEntries } = await this.client.search('', { scope: 'base', attributes: [attribute] });
    return String(searchEntries[0]?.[attribute]);
  }

  /** Removes the suite's OU with everything under it (tree delete), then disconnects. */
  async close(): Promise<void> {
    try {
      await this.client.del(this.ou, new Control('1.2.840.113556.1.4.805', { critical: true }));
    } finally {
      await this.client.unbind().finally(this.unlock);
    }
  }
}
