/**
 * A webhook function's built bundle under test, as FC runs it: a cold start per call from the
 * source's variables plus the queue's, the role's credentials in the context, and the change queue
 * as FC's async invoke API (a local server that checks the SDK's signature).
 * Registers its own jest hooks; call it inside `describe`.
 */
import type { Change } from '../../functions/lib/core/model';
import type { FcHttpEvent } from '../../functions/lib/fc/types';
import { type Bundles, type Invocation, buildBundles } from './bundles';
import { type FcInvokeServer, startFcInvokeServer } from './fcInvokeServer';

export const ROLE_CREDENTIALS = { accessKeyId: 'role-akid', accessKeySecret: 'role-secret', securityToken: 'sts-token' };

export interface WebhookBundle {
  /** Where the bundles were built. */
  readonly dir: string;
  /** The FC invoke endpoint of the current test. */
  readonly fc: FcInvokeServer;
  /** The function's environment in the current test: the source's variables and the queue's. */
  readonly env: NodeJS.ProcessEnv;
  /** Invokes the function with `event`, under `env` (default: the test's). */
  invoke(event: FcHttpEvent, env?: NodeJS.ProcessEnv): Promise<Invocation>;
  /** Every change the function enqueued in the current test. */
  queued(): Change[];
}

export function webhookBundle(functionName: string, sourceEnv: NodeJS.ProcessEnv): WebhookBundle {
  let bundles: Bundles | undefined;
  let fc: FcInvokeServer | undefined;
  let env: NodeJS.ProcessEnv = {};
  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles?.close());
  beforeEach(async () => {
    fc = await startFcInvokeServer({ ...ROLE_CREDENTIALS });
    env = { ...sourceEnv, QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push' };
  });
  afterEach(() => fc?.close());
  return {
    get dir() { return bundles!.dir; },
    get fc() { return fc!; },
    get env() { return env; },
    invoke: (event, withEnv = env) => bundles!.invoke(functionName, event, { env: withEnv, context: { credentials: ROLE_CREDENTIALS } }),
    queued: () => fc!.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as { changes: Change[] }).changes),
  };
}
