/**
 * Our verification against Lark's own SDK (`@larksuiteoapi/node-sdk` EventDispatcher, same keys):
 * every request we build it accepts; every request it rejects we reject too. The SDK hashes
 * `JSON.stringify(parsed body)`, so it only agrees on compact JSON; we hash the raw bytes.
 */
import { EventDispatcher, LoggerLevel } from '@larksuiteoapi/node-sdk';
import fc from 'fast-check';
import { parseLarkWebhookConfig } from '../../../../functions/lib/sources/lark/webhookConfig';
import { LarkWebhookError } from '../../../../functions/lib/sources/lark/errors';
import { readMessage } from '../../../../functions/lib/sources/lark/events';
import { createRequestOpener } from '../../../../functions/lib/sources/lark/verify';
import { type LarkHttpRequest, larkRequest, larkUser, v2Event } from '../../../support/larkApi';

const KEYS = { verificationToken: 'oracle-token', encryptKey: 'oracle-encrypt-key' };
const TYPES = ['contact.user.created_v3', 'contact.user.updated_v3', 'contact.user.deleted_v3', 'contact.department.created_v3'];

// LoggerLevel.fatal is 0, which the SDK treats as unset (`level || info`): a silent logger instead.
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };
const sdk = new EventDispatcher({ ...KEYS, loggerLevel: LoggerLevel.error, logger: quiet }).register(
  Object.fromEntries(TYPES.map((t) => [t, async (data: { event_id: string }) => ({ accepted: data.event_id })])),
);
const config = parseLarkWebhookConfig({ LARK_VERIFICATION_TOKEN: KEYS.verificationToken, LARK_ENCRYPT_KEY: KEYS.encryptKey });
const opener = createRequestOpener(config);

/** What the SDK's adapters hand `invoke`: the parsed body with the headers on its prototype. */
async function sdkAccepts(req: LarkHttpRequest): Promise<boolean> {
  let body: object;
  try {
    body = JSON.parse(req.rawBody.toString('utf8')) as object;
  } catch {
    return false;
  }
  return (await sdk.invoke(Object.assign(Object.create({ headers: req.headers }), body))) !== undefined;
}

function weAccept(req: LarkHttpRequest): boolean {
  try {
    readMessage(opener.open(req).payload, config.userIdType);
    return true;
  } catch (error) {
    if (error instanceof LarkWebhookError) return false;
    throw error;
  }
}

const event = fc.record({
  type: fc.constantFrom(...TYPES),
  n: fc.nat(1_000_000),
  name: fc.string({ unit: 'grapheme', maxLength: 20 }),
  nonce: fc.string({ minLength: 1, maxLength: 16, unit: fc.constantFrom(...'abcdefghijklmnop0123456789-'.split('')) }),
  skew: fc.integer({ min: -250, max: 250 }),
});
const build = (e: { type: string; n: number; name: string; nonce: string; skew: number }, indent?: number) => larkRequest(
  v2Event(e.type, { object: { ...larkUser(e.n, { name: e.name }), open_department_id: `od-${e.n}` } }, KEYS.verificationToken),
  KEYS, { nonce: e.nonce, timestamp: Math.floor(Date.now() / 1000) + e.skew, indent },
);

type Mutation = (r: LarkHttpRequest) => LarkHttpRequest;
const withHeader = (name: string, f: (v: string) => string): Mutation => (r) => ({ ...r, headers: { ...r.headers, [name]: f(r.headers[name] ?? '') } });
const flip = (v: string, i: number) => {
  const at = i % Math.max(1, v.length);
  return v.slice(0, at) + (v[at] === 'a' ? 'b' : 'a') + v.slice(at + 1);
};
const MUTATIONS: Record<string, (i: number) => Mutation> = {
  signature: (i) => withHeader('x-lark-signature', (v) => flip(v, i)),
  timestamp: (i) => withHeader('x-lark-request-timestamp', (v) => String(Number(v) + 1 + (i % 100))),
  nonce: (i) => withHeader('x-lark-request-nonce', (v) => `${v}${i}`),
  body: (i) => (r) => {
    const text = r.rawBody.toString('utf8');
    const at = 12 + (i % Math.max(1, text.length - 16));
    const mutated = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    return { ...r, body: mutated, rawBody: Buffer.from(mutated) };
  },
  'another key': () => (r) => r,
  'dropped signature': () => (r) => {
    const { 'x-lark-signature': _gone, ...headers } = r.headers;
    return { ...r, headers };
  },
};

describe('our Lark verification, against the SDK as oracle', () => {
  it('accepts every compact request we build, as the SDK does', async () => {
    await fc.assert(fc.asyncProperty(event, async (e) => {
      const req = build(e);
      expect(await sdkAccepts(req)).toBe(true);
      expect(weAccept(req)).toBe(true);
    }), { numRuns: 500 });
  });

  it('rejects every request the SDK rejects', async () => {
    let sdkRejected = 0;
    await fc.assert(fc.asyncProperty(event, fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(), async (e, kind, i) => {
      const req = kind === 'another key'
        ? larkRequest(v2Event(e.type, { object: larkUser(e.n) }, KEYS.verificationToken), { ...KEYS, encryptKey: `${KEYS.encryptKey}-x` })
        : MUTATIONS[kind]!(i)(build(e));
      if (!(await sdkAccepts(req))) {
        sdkRejected += 1;
        expect(weAccept(req)).toBe(false);
      }
    }), { numRuns: 1000 });
    // The mutations are real: the SDK rejected most of them (a body edit inside base64 padding may survive).
    expect(sdkRejected).toBeGreaterThan(800);
  });

  it('verifies non-compact JSON on its raw bytes, where the SDK (re-serialising) cannot', async () => {
    const req = build({ type: 'contact.user.created_v3', n: 7, name: 'Ada', nonce: 'n-7', skew: 0 }, 2);
    expect(req.body).toContain('\n  "encrypt"');
    expect(await sdkAccepts(req)).toBe(false);
    expect(weAccept(req)).toBe(true);
  });
});
