/**
 * `dingtalk-poll` through its built bundle, as FC's timer runs it: a cold start from the
 * environment, the timer event, the role's credentials in the context, DingTalk as the API fake
 * and the queue as FC's async invoke API (a local server checking the signature).
 */
import type { Change } from '../../functions/lib/core/model';
import { type DingtalkApiFake, startDingtalkApi } from '../support/dingtalkApi';
import { type Bundles, buildBundles } from '../support/bundles';
import { type FcInvokeServer, startFcInvokeServer } from '../support/fcInvokeServer';
import { ROLE_CREDENTIALS } from '../support/webhookBundle';

const TIMER_EVENT = { triggerTime: '2026-11-28T08:00:00Z', triggerName: 'every-5m', payload: '' };

describe('the dingtalk-poll function (built bundle)', () => {
  let bundles: Bundles;
  let dingtalk: DingtalkApiFake;
  let fc: FcInvokeServer;
  let env: NodeJS.ProcessEnv;
  const context = { credentials: ROLE_CREDENTIALS };

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    dingtalk = await startDingtalkApi();
    fc = await startFcInvokeServer({ ...ROLE_CREDENTIALS });
    env = {
      DINGTALK_APP_KEY: 'dingappkey0001', DINGTALK_APP_SECRET: 'app-secret-0001', DINGTALK_API_URL: dingtalk.url,
      QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push',
    };
  });
  afterEach(async () => {
    await dingtalk.close();
    await fc.close();
  });

  it('queues the pushes DingTalk kept for push, logging a summary', async () => {
    dingtalk.failedCallbacks.push(
      { call_back_tag: 'user_leave_org', event_time: 1764316800000, user_leave_org: { corpid: 'dingcorp', userid: ['u-gone'] } },
      { call_back_tag: 'user_add_org', event_time: 1764316800001, user_add_org: { corpid: 'dingcorp' } },
    );
    const out = await bundles.invoke('dingtalk-poll', TIMER_EVENT, { env, context });
    expect(out.error).toBeUndefined();
    expect(out.result).toEqual({ pages: 1, entries: 2, changes: 1, skipped: 1, ignored: 0, more: false });
    expect(fc.invocations.map((i) => i.functionName)).toEqual(['push']);
    expect(fc.invocations.flatMap((i) => (JSON.parse(i.body.toString('utf8')) as { changes: Change[] }).changes))
      .toEqual([{ source: 'dingtalk', kind: 'user', sourceId: 'u-gone', reason: 'user_leave_org' }]);
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'dingtalk failed callback skipped', tag: 'user_add_org' }));
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'dingtalk failed callbacks read', function: 'dingtalk-poll' }));
    expect(out.stdout).not.toMatch(/app-secret-0001|role-secret/);
  }, 30_000);

  it('fails the tick, logging the change ids, when the queue refuses', async () => {
    dingtalk.failedCallbacks.push({ call_back_tag: 'user_modify_org', event_time: 1, user_modify_org: { userid: ['u-1'] } });
    fc.failNext(5, 500);
    const out = await bundles.invoke('dingtalk-poll', TIMER_EVENT, { env, context });
    expect(out.error?.message).toMatch(/publishing to FC function push failed/);
    expect(out.logs).toContainEqual(expect.objectContaining({
      level: 'error', msg: 'changes not enqueued', changes: [{ source: 'dingtalk', kind: 'user', sourceId: 'u-1', reason: 'user_modify_org' }],
    }));
  }, 30_000);

  it('stops at cold start without the app credentials, naming them, never a value', async () => {
    const out = await bundles.invoke('dingtalk-poll', TIMER_EVENT, { env: { ...env, DINGTALK_APP_KEY: '', DINGTALK_APP_SECRET: 'sentinel-secret' }, context });
    expect(out.error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('DINGTALK_APP_KEY') });
    expect(out.stdout).not.toContain('sentinel-secret');
  }, 30_000);
});
