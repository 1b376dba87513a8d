/**
 * Fuzzing the callback through the real handler chain (fast-check, over 10,000 cases a run):
 * whatever arrives, the answer is a 4xx (never a crash or a 5xx) and nothing is enqueued unless
 * the request was signed and encrypted with our keys; then only well-formed changes go out.
 */
import fc from 'fast-check';
import { type CallbackHarness, startCallbackHarness } from './harness';
import { KEYS, contactEvent, eventPost, oracleEncrypt, oracleSignature, urlCheck } from './oracle';

const query = fc.dictionary(
  fc.constantFrom('msg_signature', 'timestamp', 'nonce', 'echostr', 'x'),
  fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[0-9a-f]{40}$/), fc.base64String({ maxLength: 200 })),
);

/** XML-like text: nested tags, CDATA, entity declarations, bombs, and plain noise. */
const xmlish: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }),
    fc.constantFrom('<![CDATA[x]]>', '&amp;', '&lol;', '<!-- c -->', '<!DOCTYPE x [<!ENTITY a "aa">]>', '<?xml version="1.0"?>', ']]>'),
    fc.tuple(fc.constantFrom('xml', 'Encrypt', 'UserID', 'a', '__proto__', 'constructor'), fc.array(tie('node'), { maxLength: 4 }))
      .map(([tag, children]) => `<${tag}>${children.join('')}</${tag}>`),
  ),
})).node;

const body = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  xmlish,
  xmlish.map((inner) => `<xml><Encrypt>${inner}</Encrypt></xml>`),
  fc.base64String({ maxLength: 400 }).map((b64) => `<xml><Encrypt><![CDATA[${b64}]]></Encrypt></xml>`),
  fc.nat({ max: 200 }).map((n) => `<xml>${'<a>'.repeat(n)}${'</a>'.repeat(n)}</xml>`),
);

describe('the WeCom callback under fuzzing', () => {
  let h: CallbackHarness;
  beforeAll(async () => { h = await startCallbackHarness(); });
  afterAll(() => h.close());

  it('answers arbitrary requests with a 4xx and enqueues nothing', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), query, body, async (method, q, b) => {
      const answer = await h.send(method, `/wecom?${new URLSearchParams(q)}`, b);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }), { numRuns: 10_000 });
    expect(h.fc.invocations).toHaveLength(0);
  }, 120_000);

  it('refuses any change to a signed event or URL check with 4xx', async () => {
    const valid = eventPost(contactEvent({ ChangeType: 'delete_user', UserID: 'target' }), KEYS, { timestamp: '1700000000', nonce: 'n1' });
    await fc.assert(fc.asyncProperty(fc.nat({ max: valid.encrypted.length - 1 }), fc.base64String({ minLength: 1, maxLength: 4 }), async (at, replacement) => {
      const tampered = valid.encrypted.slice(0, at) + replacement + valid.encrypted.slice(at + replacement.length);
      fc.pre(tampered !== valid.encrypted);
      const answer = await h.send('POST', valid.url, `<xml><Encrypt>${tampered}</Encrypt></xml>`);
      expect(answer.status).toBe(401);
      const check = new URL(urlCheck('hello', KEYS, { timestamp: '1700000000', nonce: 'n1' }), 'http://h');
      const echostr = check.searchParams.get('echostr')!;
      check.searchParams.set('echostr', echostr.slice(0, at % echostr.length) + replacement + echostr.slice((at % echostr.length) + replacement.length));
      const get = await h.send('GET', `${check.pathname}${check.search}`);
      expect(get.status === 401 || get.body === 'hello').toBe(true);
    }), { numRuns: 1_000 });
    expect(h.fc.invocations).toHaveLength(0);
  }, 120_000);

  it('never fails on a correctly signed payload: 200 with valid changes, or 400', async () => {
    const inner = fc.oneof(
      fc.string({ maxLength: 200 }),
      xmlish,
      fc.record({
        ChangeType: fc.constantFrom('create_user', 'update_user', 'delete_user', 'create_party', 'update_party', 'delete_party', 'update_tag', ''),
        UserID: fc.string({ maxLength: 70 }),
        NewUserID: fc.string({ maxLength: 10 }),
        Id: fc.oneof(fc.nat().map(String), fc.string({ maxLength: 5 })),
      }, { requiredKeys: ['ChangeType'] }).chain((fields) => fc.boolean().map((cdata) => contactEvent(fields as Record<string, string>, { cdata }))),
    );
    const before = h.fc.invocations.length;
    await fc.assert(fc.asyncProperty(inner, async (xml) => {
      const encrypted = oracleEncrypt(KEYS.aesKey, xml, KEYS.corpId);
      const ts = String(Math.floor(Date.now() / 1000));
      const url = `/wecom?${new URLSearchParams({ msg_signature: oracleSignature(KEYS.token, ts, 'n', encrypted), timestamp: ts, nonce: 'n' })}`;
      const answer = await h.send('POST', url, `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`);
      expect([200, 400]).toContain(answer.status);
    }), { numRuns: 2_000 });
    for (const batch of h.batches().slice(before)) {
      for (const change of batch.changes) {
        expect(change.source).toBe('wecom');
        expect(change.sourceId).toMatch(change.kind === 'user' ? /^[A-Za-z0-9_@.-]{1,128}$/ : /^[0-9]+$/);
      }
    }
  }, 120_000);
});
