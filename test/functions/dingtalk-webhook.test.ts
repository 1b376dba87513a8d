/**
 * `dingtalk-webhook` through its built bundle, as FC runs it: a cold start from the environment,
 * FC 3.0 HTTP events, the role's credentials in the context, and the change queue as FC's async
 * invoke API (a local server checking the signature). Callbacks are sealed by `@wecom/crypto`,
 * and our answers are checked by it, as DingTalk would.
 */
import { buildFcHttpEvent, decodeFcHttpResult } from '../../functions/lib/fc/httpEvent';
import { webhookBundle } from '../support/webhookBundle';
import { checkAck, DINGTALK_KEYS, dingtalkCallback, signedCallback, WEBHOOK_ENV } from '../lib/sources/dingtalk/callbacks';


describe('the dingtalk-webhook function (built bundle)', () => {
  const hook = webhookBundle('dingtalk-webhook', WEBHOOK_ENV);

  const post = async (url: string, body: string, extraEnv: NodeJS.ProcessEnv = {}) => {
    const out = await hook.invoke(buildFcHttpEvent({ method: 'POST', url, body }), { ...hook.env, ...extraEnv });
    if (out.error) return { status: 0, json: undefined, out };
    const decoded = decodeFcHttpResult(out.result);
    return { status: decoded.status, json: JSON.parse(decoded.body.toString('utf8')) as Record<string, unknown>, out };
  };

  it('answers the URL check with the encrypted success, enqueuing nothing', async () => {
    const cb = dingtalkCallback({ EventType: 'check_url' });
    const { status, json } = await post(cb.url, cb.body);
    expect(status).toBe(200);
    expect(checkAck(json)).toBe(DINGTALK_KEYS.appKey);
    expect(Number(json?.timeStamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('enqueues the users of a classic-shape event signed with msg_signature and timeStamp', async () => {
    const cb = dingtalkCallback(
      { EventType: 'user_add_org', TimeStamp: '1640921671286', UserId: ['184919295227658120', 'manager164'], CorpId: DINGTALK_KEYS.corpId },
      { spelling: 'msg' },
    );
    const { status, json } = await post(cb.url, cb.body);
    expect(status).toBe(200);
    expect(checkAck(json)).toBe(DINGTALK_KEYS.appKey);
    expect(hook.fc.invocations.map((i) => i.functionName)).toEqual(['push']);
    expect(hook.queued()).toEqual([
      { source: 'dingtalk', kind: 'user', sourceId: '184919295227658120', reason: 'user_add_org' },
      { source: 'dingtalk', kind: 'user', sourceId: 'manager164', reason: 'user_add_org' },
    ]);
  }, 30_000);

  it('accepts a corp-level callback owned by the CorpId, and answers for that owner', async () => {
    const cb = dingtalkCallback({ EventType: 'org_dept_remove', eventId: 'ev-9', deptId: [432825033] }, { owner: DINGTALK_KEYS.corpId });
    const { status, json } = await post(cb.url, cb.body);
    expect(status).toBe(200);
    expect(checkAck(json)).toBe(DINGTALK_KEYS.corpId);
    expect(hook.queued()).toEqual([{ source: 'dingtalk', kind: 'group', sourceId: '432825033', reason: 'org_dept_remove', hint: { eventId: 'ev-9' } }]);
  }, 30_000);

  it('acknowledges an event type it does not handle, with a debug line and no enqueue', async () => {
    const cb = dingtalkCallback({ EventType: 'label_conf_add', LabelIdList: [1] });
    const { status, json, out } = await post(cb.url, cb.body, { LOG_LEVEL: 'debug' });
    expect(status).toBe(200);
    expect(checkAck(json)).toBe(DINGTALK_KEYS.appKey);
    expect(hook.fc.invocations).toHaveLength(0);
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'debug', msg: 'dingtalk event ignored', eventType: 'label_conf_add' }));
  }, 30_000);

  it.each([
    ['unsigned', () => ({ url: '/dingtalk', body: dingtalkCallback({ EventType: 'user_add_org', UserId: ['u1'] }).body }), 401],
    ['forged (wrong token)', () => dingtalkCallback({ EventType: 'user_add_org', UserId: ['u1'] }, { token: 'guessed' }), 401],
    ['for another app', () => dingtalkCallback({ EventType: 'user_add_org', UserId: ['u1'] }, { owner: 'dingotherapp' }), 403],
    ['not JSON', () => ({ url: dingtalkCallback({}).url, body: 'encrypt=abc' }), 400],
    ['signed but not decryptable', () => signedCallback('AAAA'), 400],
    ['signed and decryptable but no event', () => dingtalkCallback('{"Event":"x"}'), 400],
  ])('refuses a callback that is %s, enqueuing nothing', async (_, make, expected) => {
    const cb = make();
    const { status, json } = await post(cb.url, cb.body);
    expect(status).toBe(expected);
    expect(json).toMatchObject({ error: expect.any(String) });
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('answers 503 when the queue refuses, so DingTalk keeps the event', async () => {
    hook.fc.failNext(5, 500);
    const cb = dingtalkCallback({ EventType: 'user_leave_org', UserId: ['u-gone'] });
    const { status, json, out } = await post(cb.url, cb.body);
    expect(status).toBe(503);
    expect(json).toEqual({ error: 'service_unavailable', requestId: expect.any(String) });
    expect(hook.fc.invocations).toHaveLength(0);
    expect(out.stdout).not.toContain('role-secret');
    expect(out.logs).toContainEqual(expect.objectContaining({
      level: 'error', msg: 'changes not enqueued', function: 'dingtalk-webhook',
      changes: [{ source: 'dingtalk', kind: 'user', sourceId: 'u-gone', reason: 'user_leave_org' }],
    }));
  }, 30_000);

  it('refuses 401 a callback signed outside WEBHOOK_MAX_AGE_SECONDS, and stops at cold start on a bad value', async () => {
    const stale = dingtalkCallback({ EventType: 'user_leave_org', UserId: ['u-old'] }, { timestamp: String(Date.now() - 120_000) });
    expect((await post(stale.url, stale.body, { WEBHOOK_MAX_AGE_SECONDS: '60' })).status).toBe(401);
    expect(hook.fc.invocations).toHaveLength(0);
    const { out } = await post(stale.url, stale.body, { WEBHOOK_MAX_AGE_SECONDS: 'a minute' });
    expect(out.error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('WEBHOOK_MAX_AGE_SECONDS') });
  }, 30_000);

  it('stops at cold start naming the missing and malformed variables, never their values', async () => {
    const out = await hook.invoke(buildFcHttpEvent({ method: 'POST', url: '/dingtalk', body: '{}' }),
      { DINGTALK_TOKEN: 'secret-token-value', DINGTALK_AES_KEY: 'too-short-key', QUEUE_KIND: 'sqlite' });
    expect(out.error?.name).toBe('ConfigError');
    for (const variable of ['DINGTALK_AES_KEY', 'DINGTALK_APP_KEY', 'QUEUE_KIND']) expect(out.error?.message).toContain(variable);
    expect(out.stdout).not.toMatch(/secret-token-value|too-short-key/);
  }, 30_000);
});
