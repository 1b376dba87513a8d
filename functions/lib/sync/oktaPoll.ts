/**
 * The `okta-poll` function's work: one poll of Okta (sources/okta/OktaPoller.ts). Incremental
 * changes go to the change queue for `push`; a full resync (first poll, another org or department
 * mode, a System Log position past its 90 days) runs the full sync of the okta source right here,
 * because only a full listing shows who was deleted while the log could not be read. Its safeguard
 * holds mass deletions as usual, and the watermark moves only once it has finished.
 */
import type { ChangeQueue, ProvisioningLog } from '../core/ports';
import { OktaApi, type OktaApiOptions, type OktaPollReport, OktaPoller, OktaSource, type OktaSourceConfig } from '../sources/okta';
import { type FullSyncPacingOptions, type FullSyncResult, resyncInPlace } from './entrances';
import type { EngineEnvironment } from './environment';

/** Built by wiring/oktaPoll.ts. */
export interface OktaPollEnvironment {
  okta: OktaSourceConfig;
  /** For the full resync. */
  engine: EngineEnvironment;
  /** Tests inject the retry sleep and clock. */
  api?: OktaApiOptions;
}

export interface OktaPollResult extends OktaPollReport {
  /** Present after a full resync. */
  fullSync?: FullSyncResult;
}

export async function pollOkta(
  environment: OktaPollEnvironment, queue: ChangeQueue,
  run: { runId: string; log: ProvisioningLog; pacing?: FullSyncPacingOptions },
): Promise<OktaPollResult> {
  let resync: FullSyncResult | undefined;
  // The engine's Okta source's client when there is one: one access token per instance, for the poll and the resync.
  const engineSource = environment.engine.sources.find((s): s is OktaSource => s instanceof OktaSource);
  const api = environment.api || !engineSource ? new OktaApi(environment.okta, environment.api) : engineSource.api;
  const poller = new OktaPoller({
    config: environment.okta, api, state: environment.engine.state, queue,
    fullResync: async () => {
      // Its held deprovisions go on the held list before the watermark moves: later per-person
      // changes find them there and cannot deprovision them one by one.
      // One that does not apply a plan of its own to the end throws: the watermark stays, the next tick goes on.
      resync = await resyncInPlace(environment.engine, 'okta', { ...run, path: 'okta-poll' });
    },
  });
  const report = await poller.poll();
  return resync ? { ...report, fullSync: resync } : report;
}
