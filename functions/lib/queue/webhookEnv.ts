/**
 * A webhook function's configuration: its source's callback keys and the FC queue it publishes to
 * (never the local SQLite queue: locally the stack serves FC's invoke API). Every bad variable is
 * reported at once.
 */
import { ConfigProblems } from '../core/errors';
import { type FcQueueConfig, parseQueueConfig } from './config';

export function parseWebhookEnv<T>(
  env: Readonly<Record<string, string | undefined>>, parseSource: (env: Readonly<Record<string, string | undefined>>) => T,
): { source: T; queue: FcQueueConfig } {
  const problems = new ConfigProblems();
  const source = problems.attempt(() => parseSource(env));
  const queue = problems.attempt(() => parseQueueConfig(env));
  if (queue?.kind === 'sqlite') {
    problems.add({ variable: 'QUEUE_KIND', problem: "must be fc3 or fc2 for a webhook (the local stack serves FC's invoke API)" });
  }
  problems.throwIfAny();
  return { source: source!, queue: queue as FcQueueConfig };
}
