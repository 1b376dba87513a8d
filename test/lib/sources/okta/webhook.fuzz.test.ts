/**
 * Whatever arrives, the Okta webhook never crashes and never enqueues what is not Okta's: every
 * request below goes through the function's HTTP chain (FC event in, FC result out, the 1 MiB body
 * cap) and is answered 4xx; the only 200 is a verification answered to the holder of the secret.
 * At least 10,000 cases per run.
 */
import fc from 'fast-check';
import { buildFcHttpEvent } from '../../../../functions/lib/fc/httpEvent';
import { httpHandler } from '../../../../functions/lib/fc/handlers';
import type { FcHttpResult } from '../../../../functions/lib/fc/types';
import { parseOktaWebhookConfig } from '../../../../functions/lib/sources/okta/webhookConfig';
import { createOktaWebhook } from '../../../../functions/lib/sources/okta/webhook';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { delivery, deliveryRequest, logEvent, oktaId, userTarget, verificationRequest } from '../../../support/oktaEventHooks';

const SECRET = 'fuzz-secret-0123456789abcdef';
const AUTH = { key: 'Authorization', value: SECRET };
const MAX_BODY = 1024 * 1024;

describe('the Okta webhook under fuzzing', () => {
  let server: FcInvokeServer;
  let handler: ReturnType<typeof httpHandler>;
  const logs = captureLogger('error');
  beforeAll(async () => {
    server = await startFcInvokeServer();
    const receive = createOktaWebhook(parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: SECRET }), {
      queue: createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: server.url }, {
        accountId: () => '1', region: () => 'cn-hangzhou', credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }),
      }),
      logger: logs.log,
    });
    handler = httpHandler('okta-webhook', (req) => receive(req), { maxBodyBytes: MAX_BODY, logger: logs.log });
  });
  afterAll(() => server.close());
  afterEach(() => {
    expect(server.invocations).toHaveLength(0);
    // A crash would be logged at error level as an internal error.
    expect(logs.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logs.text.join('\n')).not.toContain(SECRET);
  });

  let n = 0;
  async function send(method: string, headers: Record<string, string>, body: Buffer | string): Promise<FcHttpResult> {
    const event = buildFcHttpEvent({ method, url: '/okta', headers, body });
    return handler(event, { requestId: `fuzz-${(n += 1)}` } as never);
  }
  async function expect4xx(method: string, headers: Record<string, string>, body: Buffer | string): Promise<number> {
    const res = await send(method, headers, body);
    if (!(res.statusCode >= 400 && res.statusCode < 500)) throw new Error(`expected a 4xx refusal, got ${res.statusCode} ${res.body}`);
    return res.statusCode;
  }

  const genuine = () => deliveryRequest(delivery([logEvent('user.lifecycle.deactivate', [userTarget(oktaId('00u', 5))])]), AUTH);
  const headerName = fc.constantFrom('authorization', 'Authorization', 'x-okta-verification-challenge', 'content-type', 'x-authorization', 'accept');
  const headers = fc.dictionary(headerName, fc.oneof(fc.string({ maxLength: 60 }), fc.constant(SECRET.slice(0, -1))), { maxKeys: 4 });
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'post', 'get');
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
    fc.constant(genuine().body),
  );

  it('refuses arbitrary methods, headers and bodies without the secret (4,000 cases)', async () => {
    await fc.assert(fc.asyncProperty(method, headers, body, async (m, hs, b) => {
      await expect4xx(m, hs, b);
    }), { numRuns: 4000 });
  });

  /** Secrets one edit away from ours, and the usual ways of getting it wrong. */
  const nearMiss = fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 127 })).map(([at, xor]) => {
      const chars = [...SECRET];
      const i = at % chars.length;
      chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) ^ xor);
      return chars.join('');
    }),
    fc.nat({ max: SECRET.length - 1 }).map((k) => SECRET.slice(0, k)),
    fc.string({ minLength: 1, maxLength: 8 }).map((s) => SECRET + s),
    fc.constantFrom(SECRET.toUpperCase(), `Bearer ${SECRET}`, `SSWS ${SECRET}`, `Basic ${SECRET}`, `${SECRET},${SECRET}`),
  ).filter((s) => s.trim() !== SECRET);

  it('refuses genuine deliveries and verifications carrying a near-miss secret, whatever header it is under (3,000 cases)', async () => {
    const good = genuine();
    await fc.assert(fc.asyncProperty(nearMiss, fc.boolean(), fc.constantFrom('authorization', 'Authorization', 'x-okta-hook'), async (guess, verify, key) => {
      const req = verify ? verificationRequest({ key, value: guess }) : good;
      // Only the guess, under `key`: Okta's own header is dropped.
      const hs: Record<string, string> = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'authorization'));
      hs[key] = guess;
      expect(await expect4xx(req.method, hs, req.body)).toBe(401);
    }), { numRuns: 3000 });
  });

  it('with the secret, refuses bodies that are not deliveries (400) and answers a verification only with a usable challenge (2,000 cases)', async () => {
    const notDelivery = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.jsonValue().filter((v) => !(typeof v === 'object' && v !== null && (v as Record<string, unknown>).eventType === 'com.okta.event_hook'))
        .map((v) => JSON.stringify(v) ?? 'null'),
      fc.jsonValue().map((events) => JSON.stringify({ eventType: 'com.okta.event_hook', data: { events: Array.isArray(events) ? [...events, 1] : events } })),
    ).filter((b) => !isDeliveryOfObjects(b));
    await fc.assert(fc.asyncProperty(notDelivery, async (b) => {
      expect(await expect4xx('POST', { authorization: SECRET, 'content-type': 'application/json' }, b)).toBe(400);
    }), { numRuns: 1000 });

    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 600 }), async (challenge) => {
      const res = await send('GET', { authorization: SECRET, 'x-okta-verification-challenge': challenge }, '');
      if (/^[\x21-\x7e]{1,512}$/.test(challenge)) {
        expect(res.statusCode).toBe(200);
        expect(JSON.parse(res.body)).toEqual({ verification: challenge });
      } else {
        expect(res.statusCode).toBe(400);
      }
    }), { numRuns: 1000 });
  });

  it('refuses bodies over 1 MiB (413) before reading them, with or without the secret, and forged large ones under it (1,000 cases)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean(), fc.boolean(), async (extra, withSecret, binary) => {
      const huge = Buffer.alloc(MAX_BODY + extra, binary ? 0xff : 0x20);
      expect(await expect4xx('POST', withSecret ? { authorization: SECRET } : {}, huge)).toBe(413);
    }), { numRuns: 40 });
    const largeForged = Buffer.from(JSON.stringify(delivery(Array.from({ length: 1000 }, (_, i) => logEvent('user.lifecycle.create', [userTarget(oktaId('00u', i))])))));
    expect(largeForged.length).toBeLessThan(MAX_BODY);
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 40 }), async (guess) => {
      fc.pre(guess !== SECRET);
      expect(await expect4xx('POST', { authorization: guess }, largeForged)).toBe(401);
    }), { numRuns: 960 });
  });
});

function isDeliveryOfObjects(body: Buffer | string): boolean {
  try {
    const value = JSON.parse(body.toString()) as { eventType?: unknown; data?: { events?: unknown } };
    return value?.eventType === 'com.okta.event_hook' && Array.isArray(value.data?.events) && value.data!.events.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e));
  } catch {
    return false;
  }
}
