/**
 * The DingTalk webhook's replay window and its at-most-once enqueue, through the real queue
 * adapters (FC 3.0 against the local FC invoke server, and the local SQLite queue), and what it
 * does when it cannot enqueue: 503, so DingTalk keeps the push on its failed list, and one log line
 * naming the changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChangeQueue } from '../../../../functions/lib/core/ports';
import { httpHandler } from '../../../../functions/lib/fc/handlers';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../../../functions/lib/fc/httpEvent';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { SqliteQueue } from '../../../../functions/lib/queue/SqliteQueue';
import { receiveDingtalkCallback } from '../../../../functions/lib/sources/dingtalk/webhook';
import { parseDingtalkWebhookConfig } from '../../../../functions/lib/sources/dingtalk/webhookConfig';
import { RecentEvents } from '../../../../functions/lib/sources/recentEvents';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { captureLogger } from '../../fc/logSink';
import { checkAck, type Callback, dingtalkCallback, WEBHOOK_ENV } from './callbacks';

const CREDENTIALS = { accessKeyId: 'replay-akid', accessKeySecret: 'replay-secret' };
const EVENT = { EventType: 'user_leave_org', UserId: ['u-left', 'u-other'] };

describe('the DingTalk webhook: replays and failed enqueues', () => {
  let fc: FcInvokeServer;
  let dir: string;
  beforeEach(async () => {
    fc = await startFcInvokeServer(CREDENTIALS);
    dir = await mkdtemp(path.join(tmpdir(), 'dingtalk-replays-'));
  });
  afterEach(async () => {
    await fc.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fcQueue = (): ChangeQueue => createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
    accountId: () => '1234567890', region: () => 'cn-hangzhou', credentials: () => CREDENTIALS, publish: { retryDelayMs: 1, attempts: 1 },
  });
  /** One FC instance: its own memory of recent requests, the queue shared through FC. */
  const instance = (queue: ChangeQueue, env: Record<string, string> = {}) => {
    const logs = captureLogger('debug');
    const deps = { ...parseDingtalkWebhookConfig({ ...WEBHOOK_ENV, ...env }), queue, log: logs.log, recent: new RecentEvents() };
    const handler = httpHandler('dingtalk-webhook', (req) => receiveDingtalkCallback(req, deps), { logger: logs.log });
    const send = async (cb: Callback) => {
      const answer = decodeFcHttpResult(await handler(buildFcHttpEvent({ method: 'POST', url: cb.url, body: cb.body }), { requestId: 'req-1' }));
      return { status: answer.status, json: JSON.parse(answer.body.toString('utf8')) as Record<string, unknown> };
    };
    return { send, logs };
  };
  const queuedIds = () => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as { changes: Array<{ sourceId: string }> }).changes.map((c) => c.sourceId));

  it.each([
    ['older', -301],
    ['newer', 301],
  ])('refuses 401 a callback signed %s than WEBHOOK_MAX_AGE_SECONDS, enqueuing nothing', async (_, offsetSeconds) => {
    const { send } = instance(fcQueue(), { WEBHOOK_MAX_AGE_SECONDS: '300' });
    const answer = await send(dingtalkCallback(EVENT, { timestamp: String(Date.now() + offsetSeconds * 1000) }));
    expect(answer).toEqual({ status: 401, json: expect.objectContaining({ error: 'stale_request' }) });
    expect(fc.invocations).toHaveLength(0);
  });

  it('accepts a callback within the window, and answers the handshake whatever its age', async () => {
    const { send } = instance(fcQueue(), { WEBHOOK_MAX_AGE_SECONDS: '300' });
    expect((await send(dingtalkCallback(EVENT, { timestamp: String(Date.now() - 200_000) }))).status).toBe(200);
    const handshake = await send(dingtalkCallback({ EventType: 'check_url' }, { timestamp: '1700000000000' }));
    expect(checkAck(handshake.json)).toBe(WEBHOOK_ENV.DINGTALK_APP_KEY);
    expect(queuedIds()).toEqual(['u-left', 'u-other']);
  });

  it('acknowledges an exact duplicate on another instance but enqueues it once (FC async task ids)', async () => {
    const cb = dingtalkCallback(EVENT);
    for (const { send } of [instance(fcQueue()), instance(fcQueue())]) {
      const answer = await send(cb);
      expect(answer.status).toBe(200);
      expect(checkAck(answer.json)).toBe(WEBHOOK_ENV.DINGTALK_APP_KEY);
    }
    expect(queuedIds()).toEqual(['u-left', 'u-other']);
    expect(fc.rejected).toEqual(['AsyncTaskAlreadyExists']);
  });

  it('acknowledges an exact duplicate on the same instance without asking the queue', async () => {
    const { send, logs } = instance(fcQueue());
    const cb = dingtalkCallback(EVENT);
    expect((await send(cb)).status).toBe(200);
    expect((await send(cb)).status).toBe(200);
    expect(fc.invocations).toHaveLength(1);
    expect(fc.rejected).toEqual([]);
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'dingtalk event repeated', eventType: 'user_leave_org' }));
  });

  it('enqueues an exact duplicate once through the local SQLite queue too', async () => {
    const file = path.join(dir, 'queue.sqlite');
    const [a, b] = [new SqliteQueue({ path: file }), new SqliteQueue({ path: file })];
    try {
      const cb = dingtalkCallback(EVENT);
      expect((await instance(a).send(cb)).status).toBe(200);
      expect((await instance(b).send(cb)).status).toBe(200);
      expect(a.lease(10).map((l) => l.batch.changes.map((c) => c.sourceId))).toEqual([['u-left', 'u-other']]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('answers 503 when the queue refuses, so DingTalk keeps the push for dingtalk-poll, and logs the change ids once', async () => {
    const { send, logs } = instance(fcQueue());
    fc.failNext(1, 500);
    const answer = await send(dingtalkCallback(EVENT));
    expect(answer).toEqual({ status: 503, json: { error: 'service_unavailable', requestId: 'req-1' } });
    const lines = logs.lines.filter((l) => l.msg === 'changes not enqueued');
    expect(lines).toEqual([expect.objectContaining({
      level: 'error', count: 2,
      changes: [
        { source: 'dingtalk', kind: 'user', sourceId: 'u-left', reason: 'user_leave_org' },
        { source: 'dingtalk', kind: 'user', sourceId: 'u-other', reason: 'user_leave_org' },
      ],
    })]);
    expect(logs.text.join('\n')).not.toContain(CREDENTIALS.accessKeySecret);
  });
});
