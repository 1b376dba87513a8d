/**
 * The `okta-poll` function's configuration: the engine (for a full resync), which must have Okta
 * on, and the FC queue incremental changes go to. Every bad variable is reported at once.
 */
import { type Env, envReader } from '../core/config';
import { ConfigProblems } from '../core/errors';
import type { FcQueueConfig } from '../queue/config';
import type { CredentialSource } from '../ram/RamOpenApi';
import { parseOktaSourceConfig } from '../sources/okta';
import type { OktaPollEnvironment } from '../sync/oktaPoll';
import { engineFromEnv } from './engine';
import { withFcQueue } from './queue';

export function oktaPollFromEnv(env: Env, deps: { credentials: CredentialSource }): OktaPollEnvironment & { queue: FcQueueConfig } {
  const { source: engine, queue } = withFcQueue(env, (e) => {
    // The engine's sources include Okta (the registry reports every OKTA_* problem); okta-poll needs it on.
    const problems = new ConfigProblems();
    const built = problems.attempt(() => engineFromEnv(e, deps));
    envReader(e, problems).required('OKTA_ORG_URL', 'is required: okta-poll polls Okta (https://acme.okta.com)');
    problems.throwIfAny();
    return built!;
  }, 'okta-poll');
  const okta = parseOktaSourceConfig(env)!; // valid: the registry parsed it already
  return { okta, queue, engine };
}
