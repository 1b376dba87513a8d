/**
 * `ad-poll`: FC timer trigger (every 5 minutes). Polls Active Directory for what changed since the
 * stored USN watermark and queues it for `push`; a full resync runs the AD full sync in place.
 * A failure leaves the watermark where it was, so the next tick repeats the poll: nothing is skipped.
 */
import { loadConfig } from '../lib/fc/config';
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { pollAd } from '../lib/sync/adPoll';
import { adPollFromEnv } from '../lib/wiring/adPoll';
import { invocationQueue } from '../lib/wiring/queue';
import { invocationPacing } from '../lib/sync/entrances';

const environment = loadConfig((env) => adPollFromEnv(env, { credentials: roleCredentials }));

const queue = invocationQueue(environment.queue);

export const handler = eventHandler('ad-poll', async (_timer, context) => {
  const result = await pollAd(environment, queue, {
    runId: context.requestId,
    log: (line) => logger.info('provisioning', { ...line }),
    pacing: invocationPacing(environment.engine.pacing, Date.now(), context.function?.timeout, (progress) => logger.info('full-sync progress', { ...progress })),
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
