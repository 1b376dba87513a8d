/**
 * The subscriptions entra-poll keeps alive, against the fake Graph, whose POST performs the
 * validation handshake against a real local HTTP endpoint serving entra-webhook's handler (its FC
 * HTTP chain: the query decoded as FC decodes it) before answering 201, as Graph does.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChangeBatch } from '../../../../functions/lib/core/model';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../../../functions/lib/fc/httpEvent';
import { httpHandler } from '../../../../functions/lib/fc/handlers';
import type { FcHttpResult } from '../../../../functions/lib/fc/types';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { parseEntraSourceConfig } from '../../../../functions/lib/sources/entra/config';
import { EntraApiError } from '../../../../functions/lib/sources/entra/errors';
import { GraphApi } from '../../../../functions/lib/sources/entra/GraphApi';
import {
  LIFETIME_MS, MAX_LIFETIME_MS, REAUTHORIZE_EVERY_MS, RENEW_BEFORE_MS, type SubscriptionRecord, ensureSubscription,
} from '../../../../functions/lib/sources/entra/subscriptions';
import { createEntraWebhook } from '../../../../functions/lib/sources/entra/webhook';
import { parseEntraSubscriptionConfig, parseEntraWebhookConfig } from '../../../../functions/lib/sources/entra/webhookConfig';
import { MemoryStateStore } from '../../../../functions/lib/state/MemoryStateStore';
import { readRequest } from '../../../../infra/emulator/http';
import { captureLogger } from '../../fc/logSink';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { type GraphFake, type GraphSubscriptions, addSubscriptions, graphEnv, graphUser, startGraphApi } from '../../../support/graphApi';

const CLIENT_STATE = 'subscription-test-client-state';
const DAY = 24 * 3600_000;

describe('the Graph subscriptions entra-poll keeps', () => {
  let graph: GraphFake;
  let subs: GraphSubscriptions;
  let fc: FcInvokeServer;
  let hook: Server;
  let hookUrl: string;
  let clock: number;
  let webhookState: string;
  beforeEach(async () => {
    clock = Date.parse('2026-12-06T04:00:00Z');
    graph = await startGraphApi({ users: [graphUser(1)] });
    subs = addSubscriptions(graph, { now: () => clock });
    fc = await startFcInvokeServer();
    webhookState = CLIENT_STATE;
    // entra-webhook as FC serves it, on loopback; it reads ENTRA_CLIENT_STATE per request here, so a test can rotate it.
    hook = createServer((req, res) => {
      void (async () => {
        const request = await readRequest(req);
        const config = parseEntraWebhookConfig({ ENTRA_TENANT_ID: graph.tenantId, ENTRA_CLIENT_STATE: webhookState });
        const queue = createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
          accountId: () => '1', region: () => 'cn-hangzhou', credentials: () => ({ accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' }),
        });
        const handler = httpHandler('entra-webhook', createEntraWebhook(config, { queue, logger: captureLogger().log }), { logger: captureLogger().log });
        const event = buildFcHttpEvent({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headersDistinct, body: request.body });
        const answer = decodeFcHttpResult(await handler(Buffer.from(JSON.stringify(event)), { requestId: 'r' } as never) as FcHttpResult);
        res.writeHead(answer.status, answer.headers).end(answer.body);
      })();
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/entra`;
  });
  afterEach(async () => {
    await graph.close();
    await fc.close();
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  const api = () => new GraphApi(parseEntraSourceConfig(graphEnv(graph))!, { retry: { sleep: async () => undefined } });
  const config = (env: Record<string, string> = {}) =>
    parseEntraSubscriptionConfig({ ENTRA_NOTIFICATION_URL: hookUrl, ENTRA_CLIENT_STATE: CLIENT_STATE, ...env })!;
  const enqueued = () => fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as ChangeBatch).changes);
  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as EntraApiError);

  it('creates the users subscription after entra-webhook answers Graph\'s handshake, and the webhook then enqueues what Graph delivers', async () => {
    const state = new MemoryStateStore();
    const [outcome] = await ensureSubscription(api(), state, config(), new Date(clock));
    expect(outcome).toMatchObject({ resource: 'users', action: 'created' });
    const created = subs.subscriptions.get(outcome!.id)!;
    expect(created).toMatchObject({
      changeType: 'updated,deleted', resource: 'users', notificationUrl: hookUrl, lifecycleNotificationUrl: hookUrl, clientState: CLIENT_STATE,
    });
    const lifetime = Date.parse(created.expirationDateTime) - clock;
    expect(lifetime).toBe(LIFETIME_MS);
    expect(lifetime).toBeLessThan(MAX_LIFETIME_MS);
    // Both URLs were validated: the token went out encoded and came back decoded, as text/plain.
    expect(subs.handshakes).toHaveLength(2);
    for (const h of subs.handshakes) expect(h).toMatchObject({ status: 200, body: h.token, contentType: expect.stringMatching(/^text\/plain/) });
    expect(await state.get<SubscriptionRecord>('entra/subscription/users')).toMatchObject({ id: outcome!.id, notificationUrl: hookUrl });
    expect(JSON.stringify(await state.get('entra/subscription/users'))).not.toContain(CLIENT_STATE);

    const alice = graphUser(1).id;
    expect(await subs.deliver(outcome!.id, [alice])).toBe(202);
    expect(await subs.lifecycle(outcome!.id)).toBe(202);
    expect(enqueued()).toEqual([{ source: 'entra', kind: 'user', sourceId: alice, reason: 'graph-updated' }]);
  }, 20_000);

  it('keeps it within the hour without a call, renews it by PATCH hourly and near expiry, and creates a new one when Graph dropped it', async () => {
    const state = new MemoryStateStore();
    const graphApi = api();
    const [created] = await ensureSubscription(graphApi, state, config(), new Date(clock));
    const calls = { ...graph.calls };
    expect(await ensureSubscription(graphApi, state, config(), new Date(clock + 5 * 60_000))).toEqual([
      { resource: 'users', action: 'kept', id: created!.id, expirationDateTime: created!.expirationDateTime },
    ]);
    expect(graph.calls).toEqual(calls);

    clock += REAUTHORIZE_EVERY_MS;
    const [renewed] = await ensureSubscription(graphApi, state, config(), new Date(clock));
    expect(renewed).toMatchObject({ action: 'renewed', id: created!.id, expirationDateTime: new Date(clock + LIFETIME_MS).toISOString() });
    expect(subs.subscriptions.get(created!.id)!.expirationDateTime).toBe(renewed!.expirationDateTime);
    expect(graph.calls['PATCH /v1.0/subscriptions/{id}']).toBe(1);

    // A record whose expiry is close is renewed even if it was renewed a minute ago.
    const record = (await state.get<SubscriptionRecord>('entra/subscription/users'))!;
    await state.put('entra/subscription/users', { ...record, expirationDateTime: new Date(clock + RENEW_BEFORE_MS - 60_000).toISOString() });
    expect((await ensureSubscription(graphApi, state, config(), new Date(clock + 60_000)))[0]!.action).toBe('renewed');

    subs.expire(created!.id);
    clock += 2 * REAUTHORIZE_EVERY_MS;
    const [again] = await ensureSubscription(graphApi, state, config(), new Date(clock));
    expect(again).toMatchObject({ action: 'created' });
    expect(again!.id).not.toBe(created!.id);
    expect([...subs.subscriptions.keys()]).toEqual([again!.id]);
  }, 20_000);

  it('recreates it when ENTRA_CLIENT_STATE or ENTRA_NOTIFICATION_URL changed, deleting the old one', async () => {
    const state = new MemoryStateStore();
    const [first] = await ensureSubscription(api(), state, config(), new Date(clock));
    webhookState = 'rotated-client-state';
    const [second] = await ensureSubscription(api(), state, config({ ENTRA_CLIENT_STATE: 'rotated-client-state' }), new Date(clock));
    expect(second).toMatchObject({ action: 'recreated' });
    expect([...subs.subscriptions.keys()]).toEqual([second!.id]);
    expect(subs.subscriptions.get(second!.id)!.clientState).toBe('rotated-client-state');
    expect(first!.id).not.toBe(second!.id);
    const moved = `${hookUrl}-moved`;
    const [third] = await ensureSubscription(api(), state, config({ ENTRA_CLIENT_STATE: 'rotated-client-state', ENTRA_NOTIFICATION_URL: moved }), new Date(clock));
    expect(third).toMatchObject({ action: 'recreated' });
    expect([...subs.subscriptions.values()].map((s) => [s.id, s.notificationUrl, s.lifecycleNotificationUrl])).toEqual([[third!.id, moved, moved]]);
  }, 20_000);

  it('deletes a subscription of ours the state store forgot before creating one, so none is left counting against the quota', async () => {
    await ensureSubscription(api(), new MemoryStateStore(), config(), new Date(clock));
    const [fresh] = await ensureSubscription(api(), new MemoryStateStore(), config(), new Date(clock));
    expect([...subs.subscriptions.keys()]).toEqual([fresh!.id]);
  }, 20_000);

  it('removes its subscriptions when ENTRA_NOTIFICATION_URL is unset', async () => {
    const state = new MemoryStateStore();
    const [created] = await ensureSubscription(api(), state, config(), new Date(clock));
    expect(await ensureSubscription(api(), state, undefined, new Date(clock))).toEqual([{ resource: 'users', action: 'deleted', id: created!.id }]);
    expect(subs.subscriptions.size).toBe(0);
    expect(await ensureSubscription(api(), state, undefined, new Date(clock))).toEqual([]);
  }, 20_000);

  it('subscribes to groups too when departments come from groups', async () => {
    const outcomes = await ensureSubscription(api(), new MemoryStateStore(), config({ ENTRA_DEPARTMENTS: 'groups' }), new Date(clock));
    expect(outcomes.map((o) => [o.resource, o.action])).toEqual([['users', 'created'], ['groups', 'created']]);
    expect([...subs.subscriptions.values()].map((s) => s.resource)).toEqual(['users', 'groups']);
  }, 20_000);

  it('fails for good, naming ENTRA_NOTIFICATION_URL, when the webhook does not answer the handshake; nothing is stored', async () => {
    const state = new MemoryStateStore();
    const wrong = parseEntraSubscriptionConfig({ ENTRA_NOTIFICATION_URL: hookUrl.replace('/entra', '/nothing-here'), ENTRA_CLIENT_STATE: CLIENT_STATE })!;
    hook.removeAllListeners('request');
    hook.on('request', (_req, res) => res.writeHead(404).end('not found'));
    const error = await failure(ensureSubscription(api(), state, wrong, new Date(clock)));
    expect(error).toBeInstanceOf(EntraApiError);
    expect(error).toMatchObject({ retryable: false, status: 400 });
    expect(error.recommendedAction).toMatch(/ENTRA_NOTIFICATION_URL/);
    expect(subs.subscriptions.size).toBe(0);
    expect(await state.get('entra/subscription/users')).toBeUndefined();
  }, 20_000);

  it('fails for good on Graph\'s 403, naming the permission and the quota (100 per app and tenant)', async () => {
    subs.quota = 0;
    const quota = await failure(ensureSubscription(api(), new MemoryStateStore(), config(), new Date(clock)));
    expect(quota).toMatchObject({ retryable: false, status: 403 });
    expect(quota.recommendedAction).toMatch(/quota.*100 per app and tenant/);
    expect(quota.recommendedAction).toMatch(/User\.Read\.All/);
    subs.quota = 100;
    graph.denied.add('User.Read.All');
    const denied = await failure(ensureSubscription(api(), new MemoryStateStore(), config(), new Date(clock)));
    expect(denied).toMatchObject({ retryable: false, status: 403, code: 'Graph Authorization_RequestDenied' });
    expect(subs.handshakes).toHaveLength(0);
  }, 20_000);

  it('asks Graph for less than the longest lifetime, which the fake refuses beyond 41,760 minutes', async () => {
    expect(LIFETIME_MS).toBeLessThan(MAX_LIFETIME_MS);
    expect(MAX_LIFETIME_MS).toBe(41_760 * 60_000);
    expect(RENEW_BEFORE_MS).toBe(3 * DAY);
  });
});

describe('the subscription settings (ENTRA_NOTIFICATION_URL)', () => {
  const problems = (env: Record<string, string>) => {
    try {
      parseEntraSubscriptionConfig(env);
      return [];
    } catch (error) {
      return (error as { problems: { variable: string; problem: string }[] }).problems;
    }
  };

  it('is off without ENTRA_NOTIFICATION_URL, and subscribes to groups too when departments come from them', () => {
    expect(parseEntraSubscriptionConfig({ ENTRA_CLIENT_STATE: 's' })).toBeUndefined();
    expect(parseEntraSubscriptionConfig({ ENTRA_NOTIFICATION_URL: 'https://sync.example.com/entra/', ENTRA_CLIENT_STATE: ' s ' }))
      .toEqual({ notificationUrl: 'https://sync.example.com/entra', clientState: ' s ', resources: ['users'] });
    expect(parseEntraSubscriptionConfig({ ENTRA_NOTIFICATION_URL: 'https://sync.example.com/entra', ENTRA_CLIENT_STATE: 's', ENTRA_DEPARTMENTS: 'both' })!.resources)
      .toEqual(['users', 'groups']);
  });

  it('names ENTRA_CLIENT_STATE when missing or over 128 characters, and a URL that is not https, never their values', () => {
    expect(problems({ ENTRA_NOTIFICATION_URL: 'https://sync.example.com/entra' }).map((p) => p.variable)).toEqual(['ENTRA_CLIENT_STATE']);
    const long = 'k'.repeat(129);
    const found = problems({ ENTRA_NOTIFICATION_URL: 'http://sync.example.com/entra?x=1', ENTRA_CLIENT_STATE: long });
    expect(found.map((p) => p.variable)).toEqual(['ENTRA_NOTIFICATION_URL', 'ENTRA_CLIENT_STATE']);
    expect(JSON.stringify(found)).not.toContain(long);
  });
});
