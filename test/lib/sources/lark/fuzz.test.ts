/**
 * Whatever arrives, the webhook never crashes and never enqueues without the keys: every request
 * below is answered with a 4xx HttpError. At least 10,000 cases per run.
 */
import fc from 'fast-check';
import { HttpError } from '../../../../functions/lib/core/http';
import { parseLarkWebhookConfig } from '../../../../functions/lib/sources/lark/webhookConfig';
import { createLarkWebhook } from '../../../../functions/lib/sources/lark/webhook';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { larkRequest, larkUser, urlVerification, v1Event, v2Event } from '../../../support/larkApi';

const KEYS = { verificationToken: 'fuzz-token', encryptKey: 'fuzz-encrypt-key' };

describe('the Lark webhook under fuzzing', () => {
  let server: FcInvokeServer;
  beforeAll(async () => { server = await startFcInvokeServer(); });
  afterAll(() => server.close());
  afterEach(() => expect(server.invocations).toHaveLength(0));

  const make = (withKey: boolean) => createLarkWebhook(
    parseLarkWebhookConfig({ LARK_VERIFICATION_TOKEN: KEYS.verificationToken, ...(withKey && { LARK_ENCRYPT_KEY: KEYS.encryptKey }) }),
    {
      queue: createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: server.url }, {
        accountId: () => '1', region: () => 'cn-hangzhou', credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }),
      }),
      logger: captureLogger('error').log,
    },
  );
  let encrypted: ReturnType<typeof make>;
  let plaintext: ReturnType<typeof make>;
  beforeAll(() => {
    encrypted = make(true);
    plaintext = make(false);
  });

  async function expect4xx(receive: ReturnType<typeof make>, req: { method?: string; headers: Record<string, string>; rawBody: Buffer }) {
    const outcome = await receive({ method: req.method ?? 'POST', headers: req.headers, rawBody: req.rawBody }).then(
      (res) => ({ answered: res.status }), (error: unknown) => ({ error }),
    );
    if (!('error' in outcome) || !(outcome.error instanceof HttpError)) {
      throw new Error(`expected a 4xx refusal, got ${JSON.stringify(outcome)}`);
    }
    expect(outcome.error.status).toBeGreaterThanOrEqual(400);
    expect(outcome.error.status).toBeLessThan(500);
  }

  const header = fc.constantFrom('x-lark-request-timestamp', 'x-lark-request-nonce', 'x-lark-signature', 'content-type');
  const headers = fc.dictionary(header, fc.string({ maxLength: 80 }), { maxKeys: 4 });
  const envelope = fc.oneof(
    fc.constant(urlVerification('not-the-token')),
    fc.constant(v1Event({ type: 'user_add', union_id: 'on_1' }, 'guess')),
    fc.string().map((t) => v2Event('contact.user.created_v3', { object: larkUser(1) }, t)),
    fc.jsonValue(),
  );

  it('refuses arbitrary bytes, JSON and {"encrypt"} bodies with arbitrary headers (4,000 cases)', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.oneof(fc.string(), fc.base64String({ maxLength: 200 })).map((e) => Buffer.from(JSON.stringify({ encrypt: e }))),
    );
    await fc.assert(fc.asyncProperty(body, headers, fc.boolean(), async (rawBody, hs, useEncrypted) => {
      await expect4xx(useEncrypted ? encrypted : plaintext, { headers: hs, rawBody });
    }), { numRuns: 4000 });
  });

  it('refuses requests signed and encrypted under a guessed key, or carrying a guessed token (3,000 cases)', async () => {
    await fc.assert(fc.asyncProperty(envelope, fc.string({ minLength: 1, maxLength: 40 }), fc.boolean(), async (payload, guess, signed) => {
      fc.pre(guess !== KEYS.encryptKey);
      const req = larkRequest(payload as object, { verificationToken: 'irrelevant', encryptKey: guess }, { unsigned: !signed });
      await expect4xx(encrypted, req);
      await expect4xx(plaintext, larkRequest(payload as object, { verificationToken: 'irrelevant' }));
    }), { numRuns: 3000 });
  });

  it('refuses every single-byte change to a genuine request, and any other method (3,000 cases)', async () => {
    const genuine = larkRequest(v2Event('contact.user.created_v3', { object: larkUser(9) }, KEYS.verificationToken), KEYS);
    await fc.assert(fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
      const bytes = Buffer.from(genuine.rawBody);
      const i = at % bytes.length;
      bytes[i] = bytes[i]! ^ xor;
      await expect4xx(encrypted, { headers: genuine.headers, rawBody: bytes });
    }), { numRuns: 2500 });
    await fc.assert(fc.asyncProperty(fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), async (method) => {
      await expect4xx(encrypted, { ...genuine, method });
    }), { numRuns: 500 });
  });
});
