/**
 * `okta-webhook` through its built bundle, as FC runs it: a cold start from the environment, an FC
 * 3.0 HTTP event, the role's credentials in the context, and the change queue being FC's async
 * invoke API (a local stand-in that checks signatures).
 */
import { buildFcHttpEvent, decodeFcHttpResult } from '../../functions/lib/fc/httpEvent';
import { webhookBundle } from '../support/webhookBundle';
import {
  type OktaHttpRequest, delivery, deliveryRequest, groupTarget, logEvent, oktaId, userTarget, verificationRequest,
} from '../support/oktaEventHooks';

const SECRET = 'bundle-secret-0123456789abcdef';
const AUTH = { key: 'Authorization', value: SECRET };

describe('the okta-webhook function (built bundle)', () => {
  const hook = webhookBundle('okta-webhook', { OKTA_EVENT_HOOK_SECRET: SECRET });

  async function send(req: Pick<OktaHttpRequest, 'method' | 'headers' | 'body'> | { method: string; headers: Record<string, string>; body: string | Buffer }, env?: NodeJS.ProcessEnv) {
    const event = buildFcHttpEvent({ method: req.method, url: '/okta', headers: req.headers, body: req.body });
    const out = await hook.invoke(event, env);
    expect(out.error).toBeUndefined();
    const res = decodeFcHttpResult(out.result);
    const text = res.body.toString('utf8');
    return { status: res.status, headers: res.headers, text, stdout: out.stdout };
  }

  it('answers the verification GET with {"verification"} as JSON when the Authorization header verifies', async () => {
    const res = await send(verificationRequest(AUTH, 'challenge-from-okta'));
    expect(res).toMatchObject({ status: 200, text: '{"verification":"challenge-from-okta"}' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('enqueues a verified delivery for push and answers an empty 200, logging ids only', async () => {
    const alice = userTarget(oktaId('00u', 42), 'alice.secret@example.com', 'Alice Secretname');
    const sales = groupTarget(oktaId('00g', 3), 'Sales');
    const res = await send(deliveryRequest(delivery([
      logEvent('user.account.update_profile', [alice]), logEvent('group.profile.update', [sales]),
    ]), AUTH));
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(hook.fc.invocations[0]).toMatchObject({ api: 'fc3', functionName: 'push' });
    expect(hook.queued()).toEqual([
      { source: 'okta', kind: 'user', sourceId: alice.id, reason: 'user.account.update_profile' },
      { source: 'okta', kind: 'group', sourceId: sales.id, reason: 'group.profile.update' },
    ]);
    expect(res.stdout).toContain('okta delivery enqueued');
    for (const secret of [alice.alternateId!, alice.displayName!, SECRET, 'admin@example.com']) expect(res.stdout).not.toContain(secret);
  }, 30_000);

  it('refuses unverified (401), malformed (400) and other-method (405) requests (413 for oversized bodies: see the fuzz test and the local stack test), enqueueing nothing', async () => {
    const body = delivery([logEvent('user.lifecycle.create', [userTarget(oktaId('00u', 1))])]);
    expect(await send(deliveryRequest(body, undefined))).toMatchObject({ status: 401, text: expect.stringContaining('missing_authorization') });
    expect(await send(deliveryRequest(body, { ...AUTH, value: `${SECRET}0` }))).toMatchObject({ status: 401, text: expect.stringContaining('invalid_authorization') });
    expect((await send(verificationRequest({ ...AUTH, value: 'not-the-secret-at-all' }))).status).toBe(401);
    expect(await send({ method: 'POST', headers: { authorization: SECRET }, body: '{"eventType": 42' })).toMatchObject({ status: 400, text: expect.stringContaining('malformed') });
    expect((await send({ ...deliveryRequest(body, AUTH), method: 'PUT' })).status).toBe(405);
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('answers 503 when the queue cannot take the change, so Okta delivers it once more', async () => {
    hook.fc.failNext(10, 503);
    const res = await send(deliveryRequest(delivery([logEvent('user.lifecycle.deactivate', [userTarget(oktaId('00u', 7))])]), AUTH));
    expect(res).toMatchObject({ status: 503, text: expect.stringContaining('service_unavailable') });
    expect(res.stdout).not.toContain('fc-test-secret');
    expect(res.stdout).not.toContain(SECRET);
  }, 30_000);

  it('stops at cold start naming OKTA_EVENT_HOOK_SECRET and OKTA_EVENT_HOOK_HEADER, and never prints them', async () => {
    const event = buildFcHttpEvent({ method: 'POST', url: '/okta', body: '{}' });
    const out = await hook.invoke(event, { ...hook.env, OKTA_EVENT_HOOK_SECRET: 'hunter2', OKTA_EVENT_HOOK_HEADER: 'Bad: Header' });
    expect(out.error?.name).toBe('ConfigError');
    expect(out.error?.message).toMatch(/OKTA_EVENT_HOOK_SECRET.*OKTA_EVENT_HOOK_HEADER/s);
    expect(out.stdout).not.toContain('hunter2');
    expect(out.error?.message).not.toContain('hunter2');
  }, 30_000);
});
