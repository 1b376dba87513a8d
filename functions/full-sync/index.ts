/**
 * `full-sync`: invoked by hand, `{ "dryRun": true|false, "sources": [...], "allowDeletes": N }`.
 * The seed's one-click push: plans everything, applies unless it is a dry run (the default),
 * and returns the plan summary. `{"held": true}` answers the deletion safeguard's held list and
 * `{"release": ["<externalId>", …] | "all"}` releases it, `{"discardUnfinished": true}` drops an
 * unfinished full sync (what `npm run sync -- … --remote` sends; all of them: lib/sync/messages.ts).
 * Its timer trigger (FULL_SYNC_SCHEDULE, s.yaml) is the daily reconcile: it applies under the
 * safeguard and logs one summary line.
 * An applying run stops before FULL_SYNC_RUN_SECONDS (or the function's timeout), checkpointed,
 * logs `full-sync progress` lines on the way, and invokes itself asynchronously to continue.
 */
import { eventHandler } from '../lib/fc/handlers';
import { roleCredentials } from '../lib/fc/invocation';
import { loadConfig } from '../lib/fc/config';
import { logger } from '../lib/fc/logger';
import type { FcContext } from '../lib/fc/types';
import { fcInvokeEndpoint } from '../lib/queue/factory';
import { invokeAsync } from '../lib/queue/invokeSelf';
import { fullSyncInvocation, invocationPacing } from '../lib/sync/entrances';
import { engineFromEnv } from '../lib/wiring/engine';
import { parseFullSyncInvocation } from '../lib/sync/messages';

const engine = loadConfig((env) => engineFromEnv(env, { credentials: roleCredentials }));

export const handler = eventHandler('full-sync', (invocation, context) => fullSyncInvocation(engine, invocation, {
  runId: context.requestId,
  log: (line) => logger.info('provisioning', { ...line }),
  pacing: {
    ...invocationPacing(engine.pacing, Date.now(), context.function?.timeout, (progress) => logger.info('full-sync progress', { ...progress })),
    continueLater: () => continueInNewInvocation(context),
  },
}), { parse: parseFullSyncInvocation });

/** The same function, asynchronously: a non-dry full sync continues the unfinished run. */
function continueInNewInvocation(context: FcContext): Promise<void> {
  const { accountId, region } = context;
  if (!context.function?.name || !accountId || !region) throw new Error('no function name, account or region in the FC context');
  return invokeAsync({
    functionName: context.function.name, endpoint: fcInvokeEndpoint(accountId, region), credentials: roleCredentials(),
  }, { dryRun: false });
}
