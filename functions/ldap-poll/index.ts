/**
 * `ldap-poll`: FC timer trigger (every 5 minutes). Polls OpenLDAP for what changed since the stored
 * CSN watermark and queues it for `push`; a full resync runs the ldap full sync in place.
 * A failure leaves the watermark where it was, so the next tick repeats the poll: nothing is skipped.
 */
import { loadConfig } from '../lib/fc/config';
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { logger } from '../lib/fc/logger';
import { pollLdap } from '../lib/sync/ldapPoll';
import { ldapPollFromEnv } from '../lib/wiring/ldapPoll';
import { invocationQueue } from '../lib/wiring/queue';
import { invocationPacing } from '../lib/sync/entrances';

const environment = loadConfig((env) => ldapPollFromEnv(env, { credentials: roleCredentials }));

const queue = invocationQueue(environment.queue);

export const handler = eventHandler('ldap-poll', async (_timer, context) => {
  const result = await pollLdap(environment, queue, {
    runId: context.requestId,
    log: (line) => logger.info('provisioning', { ...line }),
    pacing: invocationPacing(environment.engine.pacing, Date.now(), context.function?.timeout, (progress) => logger.info('full-sync progress', { ...progress })),
  });
  const { fullSync, ...poll } = result;
  // Counts and modes only: no entryUUID, DN or name.
  logger.info('ldap poll', { ...poll });
  if (fullSync) {
    const held = fullSync.safeguard?.held === true;
    (held || fullSync.failures.length ? logger.warn : logger.info)('ldap full resync', {
      reason: poll.fullResyncReason, plan: fullSync.plan, result: fullSync.result, safeguard: fullSync.safeguard, failures: fullSync.failures.length,
    });
  }
  return result;
});
