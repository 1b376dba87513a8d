/**
 * `full-sync`: invoked by hand, `{ "dryRun": true|false, "sources": [...], "allowDeletes": N }`.
 * The seed's one-click push: plans everything, applies unless it is a dry run (the default),
 * and returns the plan summary. `{"held": true}` answers the deletion safeguard's held list and
 * `{"release": ["<externalId>", …] | "all"}` releases it (what `npm run sync -- --remote` sends).
 * Its timer trigger (FULL_SYNC_SCHEDULE, s.yaml) is the daily reconcile: it applies under the
 * safeguard and logs one summary line.
 */
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { loadConfig } from '../lib/fc/config';
import { logger } from '../lib/fc/logger';
import { fullSyncInvocation } from '../lib/sync/entrances';
import { engineFromEnv } from '../lib/wiring/engine';
import { parseFullSyncInvocation } from '../lib/sync/messages';

const engine = loadConfig((env) => engineFromEnv(env, { credentials: roleCredentials }));

export const handler = eventHandler('full-sync', (invocation, context) => fullSyncInvocation(engine, invocation, {
  runId: context.requestId,
  log: (line) => logger.info('provisioning', { ...line }),
}), { parse: parseFullSyncInvocation });
