import type { ChangeBatch } from '../../../../functions/lib/core/model';
import { HttpError } from '../../../../functions/lib/core/http';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { MAX_NOTIFICATIONS } from '../../../../functions/lib/sources/entra/events';
import { MAX_BODY_BYTES, createEntraWebhook } from '../../../../functions/lib/sources/entra/webhook';
import { parseEntraWebhookConfig } from '../../../../functions/lib/sources/entra/webhookConfig';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { graphNotification, notificationCollection } from '../../../support/graphApi';

const TENANT = '8f3e1a52-6b1c-4d2e-9a7f-0c1d2e3f4a5b';
const CLIENT_STATE = 'entra-webhook-test-client-state-0123456789';
const ALICE = '0b7c4e1d-2f3a-4b5c-8d6e-7f8091a2b3c4';
const BOB = '1c8d5f2e-3a4b-4c6d-9e7f-8091a2b3c4d5';
const GROUP = '2d9e6a3f-4b5c-4d7e-8f90-91a2b3c4d5e6';

describe('the Entra webhook', () => {
  let fc: FcInvokeServer;
  beforeEach(async () => { fc = await startFcInvokeServer(); });
  afterEach(() => fc.close());

  function webhook(env: Record<string, string> = {}) {
    const config = parseEntraWebhookConfig({ ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_STATE: CLIENT_STATE, ...env });
    const queue = createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
      accountId: () => '1234567890', region: () => 'cn-hangzhou',
      credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }), publish: { retryDelayMs: 1, attempts: 1 },
    });
    const logs = captureLogger();
    return { receive: createEntraWebhook(config, { queue, logger: logs.log }), logs };
  }
  const ours = { clientState: CLIENT_STATE, tenantId: TENANT };
  const post = (body: unknown, query: Record<string, string> = {}) => ({
    method: 'POST', query, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const enqueued = () => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as ChangeBatch).changes);
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    return { status: (error as HttpError).status, code: (error as HttpError).code };
  };

  describe('the validation handshake', () => {
    it('echoes the validationToken, as decoded, as text/plain with 200', async () => {
      const { receive } = webhook();
      // What Graph sends, once the query is decoded: spaces and colons included.
      const token = 'Validation: Testing client application reachability for subscription Request-Id: 3b3f9821-ce3f-23d9-879b-00a23f3 +/=%';
      const res = await receive(post(Buffer.alloc(0), { validationToken: token }));
      expect(res).toEqual({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: token });
      expect(fc.invocations).toHaveLength(0);
    });

    it('refuses an empty or over-long token (400)', async () => {
      const { receive } = webhook();
      expect(await refusal(receive(post(Buffer.alloc(0), { validationToken: '' })))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(post(Buffer.alloc(0), { validationToken: 'x'.repeat(1025) })))).toEqual({ status: 400, code: 'malformed' });
    });

    it('reads a body sent with a validationToken as a notification, never echoing the token', async () => {
      const { receive } = webhook();
      const res = await receive(post(notificationCollection([graphNotification(ALICE, ours)]), { validationToken: 'echo-me' }));
      expect(res).toEqual({ status: 202 });
      expect(enqueued()).toHaveLength(1);
    });
  });

  describe('change notifications', () => {
    it('enqueues the user a notification names and answers 202 with no body', async () => {
      const { receive, logs } = webhook();
      const res = await receive(post(notificationCollection([graphNotification(ALICE, ours)])));
      expect(res).toEqual({ status: 202 });
      expect(enqueued()).toEqual([{ source: 'entra', kind: 'user', sourceId: ALICE, reason: 'graph-updated' }]);
      expect(logs.text.join('\n')).not.toContain(CLIENT_STATE);
    });

    it('turns a batched collection into one change per user, whatever it repeats', async () => {
      const { receive } = webhook();
      await receive(post(notificationCollection([
        graphNotification(ALICE, ours), graphNotification(BOB, { ...ours, changeType: 'deleted' }),
        graphNotification(ALICE, ours), graphNotification(ALICE.toUpperCase(), { ...ours, resource: `users/${ALICE.toUpperCase()}` }),
      ])));
      expect(enqueued()).toEqual([
        { source: 'entra', kind: 'user', sourceId: ALICE, reason: 'graph-updated' },
        { source: 'entra', kind: 'user', sourceId: BOB, reason: 'graph-deleted' },
      ]);
      expect(fc.invocations).toHaveLength(1);
    });

    it('discards a mismatching clientState, answering 202 with nothing enqueued (Graph would retry a 4xx for 4 hours)', async () => {
      const { receive, logs } = webhook();
      for (const clientState of [`${CLIENT_STATE}x`, CLIENT_STATE.slice(0, -1), CLIENT_STATE.toUpperCase(), '', ` ${CLIENT_STATE}`]) {
        expect(await receive(post(notificationCollection([graphNotification(ALICE, { ...ours, clientState })])))).toEqual({ status: 202 });
      }
      expect(await receive(post(notificationCollection([{ ...graphNotification(ALICE, ours), clientState: undefined }])))).toEqual({ status: 202 });
      expect(fc.invocations).toHaveLength(0);
      expect(logs.lines.filter((l) => l.msg === 'entra notifications discarded')).toHaveLength(6);
      expect(logs.text.join('\n')).not.toContain(CLIENT_STATE);
    });

    it('discards notifications of another tenant, and keeps the authentic ones of a mixed collection', async () => {
      const { receive, logs } = webhook();
      const other = '99999999-6b1c-4d2e-9a7f-0c1d2e3f4a5b';
      expect(await receive(post(notificationCollection([graphNotification(ALICE, { ...ours, tenantId: other })])))).toEqual({ status: 202 });
      expect(fc.invocations).toHaveLength(0);
      await receive(post(notificationCollection([
        graphNotification(ALICE, { ...ours, tenantId: other }), graphNotification(BOB, { ...ours, tenantId: TENANT.toUpperCase() }),
      ])));
      expect(enqueued()).toEqual([{ source: 'entra', kind: 'user', sourceId: BOB, reason: 'graph-updated' }]);
      expect(logs.lines.filter((l) => l.msg === 'entra notifications discarded').map((l) => l.refused)).toEqual([1, 1]);
    });

    it('skips authentic items naming nothing it syncs: another resource, a bad id, a resourceData id that differs', async () => {
      const { receive } = webhook();
      const res = await receive(post(notificationCollection([
        graphNotification(ALICE, { ...ours, resource: `me/messages/${ALICE}` }),
        graphNotification('not-a-guid', ours),
        { ...graphNotification(ALICE, ours), resourceData: { id: BOB } },
        graphNotification(ALICE, { ...ours, changeType: 'renamed' }),
        graphNotification(GROUP, { ...ours, resource: `Groups/${GROUP}` }),
      ])));
      expect(res).toEqual({ status: 202 });
      expect(fc.invocations).toHaveLength(0);
    });

    it('turns a group notification into a department change when departments come from groups (ENTRA_DEPARTMENTS groups or both)', async () => {
      const { receive } = webhook({ ENTRA_DEPARTMENTS: 'both' });
      await receive(post(notificationCollection([graphNotification(GROUP, { ...ours, resource: `Groups/${GROUP}` })])));
      expect(enqueued()).toEqual([{ source: 'entra', kind: 'group', sourceId: GROUP, reason: 'graph-updated' }]);
    });

    it('acknowledges a reauthorizationRequired lifecycle event with 202 and logs it for entra-poll, enqueueing nothing', async () => {
      const { receive, logs } = webhook();
      const subscriptionId = '3eaf7b40-5c6d-4e8f-9012-a3b4c5d6e7f8';
      const res = await receive(post({ value: [{ subscriptionId, lifecycleEvent: 'reauthorizationRequired', ...ours, subscriptionExpirationDateTime: '2026-12-20T00:00:00Z' }] }));
      expect(res).toEqual({ status: 202 });
      expect(fc.invocations).toHaveLength(0);
      expect(logs.lines.find((l) => l.msg === 'entra subscription lifecycle event')).toMatchObject({ event: 'reauthorizationRequired', subscriptionId });
    });

    it('answers 202 with nothing enqueued to JSON that is no collection', async () => {
      const { receive } = webhook();
      for (const body of ['null', '42', '"text"', '[]', '{}', '{"value": {}}', '{"value": "x"}']) {
        expect(await receive(post(body))).toEqual({ status: 202 });
      }
      expect(fc.invocations).toHaveLength(0);
    });

    it('answers 400 to a body that is not JSON, or to an empty body without validationToken', async () => {
      const { receive } = webhook();
      expect(await refusal(receive(post('{"value": [')))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(post(Buffer.from([0xff, 0xfe, 0x00]))))).toEqual({ status: 400, code: 'malformed' });
      expect(await refusal(receive(post(Buffer.alloc(0))))).toEqual({ status: 400, code: 'malformed' });
      expect(fc.invocations).toHaveLength(0);
    });

    it('answers 413 to a body over 1 MiB or a collection over MAX_NOTIFICATIONS items, enqueueing nothing', async () => {
      const { receive } = webhook();
      const huge = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
      expect(await refusal(receive(post(huge)))).toEqual({ status: 413, code: 'payload_too_large' });
      const many = notificationCollection(Array.from({ length: MAX_NOTIFICATIONS + 1 }, () => graphNotification(ALICE, ours)));
      expect(await refusal(receive(post(many)))).toEqual({ status: 413, code: 'too_many_notifications' });
      expect(fc.invocations).toHaveLength(0);
    });

    it('answers 405 to any other method', async () => {
      const { receive } = webhook();
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
        expect(await refusal(receive({ ...post(notificationCollection([graphNotification(ALICE, ours)])), method })))
          .toEqual({ status: 405, code: 'method_not_allowed' });
      }
    });

    it('answers 503 when the queue refuses, so Graph delivers again, logging the change ids; the redelivery is enqueued', async () => {
      const { receive, logs } = webhook();
      const body = notificationCollection([graphNotification(ALICE, ours), graphNotification(BOB, ours)]);
      fc.failNext(1, 503);
      expect(await refusal(receive(post(body)))).toEqual({ status: 503, code: 'service_unavailable' });
      const [line, ...others] = logs.lines.filter((l) => l.msg === 'changes not enqueued');
      expect(others).toEqual([]);
      expect(line).toMatchObject({ level: 'error', count: 2, changes: [{ sourceId: ALICE }, { sourceId: BOB }] });
      expect(await receive(post(body))).toEqual({ status: 202 });
      expect(enqueued().map((c) => c.sourceId)).toEqual([ALICE, BOB]);
    });

    it('enqueues a redelivered collection again: notifications carry no id, and push re-reading a user twice is harmless', async () => {
      const { receive } = webhook();
      const body = notificationCollection([graphNotification(ALICE, ours)]);
      await receive(post(body));
      await receive(post(body));
      expect(enqueued()).toHaveLength(2);
    });
  });
});

describe('the Entra webhook settings', () => {
  const variables = (env: Record<string, string>) => {
    try {
      parseEntraWebhookConfig(env);
      return [];
    } catch (error) {
      return (error as { problems: { variable: string }[] }).problems.map((p) => p.variable);
    }
  };

  it('needs the tenant as a GUID (notifications name it so) and the clientState, at most 128 characters', () => {
    expect(parseEntraWebhookConfig({ ENTRA_TENANT_ID: TENANT.toUpperCase(), ENTRA_CLIENT_STATE: 'x'.repeat(128) }))
      .toEqual({ tenantId: TENANT, clientState: 'x'.repeat(128), groupDepartments: false });
    expect(variables({})).toEqual(['ENTRA_TENANT_ID', 'ENTRA_CLIENT_STATE']);
    expect(variables({ ENTRA_TENANT_ID: 'contoso.onmicrosoft.com', ENTRA_CLIENT_STATE: 'x'.repeat(129) })).toEqual(['ENTRA_TENANT_ID', 'ENTRA_CLIENT_STATE']);
    expect(variables({ ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_STATE: 's', ENTRA_DEPARTMENTS: 'teams' })).toEqual(['ENTRA_DEPARTMENTS']);
  });
});
