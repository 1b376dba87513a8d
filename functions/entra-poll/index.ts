/**
 * `entra-poll`: FC timer trigger (every 5 minutes, one instance). Reads what changed in Microsoft
 * Entra ID since the stored Graph delta links and queues it for `push`; a full resync runs the entra
 * full sync in place. A failure leaves the links where they were, so the next tick repeats the
 * round: nothing is skipped.
 */
import { loadConfig } from '../lib/fc/config';
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { pollEntra } from '../lib/sync/entraPoll';
import { entraPollFromEnv } from '../lib/wiring/entraPoll';
import { invocationQueue } from '../lib/wiring/queue';
import { invocationPacing } from '../lib/sync/entrances';

const environment = loadConfig((env) => entraPollFromEnv(env, { credentials: roleCredentials }));

const queue = invocationQueue(environment.queue);

export const handler = eventHandler('entra-poll', async (_timer, context) => {
  const result = await pollEntra(environment, queue, {
    runId: context.requestId,
    log: (line) => logger.info('provisioning', { ...line }),
    pacing: invocationPacing(environment.engine.pacing, Date.now(), context.function?.timeout, (progress) => logger.info('full-sync progress', { ...progress })),
  });
  const { fullSync, ...poll } = result;
  // Counts and the resync reason only: no ids, names or links (a deltaLink carries a token).
  logger.info('entra poll', { ...poll });
  if (poll.subscriptionError) logger.warn('entra subscription not kept', { ...poll.subscriptionError });
  if (fullSync) {
    const held = fullSync.safeguard?.held === true;
    (held || fullSync.failures.length ? logger.warn : logger.info)('entra full resync', {
      reason: poll.resyncReason, plan: fullSync.plan, result: fullSync.result, safeguard: fullSync.safeguard, failures: fullSync.failures.length,
    });
  }
  return result;
});
