/**
 * Whatever arrives without ENTRA_CLIENT_STATE, the webhook never crashes and never enqueues: every
 * request below is refused with a 4xx HttpError or answered 202 with nothing published. Random
 * bodies, headers, methods and query strings, near misses of the clientState and tenant, and
 * single-byte changes to a genuine collection's secret. At least 10,000 cases per run.
 */
import fc from 'fast-check';
import { HttpError } from '../../../../functions/lib/core/http';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { createEntraWebhook } from '../../../../functions/lib/sources/entra/webhook';
import { parseEntraWebhookConfig } from '../../../../functions/lib/sources/entra/webhookConfig';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { graphNotification, notificationCollection } from '../../../support/graphApi';

const TENANT = '8f3e1a52-6b1c-4d2e-9a7f-0c1d2e3f4a5b';
const CLIENT_STATE = 'fuzz-client-state-5d0c7f1e9b2a';
const USER = '0b7c4e1d-2f3a-4b5c-8d6e-7f8091a2b3c4';

describe('the Entra webhook under fuzzing', () => {
  let server: FcInvokeServer;
  let receive: ReturnType<typeof createEntraWebhook>;
  beforeAll(async () => {
    server = await startFcInvokeServer();
    receive = createEntraWebhook(parseEntraWebhookConfig({ ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_STATE: CLIENT_STATE, ENTRA_DEPARTMENTS: 'both' }), {
      queue: createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: server.url }, {
        accountId: () => '1', region: () => 'cn-hangzhou', credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }),
      }),
      logger: captureLogger('error').log,
    });
  });
  afterAll(() => server.close());
  afterEach(() => expect(server.invocations).toHaveLength(0));

  /** A 4xx refusal, or 202 with no body; and never a publish (checked after each test). */
  async function expectNoEnqueue(req: { method?: string; query?: Record<string, string>; rawBody: Buffer }) {
    const outcome = await receive({ method: req.method ?? 'POST', query: req.query ?? {}, rawBody: req.rawBody }).then(
      (res) => ({ answered: res }), (error: unknown) => ({ error }),
    );
    if ('answered' in outcome) {
      // The handshake is the one 200: only for an empty body, and it echoes the query, nothing else.
      if (outcome.answered.status === 200) {
        expect(req.rawBody.length).toBe(0);
        expect(outcome.answered.body).toBe(req.query?.validationToken);
      } else expect(outcome.answered).toEqual({ status: 202 });
      return;
    }
    if (!(outcome.error instanceof HttpError)) throw new Error(`expected a 4xx refusal, got ${String(outcome.error)}`);
    expect(outcome.error.status).toBeGreaterThanOrEqual(400);
    expect(outcome.error.status).toBeLessThan(500);
  }
  const forgedItem = (clientState: unknown, tenantId: unknown = TENANT) => ({ ...graphNotification(USER, { tenantId: TENANT }), clientState, tenantId });
  const query = fc.dictionary(fc.constantFrom('validationToken', 'token', 'clientState', 'x'), fc.string({ maxLength: 60 }), { maxKeys: 3 });

  it('answers arbitrary bytes and arbitrary JSON, with arbitrary query strings, without enqueueing (4,000 cases)', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.array(fc.jsonValue(), { maxLength: 5 }).map((value) => Buffer.from(JSON.stringify({ value }))),
    );
    await fc.assert(fc.asyncProperty(body, query, async (rawBody, q) => {
      await expectNoEnqueue({ rawBody, query: q });
    }), { numRuns: 4000 });
  });

  it('discards collections whose clientState is a near miss, missing, of another type, or whose tenant is another (3,000 cases)', async () => {
    const nearMiss = fc.oneof(
      fc.string({ maxLength: 130 }),
      fc.tuple(fc.nat(CLIENT_STATE.length - 1), fc.integer({ min: 1, max: 0xffff })).map(([at, x]) =>
        CLIENT_STATE.slice(0, at) + String.fromCharCode(CLIENT_STATE.charCodeAt(at) ^ x) + CLIENT_STATE.slice(at + 1)),
      fc.nat(CLIENT_STATE.length - 1).map((n) => CLIENT_STATE.slice(0, n)),
      fc.string({ minLength: 1, maxLength: 4 }).map((s) => CLIENT_STATE + s),
      fc.constantFrom(CLIENT_STATE.toUpperCase(), ` ${CLIENT_STATE}`, `${CLIENT_STATE}\n`, null, 42, [CLIENT_STATE], { value: CLIENT_STATE }),
    );
    const otherTenant = fc.oneof(fc.uuid(), fc.string(), fc.constantFrom(null, 7, `${TENANT} `));
    const collection = fc.oneof(
      fc.array(nearMiss, { minLength: 1, maxLength: 4 }).map((states) => states.map((s) => forgedItem(s))),
      fc.array(otherTenant, { minLength: 1, maxLength: 4 }).map((tenants) => tenants.map((t) => forgedItem(CLIENT_STATE, t))),
      nearMiss.map((s) => [{ subscriptionId: USER, lifecycleEvent: 'reauthorizationRequired', clientState: s, tenantId: TENANT }]),
    );
    await fc.assert(fc.asyncProperty(collection, query, async (items, q) => {
      fc.pre(items.every((i) => (i as { clientState: unknown }).clientState !== CLIENT_STATE || (i as { tenantId: unknown }).tenantId !== TENANT));
      await expectNoEnqueue({ rawBody: Buffer.from(JSON.stringify(notificationCollection(items))), query: q });
    }), { numRuns: 3000 });
  });

  it('never enqueues a genuine collection with one byte of its clientState changed, nor one under another method (3,000 cases)', async () => {
    const genuine = JSON.stringify(notificationCollection([graphNotification(USER, { clientState: CLIENT_STATE, tenantId: TENANT })]));
    const at = genuine.indexOf(CLIENT_STATE);
    await fc.assert(fc.asyncProperty(fc.nat(CLIENT_STATE.length - 1), fc.integer({ min: 1, max: 127 }), async (i, xor) => {
      const bytes = Buffer.from(genuine);
      bytes[at + i] = bytes[at + i]! ^ xor;
      await expectNoEnqueue({ rawBody: bytes });
    }), { numRuns: 2500 });
    await fc.assert(fc.asyncProperty(fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), query, async (method, q) => {
      await expectNoEnqueue({ method, query: q, rawBody: Buffer.from(genuine) });
    }), { numRuns: 500 });
  });
});
