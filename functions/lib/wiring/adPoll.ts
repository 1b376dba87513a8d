/**
 * The `ad-poll` function's configuration: the engine (for a full resync), which must have AD on,
 * and the FC queue incremental changes go to. Every bad variable is reported at once.
 */
import { type Env, envReader } from '../core/config';
import { ConfigProblems } from '../core/errors';
import type { FcQueueConfig } from '../queue/config';
import type { CredentialSource } from '../ram/RamOpenApi';
import { parseAdSourceConfig } from '../sources/ad';
import type { AdPollEnvironment } from '../sync/adPoll';
import { engineFromEnv } from './engine';
import { withFcQueue } from './queue';

export function adPollFromEnv(env: Env, deps: { credentials: CredentialSource }): AdPollEnvironment & { queue: FcQueueConfig } {
  const { source: engine, queue } = withFcQueue(env, (e) => {
    // The engine's sources include AD (the registry reports every AD_* problem); ad-poll needs it on.
    const problems = new ConfigProblems();
    const built = problems.attempt(() => engineFromEnv(e, deps));
    envReader(e, problems).required('AD_URL', 'is required: ad-poll polls Active Directory (ldaps://dc.corp.example)');
    problems.throwIfAny();
    return built!;
  }, 'ad-poll');
  const ad = parseAdSourceConfig(env)!; // valid: the registry parsed it already
  return { ad, queue, engine };
}
