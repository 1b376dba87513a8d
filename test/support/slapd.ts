/**
 * A throwaway OpenLDAP slapd for the `ldap` source and poller suites: a private slapd.conf and
 * database in a temp dir, listening on a free loopback port, seeded with the suffix and
 * `ou=People`, `ou=Groups`, and stopped (dir removed) by `stop()`. Each suite starts its own, so
 * suites never see each other's writes. Like infra/ldap/slapd-harness.sh, which does the same by hand.
 *
 * Variants: `accesslog` (deletes by `reqEntryUUID`, default on), `syncprov` (`contextCSN`, default
 * on), `memberof`, `ppolicy` (`pwdAccountLockedTime`). Without accesslog is the fallback mode the
 * poller must handle.
 *
 * Suites skip (with a printed reason) only when /usr/sbin/slapd is absent:
 *
 * @example
 * describeWithSlapd('LdapSource', () => {
 *   let slapd: Slapd;
 *   beforeAll(async () => { slapd = await startSlapd(); });
 *   afterAll(() => slapd.stop());
 *   it('…', async () => { await slapd.add(`uid=ann,${slapd.people}`, person('ann')); });
 * });
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Attribute, Change, Client } from 'ldapts';

export const SLAPD_BINARY = '/usr/sbin/slapd';
export const slapdAvailable = existsSync(SLAPD_BINARY);

/** `describe`, or `describe.skip` with the reason printed when slapd is not installed. */
export function describeWithSlapd(name: string, fn: () => void): void {
  if (slapdAvailable) {
    describe(name, fn);
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`${name}: skipped, ${SLAPD_BINARY} is not installed (apt-get install slapd ldap-utils; .ci/run does)`);
  describe.skip(name, fn);
}

export interface SlapdOptions {
  /** The accesslog overlay on the data DB, logging to `cn=accesslog` (default true). */
  accesslog?: boolean;
  /** syncprov, which maintains the suffix's contextCSN (default true). */
  syncprov?: boolean;
  /** memberof, which maintains users' operational memberOf (default true). */
  memberof?: boolean;
  /** ppolicy, whose schema brings pwdAccountLockedTime (default true). */
  ppolicy?: boolean;
  /** The suffix (default dc=example,dc=test). */
  baseDn?: string;
  /**
   * A throwaway CA and a certificate for `localhost` / 127.0.0.1 (openssl), for StartTLS on `url`
   * and LDAPS on `ldapsUrl` (default false).
   */
  tls?: boolean;
  /** Lines added to the data database's section (access, limits) and before every database (sizelimit). */
  extraConfig?: { global?: string[]; data?: string[] };
}

export type Attributes = Record<string, string | string[]>;

export interface Slapd {
  url: string;
  /** The rootdn (the admin, unrestricted by ACLs). */
  bindDn: string;
  password: string;
  baseDn: string;
  /** `ou=People,<base>` and `ou=Groups,<base>`, seeded. */
  people: string;
  groups: string;
  /** `cn=accesslog` when the overlay is on (its rootdn and password are bindDn-like: `cn=accesslog` / password). */
  accesslogDn?: string;
  /** With `tls`: `ldaps://127.0.0.1:<port>`, and the CA's PEM. */
  ldapsUrl?: string;
  caPem?: string;
  dir: string;
  options: Required<Omit<SlapdOptions, 'baseDn' | 'extraConfig'>>;
  /** A bound admin client, shared by the helpers below; closed by stop(). */
  admin(): Promise<Client>;
  add(dn: string, attributes: Attributes): Promise<void>;
  /** Replaces, adds or deletes attribute values (an empty list deletes the attribute). */
  modify(dn: string, changes: { replace?: Attributes; add?: Attributes; delete?: Attributes }): Promise<void>;
  del(dn: string): Promise<void>;
  /** modrdn: `newDn` is the new RDN alone, or a full DN to move the entry under another parent. */
  modrdn(dn: string, newDn: string): Promise<void>;
  /** The entry's entryUUID (an operational attribute, asked for by name). */
  entryUuid(dn: string): Promise<string>;
  stop(): Promise<void>;
}

/** A free loopback port (another process may take it before slapd does: startSlapd retries). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function slapdConf(dir: string, baseDn: string, o: Required<Omit<SlapdOptions, 'baseDn' | 'extraConfig'>>, extra: SlapdOptions['extraConfig'] = {}): string {
  const modules = ['back_mdb', ...(o.accesslog ? ['accesslog'] : []), ...(o.syncprov ? ['syncprov'] : []),
    ...(o.memberof ? ['memberof'] : []), ...(o.ppolicy ? ['ppolicy'] : [])];
  const lines = [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/nis.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    `pidfile ${dir}/slapd.pid`,
    'modulepath /usr/lib/ldap',
    ...modules.map((m) => `moduleload ${m}`),
    ...(extra.global ?? []),
    '',
  ];
  if (o.tls) lines.push(`TLSCACertificateFile ${dir}/ca.pem`, `TLSCertificateFile ${dir}/server.pem`, `TLSCertificateKeyFile ${dir}/server.key`, '');
  if (o.accesslog) {
    lines.push(
      'database mdb', 'suffix "cn=accesslog"', 'rootdn "cn=accesslog"', 'rootpw secret', `directory ${dir}/accesslog`,
      'maxsize 104857600', 'index default eq', 'index entryCSN,objectClass,reqEnd,reqResult,reqStart,reqDN,reqType', '',
    );
  }
  lines.push(
    'database mdb', `suffix "${baseDn}"`, `rootdn "cn=admin,${baseDn}"`, 'rootpw secret', `directory ${dir}/data`,
    'maxsize 104857600', 'index objectClass,entryCSN,entryUUID,uid,member,uniqueMember,memberUid eq',
  );
  lines.push(...(extra.data ?? []));
  if (o.memberof) lines.push('overlay memberof');
  if (o.ppolicy) lines.push('overlay ppolicy');
  if (o.syncprov) lines.push('overlay syncprov', 'syncprov-checkpoint 1 1');
  if (o.accesslog) {
    // No logold: with it, deletes of entries outside its filter lose reqEntryUUID (idp.md §3.3).
    lines.push('overlay accesslog', 'logdb "cn=accesslog"', 'logops writes', 'logsuccess TRUE', 'logpurge 07+00:00 01+00:00');
  }
  return lines.join('\n') + '\n';
}

/** A CA and a server certificate for localhost and 127.0.0.1, signed by it, in `dir`. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=slapd test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(`${dir}/san.ext`, 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');
}

/**
 * Starts a slapd and seeds it. Throws (with slapd's output) if it does not come up.
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const { extraConfig, baseDn: _suffix, ...flags } = options;
  const o = { accesslog: true, syncprov: true, memberof: true, ppolicy: true, tls: false, ...flags };
  const baseDn = options.baseDn ?? 'dc=example,dc=test';
  const dir = mkdtempSync(path.join(tmpdir(), 'slapd-test-'));
  mkdirSync(`${dir}/data`);
  if (o.accesslog) mkdirSync(`${dir}/accesslog`);
  if (o.tls) makeCertificates(dir);
  writeFileSync(`${dir}/slapd.conf`, slapdConf(dir, baseDn, o, extraConfig));

  let child: ChildProcess | undefined;
  let url = '';
  let ldapsUrl: string | undefined;
  let output = '';
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    url = `ldap://127.0.0.1:${await freePort()}`;
    ldapsUrl = o.tls ? `ldaps://127.0.0.1:${await freePort()}` : undefined;
    const listeners = [`${url}/`, ...(ldapsUrl ? [`${ldapsUrl}/`] : [])].join(' ');
    // -d 0 keeps slapd in the foreground (no fork), so this child is the server and stop() ends it.
    const started = spawn(SLAPD_BINARY, ['-f', `${dir}/slapd.conf`, '-h', listeners, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    started.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    if (await cameUp(url, started)) child = started;
    else started.kill('SIGKILL');
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`slapd did not start: ${output.slice(-2000)}`);
  }

  const bindDn = `cn=admin,${baseDn}`;
  const password = 'secret';
  let client: Client | undefined;
  const admin = async (): Promise<Client> => {
    if (client?.isConnected) return client;
    client = new Client({ url, timeout: 10_000, connectTimeout: 10_000 });
    await client.bind(bindDn, password);
    return client;
  };
  const attributes = (values: Attributes): Attribute[] =>
    Object.entries(values).map(([type, v]) => new Attribute({ type, values: Array.isArray(v) ? v : [v] }));
  const slapd: Slapd = {
    url, ldapsUrl, caPem: o.tls ? readFileSync(`${dir}/ca.pem`, 'utf8') : undefined, bindDn, password, baseDn, dir, options: o,
    people: `ou=People,${baseDn}`,
    groups: `ou=Groups,${baseDn}`,
    accesslogDn: o.accesslog ? 'cn=accesslog' : undefined,
    admin,
    async add(dn, values) {
      await (await admin()).add(dn, values);
    },
    async modify(dn, changes) {
      const list: Change[] = [];
      for (const operation of ['replace', 'add', 'delete'] as const) {
        for (const modification of attributes(changes[operation] ?? {})) list.push(new Change({ operation, modification }));
      }
      await (await admin()).modify(dn, list);
    },
    async del(dn) {
      await (await admin()).del(dn);
    },
    async modrdn(dn, newDn) {
      await (await admin()).modifyDN(dn, newDn);
    },
    async entryUuid(dn) {
      const { searchEntries } = await (await admin()).search(dn, { scope: 'base', attributes: ['entryUUID'] });
      const uuid = searchEntries[0]?.entryUUID;
      if (typeof uuid !== 'string') throw new Error(`no entryUUID for ${dn}`);
      return uuid;
    },
    async stop() {
      await client?.unbind().catch(() => undefined);
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      if (child!.exitCode === null && child!.signalCode === null) child!.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const organization = baseDn.split(',')[0]!.split('=');
  await slapd.add(baseDn, organization[0] === 'dc'
    ? { objectClass: ['dcObject', 'organization'], dc: organization[1]!, o: organization[1]! }
    : { objectClass: ['organization'], o: organization[1]! });
  await slapd.add(slapd.people, { objectClass: 'organizationalUnit', ou: 'People' });
  await slapd.add(slapd.groups, { objectClass: 'organizationalUnit', ou: 'Groups' });
  return slapd;
}

/** Waits until slapd answers an anonymous rootDSE read, or exits. */
async function cameUp(url: string, child: ChildProcess): Promise<boolean> {
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 200 && !exited; i++) {
    const probe = new Client({ url, timeout: 1_000, connectTimeout: 1_000 });
    try {
      await probe.search('', { scope: 'base', attributes: ['namingContexts'] });
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await probe.unbind().catch(() => undefined);
    }
  }
  return false;
}
