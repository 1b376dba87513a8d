/**
 * `lark-webhook` through its built bundle, as FC runs it: a cold start from the environment, an FC
 * 3.0 HTTP event, the role's credentials in the context, and the change queue being FC's async
 * invoke API (a local stand-in that checks signatures).
 */
import { buildFcHttpEvent, decodeFcHttpResult } from '../../functions/lib/fc/httpEvent';
import { webhookBundle } from '../support/webhookBundle';
import { type LarkHttpRequest, larkRequest, larkUser, urlVerification, v2Event } from '../support/larkApi';

const KEYS = { verificationToken: 'bundle-vtok', encryptKey: 'bundle-encrypt-key' };

describe('the lark-webhook function (built bundle)', () => {
  const hook = webhookBundle('lark-webhook', { LARK_VERIFICATION_TOKEN: KEYS.verificationToken, LARK_ENCRYPT_KEY: KEYS.encryptKey });

  async function send(req: Pick<LarkHttpRequest, 'headers' | 'body'>, options: { method?: string; env?: NodeJS.ProcessEnv } = {}) {
    const event = buildFcHttpEvent({ method: options.method ?? 'POST', url: '/lark', headers: req.headers, body: req.body });
    const out = await hook.invoke(event, options.env);
    expect(out.error).toBeUndefined();
    const res = decodeFcHttpResult(out.result);
    const text = res.body.toString('utf8');
    return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : undefined, stdout: out.stdout };
  }

  it('answers URL verification with the challenge', async () => {
    const res = await send(larkRequest(urlVerification(KEYS.verificationToken, 'c-bundle'), KEYS, { unsigned: true }));
    expect(res).toMatchObject({ status: 200, json: { challenge: 'c-bundle' } });
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('enqueues a signed contact event for push and answers 200, logging no personal data', async () => {
    const alice = larkUser(42);
    const res = await send(larkRequest(v2Event('contact.user.updated_v3', { object: alice, old_object: { name: 'x' } }, KEYS.verificationToken), KEYS));
    expect(res).toMatchObject({ status: 200, json: { ok: true, changes: 1 } });
    expect(hook.fc.invocations[0]).toMatchObject({ api: 'fc3', functionName: 'push' });
    expect(hook.queued()).toEqual([{ source: 'lark', kind: 'user', sourceId: alice.union_id, reason: 'contact.user.updated_v3' }]);
    expect(res.stdout).toContain('lark event enqueued');
    for (const secret of [alice.email!, alice.mobile!, KEYS.encryptKey, KEYS.verificationToken]) expect(res.stdout).not.toContain(secret);
  }, 30_000);

  it('refuses forged (401), wrong-token (403) and malformed (400) requests, enqueueing nothing', async () => {
    const event = v2Event('contact.user.created_v3', { object: larkUser(1) }, KEYS.verificationToken);
    const forged = larkRequest(event, { ...KEYS, encryptKey: 'guessed' });
    expect((await send(forged)).status).toBe(401);
    const wrongToken = larkRequest(v2Event('contact.user.created_v3', { object: larkUser(1) }, 'not-ours'), KEYS);
    expect(await send(wrongToken)).toMatchObject({ status: 403, json: { error: 'invalid_token' } });
    expect(await send({ headers: {}, body: '{"encrypt": 42' })).toMatchObject({ status: 400, json: { error: 'malformed' } });
    expect((await send({ headers: {}, body: '' }, { method: 'GET' })).status).toBe(405);
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('answers 503 when the queue cannot take the change, so Lark delivers it again', async () => {
    hook.fc.failNext(10, 503);
    const res = await send(larkRequest(v2Event('contact.department.deleted_v3', { old_object: { open_department_id: 'od-1' } }, KEYS.verificationToken), KEYS));
    expect(res).toMatchObject({ status: 503, json: { error: 'service_unavailable' } });
    expect(res.stdout).not.toContain('fc-test-secret');
  }, 30_000);

  it('stops at cold start naming LARK_VERIFICATION_TOKEN, and never prints the Encrypt Key', async () => {
    const event = buildFcHttpEvent({ method: 'POST', url: '/lark', body: '{}' });
    const out = await hook.invoke(event, { LARK_ENCRYPT_KEY: 'hunter2-key', LARK_MAX_AGE_SECONDS: 'soon' });
    expect(out.error?.name).toBe('ConfigError');
    expect(out.error?.message).toMatch(/LARK_VERIFICATION_TOKEN.*LARK_MAX_AGE_SECONDS/);
    expect(out.stdout).not.toContain('hunter2-key');
  }, 30_000);
});
