/**
 * The `dingtalk-webhook` handler in process (its real module, middy chain and FC 3.0 queue against
 * a local FC invoke server), for what is too slow to do through a child process per request:
 * fuzzing forged and malformed callbacks.
 */
import * as fc from 'fast-check';
import * as oracle from '@wecom/crypto';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../../../functions/lib/fc/httpEvent';
import type { FcContext, FcHttpEvent, FcHttpResult } from '../../../../functions/lib/fc/types';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { checkAck, DINGTALK_KEYS, dingtalkCallback, signedCallback, WEBHOOK_ENV } from './callbacks';

type Handler = (event: FcHttpEvent, context: FcContext) => Promise<FcHttpResult>;

const CREDENTIALS = { accessKeyId: 'fuzz-akid', accessKeySecret: 'fuzz-secret' };

describe('the dingtalk-webhook handler (in process)', () => {
  let server: FcInvokeServer;
  let handler: Handler;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startFcInvokeServer(CREDENTIALS);
    Object.assign(process.env, WEBHOOK_ENV, { QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: server.url, PUSH_FUNCTION_NAME: 'push', LOG_LEVEL: 'error' });
    jest.isolateModules(() => {
      ({ handler } = require('../../../../functions/dingtalk-webhook/index') as { handler: Handler });
    });
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
  });

  const send = async (url: string, body: string | Buffer, method = 'POST') => {
    const result = await handler(buildFcHttpEvent({ method, url, body, headers: { 'content-type': 'application/json' } }), {
      requestId: 'req-1', accountId: '1234567890', region: 'cn-hangzhou', credentials: CREDENTIALS,
    });
    const decoded = decodeFcHttpResult(result);
    const text = decoded.body.toString('utf8');
    return { status: decoded.status, json: text.startsWith('{') ? JSON.parse(text) as unknown : text };
  };

  it('enqueues a signed event and answers the encrypted success', async () => {
    const before = server.invocations.length;
    const cb = dingtalkCallback({ EventType: 'user_modify_org', UserId: ['u-1'] });
    const answer = await send(cb.url, cb.body);
    expect(answer.status).toBe(200);
    expect(checkAck(answer.json)).toBe(DINGTALK_KEYS.appKey);
    expect(server.invocations).toHaveLength(before + 1);
  });

  it('answers 405 to anything but POST', async () => {
    const cb = dingtalkCallback({ EventType: 'check_url' });
    expect((await send(cb.url, '', 'GET')).status).toBe(405);
  });

  const plaintextArb = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.json({ maxDepth: 2 }),
    fc.constantFrom('{"EventType":"user_add_org","UserId":[{}]}', '{"EventType":1}', 'null', '[]', '{"EventType":"user_add_org","UserId":["a b"]}'),
  ).filter((text) => !/"EventType"\s*:\s*"(user_|org_dept_|check_url)/.test(text) || /UserId":\[\{|a b/.test(text));
  const event = JSON.stringify({ EventType: 'user_add_org', UserId: ['u-fuzz'] });

  /** A callback that must be refused, and the statuses that may refuse it. */
  const forgedArb = fc.oneof(
    fc.record({ bit: fc.nat() }).map(({ bit }) => {
      const cb = dingtalkCallback(event);
      const sig = cb.signature.split('');
      const at = bit % sig.length;
      sig[at] = sig[at] === 'a' ? 'b' : 'a';
      return { url: cb.url.replace(cb.signature, sig.join('')), body: cb.body, allowed: [401] };
    }),
    fc.stringMatching(/^[A-Za-z0-9]{1,32}$/).filter((t) => t !== DINGTALK_KEYS.token)
      .map((token) => ({ ...dingtalkCallback(event, { token }), allowed: [401] })),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64').slice(0, 43))
      .filter((k) => k !== DINGTALK_KEYS.aesKey)
      .map((aesKey) => ({ ...dingtalkCallback(event, { aesKey }), allowed: [400, 403] })),
    fc.string({ maxLength: 40 }).filter((o) => o !== DINGTALK_KEYS.appKey && o !== DINGTALK_KEYS.corpId)
      .map((owner) => ({ ...dingtalkCallback(event, { owner }), allowed: [403] })),
    plaintextArb.map((text) => ({ ...dingtalkCallback(text), allowed: [400] })),
    fc.integer({ min: -48, max: 48 }).filter((n) => n !== 0).map((delta) => {
      const bytes = Buffer.from(oracle.encrypt(DINGTALK_KEYS.aesKey, event, DINGTALK_KEYS.appKey), 'base64');
      const changed = delta < 0 ? bytes.subarray(0, bytes.length + delta) : Buffer.concat([bytes, Buffer.alloc(delta, 3)]);
      return { ...signedCallback(changed.toString('base64')), allowed: [400, 403] };
    }),
    fc.string({ unit: 'binary', maxLength: 300 }).map((body) => ({ url: dingtalkCallback(event).url, body, allowed: [400, 401] })),
    fc.string({ maxLength: 300 }).map((encrypt) => ({ ...signedCallback(encrypt), allowed: [400] })),
    fc.constantFrom('', '?nonce=1', '?signature=x&nonce=1', '?timestamp=1&nonce=1')
      .map((q) => ({ url: `/dingtalk${q}`, body: dingtalkCallback(event).body, allowed: [401] })),
  );

  it('refuses forged and malformed callbacks with a 4xx and enqueues nothing (10,000 cases)', async () => {
    const before = server.invocations.length;
    await fc.assert(
      fc.asyncProperty(forgedArb, async ({ url, body, allowed }) => {
        const { status } = await send(url, body);
        expect(allowed).toContain(status);
      }),
      { numRuns: 10_000 },
    );
    expect(server.invocations).toHaveLength(before);
  }, 120_000);

  it('refuses a body over 256 KiB with 413, before reading it', async () => {
    const cb = dingtalkCallback(event);
    const huge = JSON.stringify({ encrypt: cb.encrypt, padding: 'x'.repeat(300 * 1024) });
    const before = server.invocations.length;
    expect((await send(cb.url, huge)).status).toBe(413);
    expect(server.invocations).toHaveLength(before);
  });
});
