/**
 * Opening a bound ldapts client, and reading the DC's identity for the watermark.
 * Bind failures are translated into AdSourceErrors an operator can act on.
 */
import type { Client, Control, SearchOptions } from 'ldapts';
import { openBoundClient } from '../ldapClient/bind';
import type { AdSourceConfig } from './config';
import { showDeletedControl } from './controls';
import { AdSourceError } from './errors';
import { guidToString } from './guid';
import type { DcState } from './watermark';

/** MS-ADTS: tombstoneLifetime defaults to 60 days when the attribute is unset. */
const DEFAULT_TOMBSTONE_LIFETIME_DAYS = 60;

/**
 * A connected, bound client. Close it with `client.unbind()`.
 *
 * @example
 * const client = await openAdClient(config);
 * try { … } finally { await client.unbind(); }
 */
export function openAdClient(config: AdSourceConfig): Promise<Client> {
  return openBoundClient(config, { prefix: 'AD', server: 'the DC' }, (kind, message, cause) => new AdSourceError(kind, message, { cause }));
}

/** Wraps a search so a failure names the operation, not the values in the filter. */
export async function search(client: Client, what: string, base: string, options: SearchOptions, ...controls: Control[]) {
  try {
    return await client.search(base, options, controls.length ? controls : undefined);
  } catch (error) {
    throw new AdSourceError('ldap', `AD search for ${what} failed: ${error instanceof Error ? error.name : 'unknown error'}`, { cause: error });
  }
}

/** The Deleted Objects container's well-known GUID (MS-ADTS 6.1.1.4), so no localised name is needed. */
const DELETED_OBJECTS_WKGUID = '18e2ea80684f11d2b9aa00c04f79f805';

/**
 * Throws unless the bind account may read the Deleted Objects container. Without that right (only
 * administrators have it by default) tombstone searches return nothing and no error, so leavers
 * would silently keep their RAM users.
 */
export async function assertTombstonesReadable(client: Client, namingContext: string): Promise<void> {
  const container = await client.search(`<WKGUID=${DELETED_OBJECTS_WKGUID},${namingContext}>`, {
    scope: 'base', filter: '(objectClass=*)', attributes: ['isDeleted'],
  }, [showDeletedControl()]).then((r) => r.searchEntries[0], () => undefined);
  if (String(container?.isDeleted ?? '').toUpperCase() !== 'TRUE') {
    throw new AdSourceError('deleted-objects-unreadable',
      `the bind account (AD_BIND_DN) cannot read CN=Deleted Objects of ${namingContext}, so deletions would go unseen: ` +
      'grant it List Contents and Read Property there (dsacls "CN=Deleted Objects,<domain DN>" /G "<DOMAIN>\\<account>:LCRP"; README, Active Directory)',
      { retryable: false });
  }
}

/** The DC's identity, its naming context and highestCommittedUSN (read before any poll search). */
export async function readDcState(client: Client): Promise<DcState & { namingContext: string }> {
  const root = (await search(client, 'rootDSE', '', {
    scope: 'base', filter: '(objectClass=*)',
    attributes: ['dnsHostName', 'highestCommittedUSN', 'dsServiceName', 'defaultNamingContext', 'configurationNamingContext'],
  })).searchEntries[0];
  const text = (name: string): string => {
    const value = root?.[name];
    const one = Array.isArray(value) ? value[0] : value;
    if (typeof one !== 'string' || one === '') throw new AdSourceError('ldap', `the DC's rootDSE has no ${name}`);
    return one;
  };
  const settings = (await search(client, 'the NTDS Settings object', text('dsServiceName'), {
    scope: 'base', filter: '(objectClass=*)', attributes: ['invocationId'], explicitBufferAttributes: ['invocationId'],
  })).searchEntries[0];
  const invocationId = settings?.invocationId;
  if (!Buffer.isBuffer(invocationId)) throw new AdSourceError('ldap', 'the DC has no readable invocationId');
  const directoryService = `CN=Directory Service,CN=Windows NT,CN=Services,${text('configurationNamingContext')}`;
  const ds = (await search(client, 'tombstoneLifetime', directoryService, {
    scope: 'base', filter: '(objectClass=*)', attributes: ['tombstoneLifetime'],
  })).searchEntries[0];
  const lifetime = Number(ds?.tombstoneLifetime);
  return {
    dnsHostName: text('dnsHostName'),
    invocationId: guidToString(invocationId),
    highestCommittedUsn: BigInt(text('highestCommittedUSN')),
    tombstoneLifetimeDays: Number.isInteger(lifetime) && lifetime > 0 ? lifetime : DEFAULT_TOMBSTONE_LIFETIME_DAYS,
    namingContext: text('defaultNamingContext'),
  };
}
