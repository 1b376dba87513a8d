/**
 * `ad-poll`: FC timer trigger (every 5 minutes). Polls Active Directory for what changed since the
 * stored USN watermark and queues it for `push`; a full resync runs the AD full sync in place.
 * A failure leaves the watermark where it was, so the next tick repeats the poll: nothing is skipped.
 */
import { loadConfig } from '../lib/fc/config';
import { eventHandler } from '../lib/fc/handlers';
import { currentInvocation, roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { createFcQueue } from '../lib/queue/factory';
import { adPollFromEnv, pollAd } from '../lib/sync/adPoll';

const environment = loadConfig((env) => adPollFromEnv(env, { credentials: roleCredentials }));

const queue = createFcQueue(environment.queue, {
  accountId: () => currentInvocation()?.accountId,
  region: () => currentInvocation()?.region,
  credentials: () => roleCredentials(),
});

export const handler = eventHandler('ad-poll', async (_timer, context) => {
  const result = await pollAd(environment, queue, {
    runId: context.requestId,
    log: (line) => logger.info('provisioning', { ...line }),
  });
  const { fullSync, ...poll } = result;
  logger.info('ad poll', { ...poll });
  if (fullSync) {
    const held = fullSync.safeguard?.held === true;
    (held || fullSync.failures.length ? logger.warn : logger.info)('ad full resync', {
      reason: poll.fullResyncReason, plan: fullSync.plan, result: fullSync.result, safeguard: fullSync.safeguard, failures: fullSync.failures.length,
    });
  }
  return result;
});
