import type { ChangeBatch } from '../../../../functions/lib/core/model';
import { HttpError } from '../../../../functions/lib/core/http';
import { parseOktaWebhookConfig } from '../../../../functions/lib/sources/okta/webhookConfig';
import { createOktaWebhook } from '../../../../functions/lib/sources/okta/webhook';
import { RecentEvents } from '../../../../functions/lib/sources/recentEvents';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import {
  type HookAuth, delivery, deliveryRequest, groupTarget, logEvent, oktaId, userTarget, verificationRequest,
} from '../../../support/oktaEventHooks';

const SECRET = 'Basic YWRtaW46c3VwZXJzZWNyZXQ=';
const AUTH: HookAuth = { key: 'Authorization', value: SECRET };

describe('the Okta Event Hook webhook', () => {
  let fc: FcInvokeServer;
  beforeEach(async () => { fc = await startFcInvokeServer(); });
  afterEach(() => fc.close());

  function webhook(env: Record<string, string> = {}, recent = new RecentEvents()) {
    const config = parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: SECRET, ...env });
    const queue = createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
      accountId: () => '1234567890', region: () => 'cn-hangzhou',
      credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }), publish: { retryDelayMs: 1, attempts: 1 },
    });
    const logs = captureLogger();
    return { receive: createOktaWebhook(config, { queue, logger: logs.log, recent }), logs };
  }
  const enqueued = () => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as ChangeBatch).changes);
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    return { status: (error as HttpError).status, code: (error as HttpError).code };
  };

  const alice = userTarget(oktaId('00u', 1), 'alice@example.com', 'Alice Liddell');
  const bob = userTarget(oktaId('00u', 2), 'bob@example.com', 'Bob Builder');
  const sales = groupTarget(oktaId('00g', 7), 'Sales');

  describe('the one-time verification (GET)', () => {
    it('echoes the challenge as {"verification"} in JSON when the Authorization header verifies, enqueueing nothing', async () => {
      const { receive } = webhook();
      const req = verificationRequest(AUTH, 'Y7pUy1qnMHcfbnkqdkm1');
      const res = await receive(req);
      expect(res).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: { verification: 'Y7pUy1qnMHcfbnkqdkm1' } });
      expect(fc.invocations).toHaveLength(0);
    });

    it('refuses it (401) without the header or with another secret: Okta sends the header on verification too', async () => {
      const { receive, logs } = webhook();
      expect(await refusal(receive(verificationRequest(undefined)))).toEqual({ status: 401, code: 'missing_authorization' });
      expect(await refusal(receive(verificationRequest({ ...AUTH, value: `${SECRET}x` })))).toEqual({ status: 401, code: 'invalid_authorization' });
      expect(logs.lines.map((l) => [l.msg, l.reason])).toEqual([
        ['okta request refused', 'missing_authorization'], ['okta request refused', 'invalid_authorization'],
      ]);
      expect(logs.text.join('\n')).not.toContain(SECRET);
    });

    it('refuses a verified GET without a usable challenge (400)', async () => {
      const { receive } = webhook();
      const { 'x-okta-verification-challenge': _dropped, ...headers } = verificationRequest(AUTH).headers;
      expect(await refusal(receive({ method: 'GET', headers, rawBody: Buffer.alloc(0) }))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(verificationRequest(AUTH, 'a b\u0000')))).toEqual({ status: 400, code: 'malformed' });
    });
  });

  describe('deliveries (POST)', () => {
    it('enqueues one user change per user event, by the target User id, and answers an empty 200', async () => {
      const { receive, logs } = webhook();
      const body = delivery([
        logEvent('user.lifecycle.create', [alice]),
        logEvent('user.account.update_profile', [bob]),
        logEvent('user.lifecycle.deactivate', [alice]),
      ], { eventId: 'b5a188b9-5ece-4636-b041-482ffda96311' });
      const res = await receive(deliveryRequest(body, AUTH));
      expect(res).toEqual({ status: 200 });
      // Alice twice in one delivery: one change, the newest reason.
      expect(enqueued()).toEqual([
        { source: 'okta', kind: 'user', sourceId: bob.id, reason: 'user.account.update_profile' },
        { source: 'okta', kind: 'user', sourceId: alice.id, reason: 'user.lifecycle.deactivate' },
      ]);
      const line = logs.lines.find((l) => l.msg === 'okta delivery enqueued');
      expect(line).toMatchObject({ eventId: 'b5a188b9-5ece-4636-b041-482ffda96311', events: 3, changes: 2, repeated: 0 });
      // Targets' logins and names are personal data; the admin's too.
      for (const personal of ['alice@example.com', 'Alice Liddell', 'bob@example.com', 'admin@example.com', SECRET]) {
        expect(logs.text.join('\n')).not.toContain(personal);
      }
    });

    it('names the person of a membership event, and the group of a group event (departments from groups, the default)', async () => {
      const { receive } = webhook();
      await receive(deliveryRequest(delivery([
        logEvent('group.user_membership.add', [alice, sales]),
        logEvent('group.profile.update', [sales]),
      ]), AUTH));
      expect(enqueued()).toEqual([
        { source: 'okta', kind: 'user', sourceId: alice.id, reason: 'group.user_membership.add' },
        { source: 'okta', kind: 'group', sourceId: sales.id, reason: 'group.profile.update' },
      ]);
    });

    it('leaves group events alone when departments come from profile.department (OKTA_DEPARTMENTS=attribute)', async () => {
      const { receive, logs } = webhook({ OKTA_DEPARTMENTS: 'attribute' });
      await receive(deliveryRequest(delivery([logEvent('group.lifecycle.delete', [sales]), logEvent('group.user_membership.remove', [bob, sales])]), AUTH));
      expect(enqueued()).toEqual([{ source: 'okta', kind: 'user', sourceId: bob.id, reason: 'group.user_membership.remove' }]);
      expect(logs.lines.find((l) => l.msg === 'okta delivery enqueued')?.skipped)
        .toEqual({ 'departments come from profile.department (OKTA_DEPARTMENTS=attribute)': 1 });
    });

    it('reads the secret from a custom Authentication field (OKTA_EVENT_HOOK_HEADER), and only from it', async () => {
      const { receive } = webhook({ OKTA_EVENT_HOOK_HEADER: 'X-Hook-Secret' });
      const custom = { key: 'X-Hook-Secret', value: SECRET, headers: { 'X-Other-Header': 'my-header-value' } };
      expect((await receive(verificationRequest(custom, 'c1'))).body).toEqual({ verification: 'c1' });
      expect(await receive(deliveryRequest(delivery([logEvent('user.lifecycle.activate', [alice])]), custom))).toEqual({ status: 200 });
      expect(await refusal(receive(deliveryRequest(delivery([logEvent('user.lifecycle.activate', [bob])]), AUTH))))
        .toEqual({ status: 401, code: 'missing_authorization' });
      expect(enqueued().map((c) => c.sourceId)).toEqual([alice.id]);
    });

    it('ignores failed outcomes and event types we do not sync, acknowledging them', async () => {
      const { receive, logs } = webhook();
      const res = await receive(deliveryRequest(delivery([
        logEvent('user.lifecycle.deactivate', [alice], { result: 'FAILURE' }),
        logEvent('user.session.start', [bob]),
      ]), AUTH));
      expect(res).toEqual({ status: 200 });
      expect(fc.invocations).toHaveLength(0);
      expect(logs.lines.find((l) => l.msg === 'okta delivery ignored')).toMatchObject({
        events: 2, changes: 0, skipped: { 'outcome FAILURE': 1, 'not an event type we sync': 1 },
      });
    });

    it('reads a repeated event uuid once, within a delivery and across deliveries of this instance', async () => {
      const { receive, logs } = webhook();
      const event = logEvent('user.lifecycle.suspend', [alice], { uuid: 'f790999f-fe87-467a-9880-6982a583986c' });
      await receive(deliveryRequest(delivery([event, event]), AUTH));
      // Okta's retry, or the same event in a later delivery.
      await receive(deliveryRequest(delivery([event, logEvent('user.lifecycle.unsuspend', [bob])]), AUTH));
      expect(enqueued()).toEqual([
        { source: 'okta', kind: 'user', sourceId: alice.id, reason: 'user.lifecycle.suspend' },
        { source: 'okta', kind: 'user', sourceId: bob.id, reason: 'user.lifecycle.unsuspend' },
      ]);
      expect(logs.lines.filter((l) => l.msg === 'okta delivery enqueued').map((l) => l.repeated)).toEqual([1, 1]);
    });

    it('enqueues a retried delivery once when another instance, without this one’s memory, receives it (the eventId is the queue key)', async () => {
      const body = delivery([logEvent('user.lifecycle.create', [alice])]);
      expect(await webhook().receive(deliveryRequest(body, AUTH))).toEqual({ status: 200 });
      expect(await webhook().receive(deliveryRequest(body, AUTH))).toEqual({ status: 200 });
      expect(enqueued()).toHaveLength(1);
      expect(fc.rejected).toEqual(['AsyncTaskAlreadyExists']);
    });

    it('answers 503 when the queue refuses, so Okta retries (once, on a 5xx), logging the change ids, and enqueues the retry', async () => {
      const { receive, logs } = webhook();
      const body = delivery([logEvent('user.lifecycle.delete.initiated', [alice])]);
      fc.failNext(1, 503);
      expect(await refusal(receive(deliveryRequest(body, AUTH)))).toEqual({ status: 503, code: 'service_unavailable' });
      const [line, ...others] = logs.lines.filter((l) => l.msg === 'changes not enqueued');
      expect(others).toEqual([]);
      expect(line).toMatchObject({ level: 'error', count: 1, changes: [{ source: 'okta', kind: 'user', sourceId: alice.id, reason: 'user.lifecycle.delete.initiated' }] });
      expect(JSON.stringify(line)).not.toContain('alice@example.com');
      // The failed uuid was not remembered: Okta's retry is enqueued.
      expect(await receive(deliveryRequest(body, AUTH))).toEqual({ status: 200 });
      expect(enqueued()).toEqual([{ source: 'okta', kind: 'user', sourceId: alice.id, reason: 'user.lifecycle.delete.initiated' }]);
    });
  });

  describe('refusals (nothing enqueued)', () => {
    const body = () => delivery([logEvent('user.lifecycle.create', [alice])]);
    afterEach(() => expect(fc.invocations).toHaveLength(0));

    it('401 for a delivery without the header, with another secret, or with a near miss', async () => {
      const { receive } = webhook();
      expect(await refusal(receive(deliveryRequest(body(), undefined)))).toEqual({ status: 401, code: 'missing_authorization' });
      for (const value of ['Basic YWRtaW46c3VwZXJzZWNyZXQ', `${SECRET} `, SECRET.toLowerCase(), `Bearer ${SECRET}`, SECRET.slice(1)]) {
        expect(await refusal(receive(deliveryRequest(body(), { ...AUTH, value })))).toEqual({ status: 401, code: 'invalid_authorization' });
      }
      expect(await refusal(receive(deliveryRequest(body(), { key: 'X-Authorization', value: SECRET })))).toEqual({ status: 401, code: 'missing_authorization' });
    });

    it('401 before anything else is read: a forged malformed body is not told apart from a forged good one', async () => {
      const { receive } = webhook();
      const forged = { method: 'POST', headers: { authorization: 'guess' }, rawBody: Buffer.from('{not json') };
      expect(await refusal(receive(forged))).toEqual({ status: 401, code: 'invalid_authorization' });
    });

    it('400 for a verified body that is not JSON or not a delivery', async () => {
      const { receive } = webhook();
      const raw = (text: string) => ({ method: 'POST', headers: { authorization: SECRET }, rawBody: Buffer.from(text) });
      expect(await refusal(receive(raw('not json')))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(raw('[1,2]')))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(raw(JSON.stringify({ ...body(), eventType: 'com.okta.inline_hook' }))))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(raw(JSON.stringify({ ...body(), data: { events: {} } }))))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(raw(JSON.stringify({ ...body(), data: { events: [42] } }))))).toEqual({ status: 400, code: 'malformed' });
    });

    it('405 for anything but GET and POST, naming both', async () => {
      const { receive } = webhook();
      const error = await receive({ ...deliveryRequest(body(), AUTH), method: 'PUT' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 405, code: 'method_not_allowed', headers: { allow: 'GET, POST' } });
    });
  });
});
