/**
 * The `ldap-poll` function's work: one CSN poll of OpenLDAP. Incremental changes go to the change
 * queue for `push`; a full resync (first poll, another or restored server, a purged or replaced
 * accesslog, a changed scope or deletion mode) runs the full sync of the ldap source right here,
 * because only a full sync removes people whose deletion could not be seen. Its safeguard holds
 * mass deletions as usual, and the watermark moves only once it has finished.
 */
import type { ChangeQueue, ProvisioningLog } from '../core/ports';
import type { LdapSourceConfig } from '../sources/ldap/config';
import { CsnPoller, type LdapPollReport, type LdapPollSettings } from '../sources/ldap/CsnPoller';
import { type FullSyncPacingOptions, type FullSyncResult, resyncInPlace } from './entrances';
import type { EngineEnvironment } from './environment';

/** Built by wiring/ldapPoll.ts. */
export interface LdapPollEnvironment {
  ldap: LdapSourceConfig;
  poll: LdapPollSettings;
  /** For the full resync. */
  engine: EngineEnvironment;
}

export interface LdapPollResult extends LdapPollReport {
  /** Present after a full resync. */
  fullSync?: FullSyncResult;
}

export async function pollLdap(
  environment: LdapPollEnvironment, queue: ChangeQueue,
  run: { runId: string; log: ProvisioningLog; pacing?: FullSyncPacingOptions },
): Promise<LdapPollResult> {
  let resync: FullSyncResult | undefined;
  const poller = new CsnPoller({
    config: environment.ldap, settings: environment.poll, state: environment.engine.state, queue,
    fullResync: async () => {
      // Its held deprovisions go on the held list before the watermark moves: later per-person
      // changes find them there and cannot deprovision them one by one.
      // One that does not apply a plan of its own to the end throws: the watermark stays, the next tick goes on.
      resync = await resyncInPlace(environment.engine, 'ldap', { ...run, path: 'ldap-poll' });
    },
  });
  const report = await poller.poll();
  return resync ? { ...report, fullSync: resync } : report;
}
