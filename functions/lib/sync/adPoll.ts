/**
 * The `ad-poll` function's work: one USN poll of Active Directory. Incremental changes go to the
 * change queue for `push`; a full resync (first poll, another or restored DC, a changed scope, a
 * watermark older than the tombstone lifetime) runs the full sync of the AD source right here,
 * because only a full sync removes people whose deletion could not be seen. Its safeguard holds
 * mass deletions as usual, and the watermark moves only once it has finished.
 */
import { ConfigProblems } from '../core/errors';
import type { ChangeQueue, ProvisioningLog } from '../core/ports';
import { type FcQueueConfig, parseQueueConfig } from '../queue/config';
import { type AdSourceConfig, type PollReport, UsnPoller, parseAdSourceConfig } from '../sources/ad';
import type { CredentialSource } from '../ram/RamOpenApi';
import { type FullSyncResult, fullSync } from './entrances';
import { type EngineEnvironment, engineFromEnv } from './environment';

export interface AdPollEnvironment {
  ad: AdSourceConfig;
  queue: FcQueueConfig;
  /** For the full resync. */
  engine: EngineEnvironment;
}

export function adPollFromEnv(env: NodeJS.ProcessEnv, deps: { credentials: CredentialSource }): AdPollEnvironment {
  const problems = new ConfigProblems();
  // The engine's sources include AD (the registry reports every AD_* problem); ad-poll needs it on.
  const engine = problems.attempt(() => engineFromEnv(env, deps));
  if (!env.AD_URL?.trim()) problems.add({ variable: 'AD_URL', problem: 'is required: ad-poll polls Active Directory (ldaps://dc.corp.example)' });
  const queue = problems.attempt(() => parseQueueConfig(env));
  if (queue?.kind === 'sqlite') {
    problems.add({ variable: 'QUEUE_KIND', problem: "must be fc3 or fc2 for ad-poll (the local stack serves FC's invoke API)" });
  }
  problems.throwIfAny();
  const ad = parseAdSourceConfig(env)!; // valid: the registry parsed it already
  return { ad, queue: queue as FcQueueConfig, engine: engine! };
}

export interface AdPollResult extends PollReport {
  /** Present after a full resync. */
  fullSync?: FullSyncResult;
}

export async function pollAd(
  environment: AdPollEnvironment, queue: ChangeQueue, run: { runId: string; log: ProvisioningLog },
): Promise<AdPollResult> {
  let resync: FullSyncResult | undefined;
  const poller = new UsnPoller({
    config: environment.ad, state: environment.engine.state, queue,
    fullResync: async () => {
      // Its held deprovisions go on the held list before the watermark moves: later per-person
      // changes find them there and cannot deprovision them one by one.
      resync = await fullSync(environment.engine, { dryRun: false, sources: ['ad'] }, { ...run, path: 'ad-poll' });
    },
  });
  const report = await poller.poll();
  return resync ? { ...report, fullSync: resync } : report;
}
