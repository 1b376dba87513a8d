/**
 * The `ad-poll` function's work: one USN poll of Active Directory. Incremental changes go to the
 * change queue for `push`; a full resync (first poll, another or restored DC, a changed scope, a
 * watermark older than the tombstone lifetime) runs the full sync of the AD source right here,
 * because only a full sync removes people whose deletion could not be seen. Its safeguard holds
 * mass deletions as usual, and the watermark moves only once it has finished.
 */
import type { ChangeQueue, ProvisioningLog } from '../core/ports';
import { type AdSourceConfig, type PollReport, UsnPoller } from '../sources/ad';
import { type FullSyncPacingOptions, type FullSyncResult, resyncInPlace } from './entrances';
import type { EngineEnvironment } from './environment';

/** Built by wiring/adPoll.ts. */
export interface AdPollEnvironment {
  ad: AdSourceConfig;
  /** For the full resync. */
  engine: EngineEnvironment;
}

export interface AdPollResult extends PollReport {
  /** Present after a full resync. */
  fullSync?: FullSyncResult;
}

export async function pollAd(
  environment: AdPollEnvironment, queue: ChangeQueue,
  run: { runId: string; log: ProvisioningLog; pacing?: FullSyncPacingOptions },
): Promise<AdPollResult> {
  let resync: FullSyncResult | undefined;
  const poller = new UsnPoller({
    config: environment.ad, state: environment.engine.state, queue,
    fullResync: async () => {
      // Its held deprovisions go on the held list before the watermark moves: later per-person
      // changes find them there and cannot deprovision them one by one.
      // One that does not apply a plan of its own to the end throws: the watermark stays, the next tick goes on.
      resync = await resyncInPlace(environment.engine, 'ad', { ...run, path: 'ad-poll' });
    },
  });
  const report = await poller.poll();
  return resync ? { ...report, fullSync: resync } : report;
}
