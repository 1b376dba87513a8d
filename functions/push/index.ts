/**
 * `push`: fed by the change queue (FC asynchronous invocation). Reads each named entity's current
 * state, plans and applies, each change on its own. Fails the invocation only while a change is
 * left that failed retryably (FC retries, and the retry resumes with those); final failures are
 * listed on the failed list and not retried. A message that cannot be decoded is listed once and
 * not retried either.
 */
import type { ChangeBatch } from '../lib/core/model';
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { loadConfig } from '../lib/fc/config';
import { logger } from '../lib/fc/logger';
import { engineFromEnv } from '../lib/wiring/engine';
import { FailedChanges } from '../lib/sync/failedChanges';
import { parseChangeBatch } from '../lib/sync/messages';
import { type PushResult, pushBatch } from '../lib/sync/push';

const engine = loadConfig((env) => engineFromEnv(env, { credentials: roleCredentials }));

export const handler = eventHandler<ChangeBatch, PushResult | { decoded: false; listed: string }>('push', async (batch, context) => {
  const result = await pushBatch(engine, batch, {
    runId: context.requestId,
    log: (line) => logger.info('provisioning', { ...line }),
  });
  for (const failure of result.failures) logger.warn('change failed finally', { batchId: batch.id, ...failure });
  for (const d of result.departments) logger.info('department re-planned', { batchId: batch.id, ...d });
  return result;
}, {
  parse: parseChangeBatch,
  onDecodeError: async (error, context) => {
    await new FailedChanges(engine.state).settle([{
      key: `message:${context.requestId}`, subject: 'message', action: 'decode', code: 'EventDecodeError',
      reason: error.message, recommendedAction: 'find the sender of this message in the logs by the request id; nothing in it was applied',
      retryable: false, runId: context.requestId, at: new Date().toISOString(),
    }], []);
    logger.error('message cannot be decoded: listed as failed, not retried', { error });
    return { decoded: false as const, listed: `message:${context.requestId}` };
  },
});
