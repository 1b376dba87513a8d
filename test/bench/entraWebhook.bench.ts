/**
 * Entra webhook cost, in one run:
 * - check + read per notification: `readNotifications` (clientState digest compared in constant
 *   time, tenant, resource) on single-notification collections, beside `JSON.parse` alone on the
 *   same bodies (the floor: what any reader pays);
 * - the handler in process per notification (FC HTTP event in, FC result out, its middy chain):
 *   with one publish per collection to a local FC invoke endpoint on loopback (500 collections: the
 *   publish dominates), without (a forged clientState: read, discarded, 202), and per notification
 *   in collections of 100 (Graph batches: one publish per collection);
 * The bundle's size and module load: functions.bench.ts measures them with every other function's.
 * Usage: tsx test/bench/entraWebhook.bench.ts [notifications]. Prints one JSON line.
 */
import { buildFcHttpEvent } from '../../functions/lib/fc/httpEvent';
import { clientStateDigest, readNotifications } from '../../functions/lib/sources/entra/events';
import { startFcInvokeServer } from '../support/fcInvokeServer';
import { graphId, graphNotification, notificationCollection } from '../support/graphApi';

const n = Number(process.argv[2] ?? 5000);
const TENANT = '8f3e1a52-6b1c-4d2e-9a7f-0c1d2e3f4a5b';
const CLIENT_STATE = 'bench-client-state-0123456789abcdef';
const ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** Microseconds per notification: the median of ROUNDS passes after a warm-up, contenders interleaved pass by pass. */
async function race(contenders: Record<string, () => unknown>, perPass: number): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = -1; r < ROUNDS; r += 1) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = process.hrtime.bigint();
      await run();
      if (r >= 0) samples[name]!.push(Number(process.hrtime.bigint() - start) / 1000 / perPass);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

const collection = (from: number, size: number, clientState = CLIENT_STATE) => JSON.stringify(notificationCollection(
  Array.from({ length: size }, (_, i) => graphNotification(graphId(from + i, 1), { clientState, tenantId: TENANT }))));

async function main(): Promise<void> {
  const bodies = Array.from({ length: n }, (_, i) => collection(i, 1));
  const rules = { tenantId: TENANT, clientStateDigest: clientStateDigest(CLIENT_STATE), groupDepartments: false };
  const read = await race({
    ours: () => {
      for (const b of bodies) {
        const r = readNotifications(JSON.parse(b), rules);
        if (r.kind !== 'collection' || r.changes.length !== 1) throw new Error('not read');
      }
    },
    jsonParseOnly: () => { for (const b of bodies) JSON.parse(b); },
  }, n);

  // The handler, as built: config read at module load, so set the environment first.
  const fc = await startFcInvokeServer();
  Object.assign(process.env, {
    QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push', LOG_LEVEL: 'error', ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_STATE: CLIENT_STATE,
  });
  const { handler } = await import('../../functions/entra-webhook/index');
  const context = { requestId: 'bench', accountId: '1', region: 'cn-hangzhou', credentials: { accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' } };
  const events = (size: number, count: number, clientState?: string) => Array.from({ length: Math.ceil(count / size) }, (_, c) =>
    Buffer.from(JSON.stringify(buildFcHttpEvent({
      method: 'POST', url: '/entra', headers: { 'content-type': 'application/json' }, body: collection(c * size, size, clientState),
    }))));
  const timeHandler = async (size: number, count: number, clientState?: string) => {
    const samples: number[] = [];
    for (let r = -1; r < 3; r += 1) {
      const requests = events(size, count, clientState);
      const started = process.hrtime.bigint();
      for (const e of requests) {
        const result = await handler(e, context);
        if (result.statusCode !== 202) throw new Error(`handler answered ${result.statusCode}`);
      }
      if (r >= 0) samples.push(Number(process.hrtime.bigint() - started) / 1000 / (requests.length * size));
    }
    return median(samples);
  };
  const published = Math.min(n, 500);
  const withPublish = await timeHandler(1, published);
  const before = fc.invocations.length;
  const forged = await timeHandler(1, n, `${CLIENT_STATE}-forged`);
  if (fc.invocations.length !== before) throw new Error('a forged collection was enqueued');
  const batched = await timeHandler(100, n);
  await fc.close();

  console.log(JSON.stringify({
    notifications: n, publishedCollections: published,
    checkAndRead: { oursUs: round(read.ours!), jsonParseOnlyUs: round(read.jsonParseOnly!), oursOverParse: round(read.ours! / read.jsonParseOnly!) },
    handlerInProcessUsPerNotification: { withPublish: round(withPublish), forgedWithoutPublish: round(forged), batchedBy100: round(batched) },
  }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
