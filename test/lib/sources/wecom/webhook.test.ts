/**
 * The callback use case through the real handler chain: every request is built by `@wecom/crypto`
 * (oracle.ts); what reaches the queue is read back from the FC invoke server.
 */
import { FAILURE_HOLD_MS, WECOM_EVENT_DEADLINE_MS } from '../../../../functions/lib/sources/wecom/webhook';
import { RecentEvents } from '../../../../functions/lib/sources/recentEvents';
import { type CallbackHarness, startCallbackHarness } from './harness';
import { KEYS, OFFICIAL, contactEvent, eventPost, oracleEncrypt, oracleSignature, urlCheck } from './oracle';

describe('receiveWecomCallback', () => {
  let h: CallbackHarness;
  beforeEach(async () => { h = await startCallbackHarness(); });
  afterEach(() => h.close());

  describe('URL verification (GET)', () => {
    it('answers the decrypted echostr exactly: plain text, no quotes, newline or BOM', async () => {
      const answer = await h.send('GET', urlCheck('1616140317555161061'));
      expect(answer).toMatchObject({ status: 200, body: '1616140317555161061', contentType: 'text/plain; charset=utf-8' });
      expect(h.fc.invocations).toHaveLength(0);
    });

    it('answers the official vector with its plaintext', async () => {
      const official = await startCallbackHarness(OFFICIAL);
      try {
        const { signature, timestamp, nonce, echostr, plaintext } = OFFICIAL.verify;
        const url = `/wecom?${new URLSearchParams({ msg_signature: signature, timestamp, nonce, echostr })}`;
        expect(await official.send('GET', url)).toMatchObject({ status: 200, body: plaintext });
      } finally {
        await official.close();
      }
    });

    it("accepts an echostr whose '+' arrived unescaped (decoded as a space)", async () => {
      let url = urlCheck('x');
      for (let i = 0; !decodeURIComponent(url).includes('+'); i++) url = urlCheck(`x${i}`);
      const plaintext = new URL(url, 'http://h').searchParams;
      const raw = `/wecom?msg_signature=${plaintext.get('msg_signature')}&timestamp=${plaintext.get('timestamp')}&nonce=${plaintext.get('nonce')}&echostr=${plaintext.get('echostr')}`;
      expect((await h.send('GET', raw)).status).toBe(200);
    });

    it('refuses a forged signature (401), another corp (403), and a missing parameter (400)', async () => {
      const forged = urlCheck('123').replace(/msg_signature=[0-9a-f]{4}/, 'msg_signature=0000');
      expect(await h.send('GET', forged)).toMatchObject({ status: 401, body: expect.stringContaining('invalid_signature') });
      expect((await h.send('GET', urlCheck('123', KEYS, { receiveId: 'wwanothercorp' }))).status).toBe(403);
      expect((await h.send('GET', urlCheck('123').replace(/&echostr=[^&]*/, ''))).status).toBe(400);
      expect((await h.send('PUT', urlCheck('123'))).status).toBe(405);
    });
  });

  describe('events (POST)', () => {
    it('enqueues the member a change_contact event names and answers 200 with an empty body', async () => {
      const { url, body } = eventPost(contactEvent({ ChangeType: 'create_user', UserID: 'zhangsan', Department: '1,2' }));
      expect(await h.send('POST', url, body)).toMatchObject({ status: 200, body: '' });
      expect(h.batches()).toEqual([expect.objectContaining({
        v: 1, changes: [{ source: 'wecom', kind: 'user', sourceId: 'zhangsan', reason: 'create_user' }],
      })]);
    });

    it('enqueues a rename under the new userid with the previous one as a hint', async () => {
      const { url, body } = eventPost(contactEvent({ ChangeType: 'update_user', UserID: 'zhangsan', NewUserID: 'zhang.san' }, { cdata: false }));
      expect((await h.send('POST', url, body)).status).toBe(200);
      expect(h.batches()[0]?.changes).toEqual([
        { source: 'wecom', kind: 'user', sourceId: 'zhang.san', reason: 'update_user', hint: { previousSourceId: 'zhangsan' } },
      ]);
    });

    it('enqueues departments, and acknowledges tag changes and other messages without enqueueing', async () => {
      const party = eventPost(contactEvent({ ChangeType: 'delete_party', Id: '7' }));
      expect((await h.send('POST', party.url, party.body)).status).toBe(200);
      const tag = eventPost(contactEvent({ ChangeType: 'update_tag', TagId: '3', AddUserItems: 'a,b' }));
      expect((await h.send('POST', tag.url, tag.body)).status).toBe(200);
      expect(h.batches().flatMap((b) => b.changes)).toEqual([{ source: 'wecom', kind: 'group', sourceId: '7', reason: 'delete_party' }]);
    });

    it('acknowledges the official text-message vector without enqueueing anything (at the time it was signed)', async () => {
      const official = await startCallbackHarness(OFFICIAL, { now: () => Number(OFFICIAL.post.timestamp) * 1000 });
      try {
        const { signature, timestamp, nonce, encrypt } = OFFICIAL.post;
        const url = `/wecom?${new URLSearchParams({ msg_signature: signature, timestamp, nonce })}`;
        const answer = await official.send('POST', url, `<xml><ToUserName><![CDATA[${OFFICIAL.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`);
        expect(answer.status).toBe(200);
        expect(official.fc.invocations).toHaveLength(0);
      } finally {
        await official.close();
      }
    });

    it('refuses forged and misaddressed events with 401/403 and enqueues nothing', async () => {
      const event = contactEvent({ ChangeType: 'delete_user', UserID: 'boss' });
      const wrongToken = eventPost(event, { ...KEYS, token: 'someoneElse' });
      expect((await h.send('POST', wrongToken.url, wrongToken.body)).status).toBe(401);
      const otherCorp = eventPost(event, KEYS, { receiveId: 'wwanothercorp' });
      expect((await h.send('POST', otherCorp.url, otherCorp.body)).status).toBe(403);
      // A valid signature moved onto another ciphertext.
      const a = eventPost(event);
      const b = eventPost(contactEvent({ ChangeType: 'delete_user', UserID: 'other' }));
      expect((await h.send('POST', a.url, b.body)).status).toBe(401);
      expect(h.fc.invocations).toHaveLength(0);
    });

    it('refuses malformed bodies and events with 400, oversized ones with 413, and enqueues nothing', async () => {
      const ok = eventPost(contactEvent({ ChangeType: 'create_user', UserID: 'u1' }));
      expect((await h.send('POST', ok.url, '{"encrypt":"json, not xml"}')).status).toBe(400);
      expect((await h.send('POST', ok.url, '<xml><ToUserName>x</ToUserName></xml>')).status).toBe(400);
      expect((await h.send('POST', ok.url.replace(/&nonce=[^&]*/, ''), ok.body)).status).toBe(400);
      expect((await h.send('POST', ok.url, `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`)).status).toBe(413);

      // Correctly signed and encrypted, but the inside is not a usable event.
      const inside = async (xml: string) => {
        const ts = String(Math.floor(Date.now() / 1000));
        const encrypted = oracleEncrypt(KEYS.aesKey, xml, KEYS.corpId);
        const url = `/wecom?${new URLSearchParams({ msg_signature: oracleSignature(KEYS.token, ts, 'n', encrypted), timestamp: ts, nonce: 'n' })}`;
        return (await h.send('POST', url, `<xml><Encrypt>${encrypted}</Encrypt></xml>`)).status;
      };
      expect(await inside('not xml')).toBe(400);
      expect(await inside('<!DOCTYPE x [<!ENTITY a "b">]><xml><UserID>&a;</UserID></xml>')).toBe(400);
      expect(await inside(contactEvent({ ChangeType: 'create_user' }))).toBe(400);
      expect(h.fc.invocations).toHaveLength(0);
    });

    it('holds the answer past WeCom\'s 5 s when the changes cannot be enqueued, so WeCom times out and sends it again', async () => {
      const clock = Date.now();
      const events: string[] = [];
      const held = await startCallbackHarness(KEYS, {
        now: () => clock,
        sleep: async (ms) => { events.push(`hold ${ms}`); },
      });
      try {
        held.fc.failNext(2, 500);
        const { url, body } = eventPost(contactEvent({ ChangeType: 'create_user', UserID: 'u1' }));
        const answer = await held.send('POST', url, body);
        events.push(`answer ${answer.status}`);
        // Held first, then answered: WeCom has given up on the request by then, and retries it.
        expect(events).toEqual([`hold ${FAILURE_HOLD_MS}`, 'answer 503']);
        expect(FAILURE_HOLD_MS).toBeGreaterThan(WECOM_EVENT_DEADLINE_MS);
        expect(answer.body).not.toMatch(/InternalError|127\.0\.0\.1/);
        expect(held.fc.invocations).toHaveLength(0);
        const lines = held.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'changes not enqueued');
        expect(lines).toEqual([expect.objectContaining({ level: 'error', changes: [{ source: 'wecom', kind: 'user', sourceId: 'u1', reason: 'create_user' }] })]);
        // WeCom's retry is the same request: enqueued now, and acknowledged.
        expect((await held.send('POST', url, body)).status).toBe(200);
        expect(held.fc.invocations).toHaveLength(1);
      } finally {
        await held.close();
      }
    });

    it.each([['older', -301], ['newer', 301]])('refuses 401 an event signed %s than WEBHOOK_MAX_AGE_SECONDS, enqueuing nothing', async (_, offset) => {
      const { url, body } = eventPost(contactEvent({ ChangeType: 'delete_user', UserID: 'u1' }), KEYS, { timestamp: String(Math.floor(Date.now() / 1000) + offset) });
      expect((await h.send('POST', url, body)).status).toBe(401);
      expect(h.fc.invocations).toHaveLength(0);
    });

    it('acknowledges an exact duplicate, on this instance or another, and enqueues it once', async () => {
      const first = await startCallbackHarness(KEYS, { recent: new RecentEvents() });
      // Another instance: no memory of the request, the same FC queue.
      const second = await startCallbackHarness(KEYS, { queue: first.queue });
      try {
        const { url, body } = eventPost(contactEvent({ ChangeType: 'delete_user', UserID: 'u1' }));
        for (const instance of [first, first, second]) expect((await instance.send('POST', url, body)).status).toBe(200);
        expect(first.fc.invocations).toHaveLength(1);
        // Only the other instance asked FC again, and FC refused the task id it had seen.
        expect(first.fc.rejected).toEqual(['AsyncTaskAlreadyExists']);
      } finally {
        await first.close();
        await second.close();
      }
    });

    it('logs what it did without ids, names or secrets', async () => {
      const { url, body } = eventPost(contactEvent({ ChangeType: 'create_user', UserID: 'zhangsan', Name: '张三', Mobile: '13800000000', Email: 'zs@corp.example' }));
      await h.send('POST', url, body);
      const text = h.logs.join('\n');
      expect(text).toContain('wecom changes enqueued');
      expect(text).not.toMatch(/13800000000|zs@corp\.example|张三|wecomToken2024|abcdefghijklmnop|fc-secret/);
    });
  });
});
