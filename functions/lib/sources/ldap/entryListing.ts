/**
 * Paged searches for the poller, the listing of entryUUIDs that proves deletions where no accesslog
 * can, and the one error type of the poll. Messages name the operation, never a filter value or an
 * attribute (directories are full of names and emails).
 */
import type { Client, Entry, SearchOptions } from 'ldapts';
import { ClassifiedError } from '../../core/errors';

export type LdapPollErrorKind =
  /** The server could not be reached, timed out or dropped the connection: the next tick retries. */
  | 'unreachable'
  /** The suffix has no contextCSN: syncprov is not loaded on the database. */
  | 'no-context-csn'
  /** LDAP_DELETE_DETECTION=accesslog but the log cannot be read. */
  | 'accesslog-unreadable'
  /** The base DN is in no naming context the server holds. */
  | 'no-naming-context'
  /** A paged search stopped at the server's size limit: the bind account needs a higher one. */
  | 'size-limit'
  /** Anything else the server answered with. */
  | 'ldap';

const ACTIONS: Partial<Record<LdapPollErrorKind, string>> = {
  unreachable: 'check LDAP_URL, LDAP_TLS_CA and the network path from the function to the server; the next tick retries',
  'no-context-csn': 'load the syncprov overlay on the database holding LDAP_BASE_DN (README, OpenLDAP: "overlay syncprov")',
  'accesslog-unreadable': 'grant LDAP_BIND_DN read access to cn=accesslog, or set LDAP_DELETE_DETECTION=listing (or auto)',
  'size-limit': 'lift the size limit of LDAP_BIND_DN for paged searches on the data and accesslog databases: limits dn.exact="<bind DN>" size.prtotal=unlimited (README, OpenLDAP)',
  'no-naming-context': 'set LDAP_BASE_DN to an entry under one of the server\'s naming contexts',
};

export class LdapPollError extends ClassifiedError {
  readonly kind: LdapPollErrorKind;
  readonly retryable: boolean;

  constructor(kind: LdapPollErrorKind, message: string, options: { cause?: unknown } = {}) {
    super({ code: `LDAP ${kind}`, reason: message, recommendedAction: ACTIONS[kind], cause: options.cause });
    this.kind = kind;
    this.retryable = kind === 'unreachable' || kind === 'ldap';
  }
}

/** ldapts' names for a dropped connection or an expired timer (its errors are plain Errors then). */
const CONNECTION_TROUBLE = /timeout|timed out|connection|socket|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND/i;

/** An error of a search: connection trouble is `unreachable`, anything else `ldap`; both retryable. */
export function searchError(what: string, error: unknown): LdapPollError {
  if (error instanceof LdapPollError) return error;
  const name = error instanceof Error ? error.name : 'unknown error';
  const text = `${name} ${(error as NodeJS.ErrnoException | undefined)?.code ?? ''} ${error instanceof Error ? error.message : ''}`;
  const kind = name === 'SizeLimitExceededError' ? 'size-limit' : CONNECTION_TROUBLE.test(text) ? 'unreachable' : 'ldap';
  return new LdapPollError(kind, `LDAP poll: ${what} failed (${name})`, { cause: error });
}

/** Every entry of a paged search; a failure names `what`, not the filter. */
export async function searchAll(client: Client, what: string, base: string, options: SearchOptions & { pageSize: number }): Promise<Entry[]> {
  const { pageSize, ...rest } = options;
  const entries: Entry[] = [];
  try {
    for await (const page of client.searchPaginated(base, { scope: 'sub', ...rest, paged: { pageSize } })) entries.push(...page.searchEntries);
  } catch (error) {
    throw searchError(what, error);
  }
  return entries;
}

/** One entry by DN, or undefined when it does not exist (or the bind account may not see it). */
export async function readEntry(client: Client, what: string, dn: string, attributes: string[]): Promise<Entry | undefined> {
  try {
    const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes });
    return searchEntries[0];
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'NoSuchObjectError' || name === 'InsufficientAccessError') return undefined;
    throw searchError(what, error);
  }
}

/** An attribute's values as strings (ldapts answers a string for one value, an array for several). */
export function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  return (value === undefined ? [] : [value].flat()).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

export function entryUuidOf(entry: Entry): string {
  const [uuid] = values(entry, 'entryUUID');
  if (!uuid || !UUID.test(uuid)) throw new LdapPollError('ldap', 'LDAP poll: an entry came back without a readable entryUUID (the bind account must read operational attributes)');
  return uuid.toLowerCase();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4515: a value inside a filter, with `*`, `(`, `)`, `\` and NUL escaped. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A set of entryUUIDs as stored between polls: 16 bytes each, sorted, base64 (22 characters a
 * person instead of 38 as JSON strings; 10,000 people are 213 KB).
 */
export function packUuids(ids: Iterable<string>): string {
  const sorted = [...new Set([...ids].map((id) => id.toLowerCase().replace(/-/g, '')))].sort();
  return Buffer.from(sorted.join(''), 'hex').toString('base64');
}

export function unpackUuids(packed: string): Set<string> {
  const hex = Buffer.from(packed, 'base64').toString('hex');
  const ids = new Set<string>();
  for (let i = 0; i + 32 <= hex.length; i += 32) {
    const h = hex.slice(i, i + 32);
    ids.add(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  return ids;
}

/** The listing record: who was in scope at the last poll (listing mode). */
export interface UuidListing {
  v: 1;
  users: string;
}
