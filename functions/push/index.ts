/**
 * `push`: fed by the change queue (FC asynchronous invocation). Reads each named entity's current
 * state, plans and applies. Safe to retry as a whole; fails the invocation when a change failed
 * retryably (FC retries, then hands the batch to the onFailure destination).
 */
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { loadConfig } from '../lib/fc/config';
import { logger } from '../lib/fc/logger';
import { pushBatch } from '../lib/sync/entrances';
import { engineFromEnv } from '../lib/sync/environment';
import { parseChangeBatch } from '../lib/sync/messages';

const engine = loadConfig((env) => engineFromEnv(env, { credentials: roleCredentials }));

export const handler = eventHandler('push', async (batch, context) => {
  const result = await pushBatch(engine, batch, {
    runId: context.requestId,
    log: (line) => logger.info('provisioning', { ...line }),
  });
  for (const failure of result.failures) logger.warn('change failed finally', { batchId: batch.id, ...failure });
  return result;
}, { parse: parseChangeBatch });
