/**
 * The `entra-poll` function's configuration: the engine (for a full resync), which must have Entra
 * on, and the FC queue incremental changes go to. Every bad variable is reported at once.
 */
import { type Env, envReader } from '../core/config';
import { ConfigProblems } from '../core/errors';
import type { FcQueueConfig } from '../queue/config';
import type { CredentialSource } from '../ram/RamOpenApi';
import { parseEntraSourceConfig, parseEntraSubscriptionConfig } from '../sources/entra';
import type { EntraPollEnvironment } from '../sync/entraPoll';
import { engineFromEnv } from './engine';
import { withFcQueue } from './queue';

export function entraPollFromEnv(env: Env, deps: { credentials: CredentialSource }): EntraPollEnvironment & { queue: FcQueueConfig } {
  const { source: { engine, subscriptions }, queue } = withFcQueue(env, (e) => {
    // The engine's sources include Entra (the registry reports every ENTRA_* problem); entra-poll needs it on.
    const problems = new ConfigProblems();
    const built = problems.attempt(() => engineFromEnv(e, deps));
    envReader(e, problems).required('ENTRA_TENANT_ID', 'is required: entra-poll reads Microsoft Entra ID (the Directory (tenant) ID)');
    // ENTRA_NOTIFICATION_URL set: entra-poll keeps entra-webhook's Graph subscriptions alive.
    const subscriptions = problems.attempt(() => parseEntraSubscriptionConfig(e));
    problems.throwIfAny();
    return { engine: built!, subscriptions };
  }, 'entra-poll');
  const entra = parseEntraSourceConfig(env)!; // valid: the registry parsed it already
  return { entra, queue, engine, ...(subscriptions && { subscriptions }) };
}
