/**
 * Okta webhook cost, in one run:
 * - check + parse per event: the header check and `readDelivery` on single-event deliveries, and
 *   the Okta SDK's `ObjectSerializer.deserialize(…, 'LogEvent')` on the same events beside it (it
 *   only builds model objects: no check, no changes);
 * - the handler in process per event (FC HTTP event in, FC result out, its middy chain): with one
 *   publish per delivery to a local FC invoke endpoint on loopback (500 deliveries: the publish
 *   dominates), without (an event type we do not sync), and per event in deliveries of 100 events
 *   (Okta batches events that come together: one publish per delivery);
 * The bundle's size and module load: functions.bench.ts measures them with every other function's.
 * Usage: tsx test/bench/oktaWebhook.bench.ts [events]. Prints one JSON line.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { buildFcHttpEvent } from '../../functions/lib/fc/httpEvent';
import { readDelivery } from '../../functions/lib/sources/okta/events';
import { parseOktaWebhookConfig } from '../../functions/lib/sources/okta/webhookConfig';
import { startFcInvokeServer } from '../support/fcInvokeServer';
import { OktaObjectSerializer, delivery, deliveryRequest, logEvent, oktaId, userTarget } from '../support/oktaEventHooks';

const n = Number(process.argv[2] ?? 5000);
const SECRET = 'bench-secret-0123456789abcdef';
const AUTH = { key: 'Authorization', value: SECRET };
const ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** Microseconds per event: the median of ROUNDS passes after a warm-up, contenders interleaved pass by pass. */
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

async function main(): Promise<void> {
  const events = Array.from({ length: n }, (_, i) => logEvent('user.account.update_profile', [userTarget(oktaId('00u', i))]));
  const bodies = events.map((e) => deliveryRequest(delivery([e]), AUTH));
  const config = parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: SECRET });
  const expected = createHash('sha256').update(SECRET).digest();
  const parse = await race({
    ours: () => {
      for (const b of bodies) {
        if (!timingSafeEqual(createHash('sha256').update(b.headers.authorization!).digest(), expected)) throw new Error('refused');
        readDelivery(JSON.parse(b.rawBody.toString('utf8')), config.departments);
      }
    },
    sdk: () => {
      for (const b of bodies) {
        const json = JSON.parse(b.rawBody.toString('utf8')) as { data: { events: unknown[] } };
        for (const e of json.data.events) OktaObjectSerializer.deserialize(e, 'LogEvent', '');
      }
    },
  }, n);

  // The handler, as built: config read at module load, so set the environment first.
  const fc = await startFcInvokeServer();
  Object.assign(process.env, {
    QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push', LOG_LEVEL: 'error', OKTA_EVENT_HOOK_SECRET: SECRET,
  });
  const { handler } = await import('../../functions/okta-webhook/index');
  const context = { requestId: 'bench', accountId: '1', region: 'cn-hangzhou', credentials: { accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' } };
  // New uuids and eventIds per pass, so the duplicate filters do not turn later passes into no-ops.
  const fresh = (type: string, perDelivery: number, count: number) => Array.from({ length: Math.ceil(count / perDelivery) }, (_, d) => {
    const batch = Array.from({ length: perDelivery }, (_, i) => logEvent(type, [userTarget(oktaId('00u', d * perDelivery + i))]));
    const r = deliveryRequest(delivery(batch), AUTH);
    return Buffer.from(JSON.stringify(buildFcHttpEvent({ method: 'POST', url: '/okta', headers: r.headers, body: r.body })));
  });
  const timeHandler = async (type: string, perDelivery: number, count = n) => {
    const samples: number[] = [];
    for (let r = -1; r < 3; r += 1) {
      const requests = fresh(type, perDelivery, count);
      const started = process.hrtime.bigint();
      for (const e of requests) {
        const result = await handler(e, context);
        if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}`);
      }
      if (r >= 0) samples.push(Number(process.hrtime.bigint() - started) / 1000 / (requests.length * perDelivery));
    }
    return median(samples);
  };
  // One loopback publish per delivery dominates: fewer deliveries suffice.
  const withPublish = await timeHandler('user.account.update_profile', 1, Math.min(n, 500));
  const withoutPublish = await timeHandler('user.session.start', 1);
  const batched = await timeHandler('user.account.update_profile', 100);
  await fc.close();

  console.log(JSON.stringify({
    events: n, publishedDeliveries: Math.min(n, 500),
    checkAndParse: { oursUs: round(parse.ours!), sdkLogEventDeserializeUs: round(parse.sdk!), sdkOverOurs: round(parse.sdk! / parse.ours!) },
    handlerInProcessUsPerEvent: { withPublish: round(withPublish), withoutPublish: round(withoutPublish), batchedBy100: round(batched) },
  }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
