/**
 * `okta-poll`: FC timer trigger (every 5 minutes). Reads the Okta users whose lastUpdated moved and
 * the System Log's deletions and membership changes since the stored watermark, and queues them for
 * `push`; a full resync runs the Okta full sync in place. It catches what Event Hooks (okta-webhook,
 * best effort: one retry, 3 s timeout) missed. A failure leaves the watermark where it was, so the
 * next tick repeats the poll: nothing is skipped.
 */
import { loadConfig } from '../lib/fc/config';
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { pollOkta } from '../lib/sync/oktaPoll';
import { oktaPollFromEnv } from '../lib/wiring/oktaPoll';
import { invocationQueue } from '../lib/wiring/queue';
import { invocationPacing } from '../lib/sync/entrances';

const environment = loadConfig((env) => oktaPollFromEnv(env, { credentials: roleCredentials }));

const queue = invocationQueue(environment.queue);

export const handler = eventHandler('okta-poll', async (_timer, context) => {
  const result = await pollOkta(environment, queue, {
    runId: context.requestId,
    log: (line) => logger.info('provisioning', { ...line }),
    pacing: invocationPacing(environment.engine.pacing, Date.now(), context.function?.timeout, (progress) => logger.info('full-sync progress', { ...progress })),
  });
  const { fullSync, ...poll } = result;
  // Counts and the mode only: no id, login or email.
  logger.info('okta poll', { ...poll });
  if (fullSync) {
    const held = fullSync.safeguard?.held === true;
    (held || fullSync.failures.length ? logger.warn : logger.info)('okta full resync', {
      reason: poll.fullResyncReason, plan: fullSync.plan, result: fullSync.result, safeguard: fullSync.safeguard, failures: fullSync.failures.length,
    });
  }
  return result;
});
