/**
 * The change queue a function publishes to. In FC (and in the local stack, which serves FC's invoke
 * API) it is always FC's async invoke, never the local SQLite queue; the account, region and role
 * credentials are read per publish from the current invocation, so one queue built at module scope
 * serves every warm invocation.
 *
 * @example
 * const config = loadConfig((env) => withFcQueue(env, parseWecomWebhookConfig, 'a webhook'));
 * const queue = invocationQueue(config.queue);
 */
import type { Env } from '../core/config';
import { ConfigProblems } from '../core/errors';
import type { ChangeQueue } from '../core/ports';
import { currentInvocation, roleCredentials } from '../fc/invocation';
import { type FcQueueConfig, parseQueueConfig } from '../queue/config';
import { createFcQueue } from '../queue/factory';

/**
 * `parse`'s configuration and the FC queue's, every bad variable of both reported at once.
 * `forWhat` names the function in the refusal of `QUEUE_KIND=sqlite` ("a webhook", "ad-poll").
 */
export function withFcQueue<T>(env: Env, parse: (env: Env) => T, forWhat = 'a webhook'): { source: T; queue: FcQueueConfig } {
  const problems = new ConfigProblems();
  const source = problems.attempt(() => parse(env));
  const queue = problems.attempt(() => parseQueueConfig(env));
  if (queue?.kind === 'sqlite') {
    problems.add({ variable: 'QUEUE_KIND', problem: `must be fc3 or fc2 for ${forWhat} (the local stack serves FC's invoke API)` });
  }
  problems.throwIfAny();
  return { source: source as T, queue: queue as FcQueueConfig };
}

/** The FC queue, signed with the role of whichever invocation publishes. */
export function invocationQueue(config: FcQueueConfig): ChangeQueue {
  return createFcQueue(config, {
    accountId: () => currentInvocation()?.accountId,
    region: () => currentInvocation()?.region,
    credentials: () => roleCredentials(),
  });
}
