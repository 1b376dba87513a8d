import type { ChangeBatch } from '../../../../functions/lib/core/model';
import { HttpError } from '../../../../functions/lib/core/http';
import { parseLarkWebhookConfig } from '../../../../functions/lib/sources/lark/webhookConfig';
import { RecentEvents } from '../../../../functions/lib/sources/recentEvents';
import { createLarkWebhook } from '../../../../functions/lib/sources/lark/webhook';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { type LarkKeys, larkRequest, larkUser, urlVerification, v1Event, v2Event } from '../../../support/larkApi';

const KEYS: Required<LarkKeys> = { verificationToken: 'vtok-lark-test', encryptKey: 'lark-encrypt-key-test' };

describe('the Lark webhook', () => {
  let fc: FcInvokeServer;
  beforeEach(async () => { fc = await startFcInvokeServer(); });
  afterEach(() => fc.close());

  function webhook(env: Record<string, string> = {}, recent = new RecentEvents()) {
    const config = parseLarkWebhookConfig({
      LARK_VERIFICATION_TOKEN: KEYS.verificationToken, LARK_ENCRYPT_KEY: KEYS.encryptKey, ...env,
    });
    const queue = createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
      accountId: () => '1234567890', region: () => 'cn-hangzhou',
      credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }), publish: { retryDelayMs: 1, attempts: 1 },
    });
    const logs = captureLogger();
    return { receive: createLarkWebhook(config, { queue, logger: logs.log, recent }), logs };
  }
  const post = (r: { headers: Record<string, string>; rawBody: Buffer }) => ({ method: 'POST', headers: r.headers, rawBody: r.rawBody });
  const enqueued = () => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as ChangeBatch).changes);
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    return { status: (error as HttpError).status, code: (error as HttpError).code };
  };

  describe('URL verification', () => {
    it('answers the encrypted, unsigned challenge with {"challenge"}', async () => {
      const { receive } = webhook();
      const res = await receive(post(larkRequest(urlVerification(KEYS.verificationToken, 'c-123'), KEYS, { unsigned: true })));
      expect(res).toEqual({ status: 200, body: { challenge: 'c-123' } });
    });

    it('answers a plaintext challenge when no Encrypt Key is configured', async () => {
      const { receive } = webhook({ LARK_ENCRYPT_KEY: '' });
      const res = await receive(post(larkRequest(urlVerification(KEYS.verificationToken, 'c-9'), { verificationToken: KEYS.verificationToken })));
      expect(res.body).toEqual({ challenge: 'c-9' });
    });

    it('refuses a challenge with another token (403) and one without (401)', async () => {
      const { receive } = webhook();
      expect(await refusal(receive(post(larkRequest(urlVerification('other'), KEYS, { unsigned: true })))))
        .toEqual({ status: 403, code: 'invalid_token' });
      expect(await refusal(receive(post(larkRequest({ type: 'url_verification', challenge: 'x' }, KEYS, { unsigned: true })))))
        .toEqual({ status: 401, code: 'missing_token' });
    });
  });

  describe('contact events', () => {
    const alice = larkUser(1);

    it('enqueues a created user by union_id (the default id type) and acknowledges', async () => {
      const { receive } = webhook();
      const res = await receive(post(larkRequest(v2Event('contact.user.created_v3', { object: alice }, KEYS.verificationToken), KEYS)));
      expect(res).toEqual({ status: 200, body: { ok: true, changes: 1 } });
      expect(enqueued()).toEqual([{ source: 'lark', kind: 'user', sourceId: alice.union_id, reason: 'contact.user.created_v3' }]);
    });

    it('names the user by the configured LARK_USER_ID_TYPE', async () => {
      for (const [type, id] of [['open_id', alice.open_id], ['user_id', alice.user_id]] as const) {
        fc.invocations.length = 0;
        const { receive } = webhook({ LARK_USER_ID_TYPE: type });
        await receive(post(larkRequest(v2Event('contact.user.deleted_v3', { object: alice }, KEYS.verificationToken), KEYS)));
        expect(enqueued()).toEqual([expect.objectContaining({ sourceId: id, reason: 'contact.user.deleted_v3' })]);
      }
    });

    it.each([
      ['frozen', { is_frozen: false }, { is_frozen: true }],
      ['unfrozen', { is_frozen: true }, { is_frozen: false }],
      ['resigned', { is_resigned: false }, { is_resigned: true }],
      ['reactivated', { is_resigned: true }, { is_resigned: false }],
    ])('enqueues an update that %s a user, with the status change as a hint', async (statusChange, before, after) => {
      const { receive } = webhook();
      const event = { object: { ...alice, status: { ...alice.status, ...after } }, old_object: { status: { ...alice.status, ...before } } };
      await receive(post(larkRequest(v2Event('contact.user.updated_v3', event, KEYS.verificationToken), KEYS)));
      expect(enqueued()).toEqual([{
        source: 'lark', kind: 'user', sourceId: alice.union_id, reason: 'contact.user.updated_v3', hint: { statusChange },
      }]);
    });

    it('passes a changed user_id on as previousSourceId, so the engine re-keys the RAM user', async () => {
      const { receive } = webhook({ LARK_USER_ID_TYPE: 'user_id' });
      const event = { object: { ...alice, user_id: 'alice.new' }, old_object: { user_id: 'alice.old' } };
      await receive(post(larkRequest(v2Event('contact.user.updated_v3', event, KEYS.verificationToken), KEYS)));
      expect(enqueued()).toEqual([expect.objectContaining({ sourceId: 'alice.new', hint: { previousSourceId: 'alice.old' } })]);
    });

    it.each(['created_v3', 'updated_v3', 'deleted_v3'])('enqueues contact.department.%s as a group change', async (suffix) => {
      const { receive } = webhook();
      const event = suffix === 'deleted_v3'
        ? { old_object: { open_department_id: 'od-sales', status: { is_deleted: true } } }
        : { object: { open_department_id: 'od-sales', name: 'Sales', parent_department_id: '0' } };
      await receive(post(larkRequest(v2Event(`contact.department.${suffix}`, event, KEYS.verificationToken), KEYS)));
      expect(enqueued()).toEqual([{ source: 'lark', kind: 'group', sourceId: 'od-sales', reason: `contact.department.${suffix}` }]);
    });

    it('reads schema 1.0 envelopes (token at the top level, employee_id for user_id)', async () => {
      const { receive } = webhook({ LARK_ENCRYPT_KEY: '', LARK_USER_ID_TYPE: 'user_id' });
      const keys = { verificationToken: KEYS.verificationToken };
      await receive(post(larkRequest(v1Event({ type: 'user_add', open_id: 'ou_1', union_id: 'on_1', employee_id: 'e1' }, keys.verificationToken), keys)));
      await receive(post(larkRequest(v1Event({
        type: 'user_status_change', employee_id: 'e2', before_status: { is_active: true, is_frozen: false, is_resign: false },
        change_status: { is_active: true, is_frozen: true, is_resign: false },
      }, keys.verificationToken), keys)));
      await receive(post(larkRequest(v1Event({ type: 'dept_delete', open_department_id: 'od-x' }, keys.verificationToken), keys)));
      expect(enqueued()).toEqual([
        { source: 'lark', kind: 'user', sourceId: 'e1', reason: 'user_add' },
        { source: 'lark', kind: 'user', sourceId: 'e2', reason: 'user_status_change', hint: { statusChange: 'frozen' } },
        { source: 'lark', kind: 'group', sourceId: 'od-x', reason: 'dept_delete' },
      ]);
    });

    it('acknowledges other events and events without the configured id, enqueueing nothing', async () => {
      const { receive, logs } = webhook({ LARK_USER_ID_TYPE: 'user_id' });
      const other = await receive(post(larkRequest(v2Event('im.message.receive_v1', { message: {} }, KEYS.verificationToken), KEYS)));
      const noUserId = { object: { ...alice, user_id: undefined } };
      const missing = await receive(post(larkRequest(v2Event('contact.user.created_v3', noUserId, KEYS.verificationToken), KEYS)));
      expect([other.status, missing.status]).toEqual([200, 200]);
      expect(fc.invocations).toHaveLength(0);
      expect(logs.lines.filter((l) => l.msg === 'lark event ignored').map((l) => l.skipped))
        .toEqual(['not a contact event we sync', 'the event carries no user_id']);
    });

    it('enqueues a repeated event_id once per warm instance, acknowledging both', async () => {
      const { receive } = webhook();
      const event = v2Event('contact.user.created_v3', { object: alice }, KEYS.verificationToken, 'evt-1');
      const first = await receive(post(larkRequest(event, KEYS)));
      const again = await receive(post(larkRequest(event, KEYS)));
      expect(first.status).toBe(200);
      expect(again).toEqual({ status: 200, body: { ok: true, duplicate: true } });
      expect(fc.invocations).toHaveLength(1);
    });

    it('answers 503 when the queue refuses (Lark retries at 15 s, 5 min, 1 h, 6 h), logging the change ids, and enqueues the redelivery', async () => {
      const { receive, logs } = webhook();
      const event = v2Event('contact.user.created_v3', { object: alice }, KEYS.verificationToken, 'evt-2');
      fc.failNext(1, 503);
      expect(await refusal(receive(post(larkRequest(event, KEYS))))).toEqual({ status: 503, code: 'service_unavailable' });
      const [line, ...others] = logs.lines.filter((l) => l.msg === 'changes not enqueued');
      expect(others).toEqual([]);
      expect(line).toMatchObject({ level: 'error', count: 1, changes: [{ source: 'lark', kind: 'user', sourceId: alice.union_id, reason: 'contact.user.created_v3' }] });
      for (const personal of [alice.name, alice.email, alice.mobile]) expect(JSON.stringify(line)).not.toContain(personal);
      const retry = await receive(post(larkRequest(event, KEYS)));
      expect(retry.body).toEqual({ ok: true, changes: 1 });
      expect(enqueued()).toHaveLength(1);
    });

    it('enqueues an event once when another instance, without this one’s memory, receives it again', async () => {
      const event = v2Event('contact.user.created_v3', { object: alice }, KEYS.verificationToken, 'evt-3');
      expect((await webhook().receive(post(larkRequest(event, KEYS)))).status).toBe(200);
      expect((await webhook().receive(post(larkRequest(event, KEYS)))).status).toBe(200);
      expect(enqueued()).toHaveLength(1);
      expect(fc.rejected).toEqual(['AsyncTaskAlreadyExists']);
    });
  });

  describe('refusals (nothing enqueued)', () => {
    const event = () => v2Event('contact.user.created_v3', { object: larkUser(2) }, KEYS.verificationToken);
    afterEach(() => expect(fc.invocations).toHaveLength(0));

    it('401 for a signature over other bytes, another key, or missing headers', async () => {
      const { receive } = webhook();
      const good = larkRequest(event(), KEYS);
      const tampered = { ...good, rawBody: Buffer.from(good.body.replace('{"encrypt"', '{ "encrypt"')) };
      expect(await refusal(receive(post(tampered)))).toEqual({ status: 401, code: 'invalid_signature' });
      const otherKey = larkRequest(event(), { ...KEYS, encryptKey: 'not-our-key' });
      expect(await refusal(receive(post(otherKey)))).toEqual({ status: 401, code: 'invalid_signature' });
      const { 'x-lark-signature': _dropped, ...partial } = good.headers;
      expect(await refusal(receive(post({ ...good, headers: partial })))).toEqual({ status: 401, code: 'missing_signature' });
      expect(await refusal(receive(post(larkRequest(event(), KEYS, { unsigned: true }))))).toEqual({ status: 401, code: 'missing_signature' });
    });

    it('401 for a request older or newer than LARK_MAX_AGE_SECONDS', async () => {
      const { receive } = webhook({ LARK_MAX_AGE_SECONDS: '60' });
      const now = Math.floor(Date.now() / 1000);
      expect(await refusal(receive(post(larkRequest(event(), KEYS, { timestamp: now - 61 }))))).toEqual({ status: 401, code: 'stale_request' });
      expect(await refusal(receive(post(larkRequest(event(), KEYS, { timestamp: now + 61 }))))).toEqual({ status: 401, code: 'stale_request' });
    });

    it('403 for a validly signed event carrying another verification token', async () => {
      const { receive } = webhook();
      const forged = v2Event('contact.user.created_v3', { object: larkUser(3) }, 'someone-elses-token');
      expect(await refusal(receive(post(larkRequest(forged, KEYS))))).toEqual({ status: 403, code: 'invalid_token' });
    });

    it('without an Encrypt Key, only the token authenticates: 403 wrong, 401 absent', async () => {
      const { receive } = webhook({ LARK_ENCRYPT_KEY: '' });
      const plain = { verificationToken: 'wrong' };
      expect(await refusal(receive(post(larkRequest(v2Event('contact.user.created_v3', {}, 'wrong'), plain)))))
        .toEqual({ status: 403, code: 'invalid_token' });
      const { header, ...rest } = v2Event('contact.user.created_v3', {}, 'x') as { header: Record<string, unknown> };
      const noToken = { ...rest, header: { ...header, token: undefined } };
      expect(await refusal(receive(post(larkRequest(noToken, plain))))).toEqual({ status: 401, code: 'missing_token' });
    });

    it('400 for bodies that are not JSON objects, plaintext where encryption is expected, or malformed envelopes', async () => {
      const { receive } = webhook();
      const raw = (text: string) => ({ method: 'POST', headers: {}, rawBody: Buffer.from(text) });
      expect(await refusal(receive(raw('not json')))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(raw('[1,2]')))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(raw(JSON.stringify(event()))))).toEqual({ status: 400, code: 'encryption_required' });
      const noHeader = { schema: '2.0', token: KEYS.verificationToken, event: {} };
      expect(await refusal(receive(post(larkRequest(noHeader, KEYS))))).toEqual({ status: 401, code: 'missing_token' });
      const noType = { schema: '2.0', header: { token: KEYS.verificationToken, event_id: 'e' }, event: {} };
      expect(await refusal(receive(post(larkRequest(noType, KEYS))))).toEqual({ status: 400, code: 'malformed' });
    });

    it('400 naming LARK_ENCRYPT_KEY when Lark encrypts but no key is configured', async () => {
      const { receive } = webhook({ LARK_ENCRYPT_KEY: '' });
      const error = await receive(post(larkRequest(event(), KEYS))).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400, code: 'malformed', message: expect.stringContaining('LARK_ENCRYPT_KEY') });
    });

    it('405 for anything but POST', async () => {
      const { receive } = webhook();
      expect(await refusal(receive({ method: 'GET', headers: {}, rawBody: Buffer.alloc(0) }))).toEqual({ status: 405, code: 'method_not_allowed' });
    });
  });
});
