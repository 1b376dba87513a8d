/**
 * The `entra-poll` function's work: one Graph delta round. Incremental changes go to the change
 * queue for `push`; a full resync (first poll, a delta link Graph no longer knows, a changed tenant
 * or department source) runs the full sync of the entra source right here, because only a full
 * sync removes people whose deletion no delta showed. Its safeguard holds mass deletions as usual,
 * and the delta links move only once it has finished.
 */
import type { ChangeQueue, ProvisioningLog } from '../core/ports';
import {
  type DeltaPollReport, DeltaPoller, EntraSource, type EntraSourceConfig, type EntraSubscriptionConfig, type SubscriptionOutcome, ensureSubscription,
} from '../sources/entra';
import { isClassified } from '../core/errors';
import { type FullSyncPacingOptions, type FullSyncResult, resyncInPlace } from './entrances';
import type { EngineEnvironment } from './environment';

/** Built by wiring/entraPoll.ts. */
export interface EntraPollEnvironment {
  entra: EntraSourceConfig;
  /** For the full resync; its sources include the entra source, whose Graph client (and token) the round shares. */
  engine: EngineEnvironment;
  /** entra-webhook's subscriptions, kept alive on each tick; absent when ENTRA_NOTIFICATION_URL is unset (ours are then deleted). */
  subscriptions?: EntraSubscriptionConfig;
}

export interface EntraPollResult extends DeltaPollReport {
  /** Present after a full resync. */
  fullSync?: FullSyncResult;
  /** What each subscription needed (created, renewed, kept, deleted). */
  subscriptions?: SubscriptionOutcome[];
  /** Keeping them failed; the round itself succeeded, and the next tick tries again. */
  subscriptionError?: { code: string; reason: string; retryable: boolean; recommendedAction?: string };
}

export async function pollEntra(
  environment: EntraPollEnvironment, queue: ChangeQueue,
  run: { runId: string; log: ProvisioningLog; pacing?: FullSyncPacingOptions },
): Promise<EntraPollResult> {
  const source = environment.engine.sources.find((s): s is EntraSource => s instanceof EntraSource);
  if (!source) throw new Error('entra-poll runs with the entra source on (wiring/entraPoll.ts checks ENTRA_TENANT_ID)');
  let resync: FullSyncResult | undefined;
  const poller = new DeltaPoller({
    api: source.api, config: environment.entra, state: environment.engine.state, queue,
    fullResync: async () => {
      // Its held deprovisions go on the held list before the links move: later per-person changes
      // find them there and cannot deprovision them one by one.
      // One that does not apply a plan of its own to the end throws: the watermark stays, the next tick goes on.
      resync = await resyncInPlace(environment.engine, 'entra', { ...run, path: 'entra-poll' });
    },
  });
  const report = await poller.poll();
  const subscribed = await keepSubscriptions(source, environment);
  return { ...report, ...(resync && { fullSync: resync }), ...subscribed };
}

/** After the round, so a subscription Graph refuses never holds up the changes: the error is reported, not thrown. */
async function keepSubscriptions(source: EntraSource, environment: EntraPollEnvironment): Promise<Pick<EntraPollResult, 'subscriptions' | 'subscriptionError'>> {
  try {
    const outcomes = await ensureSubscription(source.api, environment.engine.state, environment.subscriptions, new Date());
    return outcomes.length > 0 ? { subscriptions: outcomes } : {};
  } catch (error) {
    if (!isClassified(error)) throw error;
    const { code, reason, retryable, recommendedAction } = error;
    return { subscriptionError: { code, reason, retryable, ...(recommendedAction && { recommendedAction }) } };
  }
}
