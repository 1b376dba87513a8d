/**
 * `full-sync`: invoked by hand, `{ "dryRun": true|false, "sources": [...], "allowDeletes": N }`.
 * The seed's one-click push: plans everything, applies unless it is a dry run (the default),
 * and returns the plan summary.
 */
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { loadConfig } from '../lib/fc/config';
import { logger } from '../lib/fc/logger';
import { fullSync } from '../lib/sync/entrances';
import { engineFromEnv } from '../lib/sync/environment';
import { parseFullSyncRequest } from '../lib/sync/messages';

const engine = loadConfig((env) => engineFromEnv(env, { credentials: roleCredentials }));

export const handler = eventHandler('full-sync', (request, context) => fullSync(engine, request, {
  runId: context.requestId,
  log: (line) => logger.info('provisioning', { ...line }),
}), { parse: parseFullSyncRequest });
