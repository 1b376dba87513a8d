/**
 * Each source's whole path on the local stack, every part a built bundle: a callback signed by the
 * vendor's own library (or our checked builder) reaches the webhook function, is enqueued through
 * FC's async invoke API into the durable queue, and `push` — reading the person from the vendor's
 * API (a local fake) — makes RAM (the emulator) follow.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { type DingtalkApiFake, startDingtalkApi } from '../../support/dingtalkApi';
import { type LarkApiFake, larkRequest, larkUser, startLarkApi, v2Event } from '../../support/larkApi';
import { type WecomApiFake, startWecomApi } from '../../support/wecomApi';
import { DINGTALK_KEYS, WEBHOOK_ENV as DINGTALK_WEBHOOK_ENV, dingtalkCallback } from '../../lib/sources/dingtalk/callbacks';
import { KEYS as WECOM_KEYS, contactEvent, eventPost, webhookEnv as wecomWebhookEnv } from '../../lib/sources/wecom/oracle';

const LARK = { verificationToken: 'lark-verification-token', encryptKey: 'lark-encrypt-key' };

describe('the three webhook sources on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let dingtalk: DingtalkApiFake;
  let lark: LarkApiFake;
  let wecom: WecomApiFake;
  const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${stack.url}${url}`, { method: 'POST', headers, body });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sources-'));
    dingtalk = await startDingtalkApi({
      appKey: DINGTALK_KEYS.appKey, users: [{ userid: 'manager001', name: '王芳', email: 'wang.fang@example.cn', dept_id_list: [1], active: true }],
    });
    lark = await startLarkApi({ users: [larkUser(7, { email: 'lark.seven@example.com', enterprise_email: undefined })], departments: [{ open_department_id: 'od-eng', name: 'Engineering', parent_department_id: '0' }] });
    wecom = await startWecomApi({ corpId: WECOM_KEYS.corpId });
    wecom.users.set('zhangsan', { userid: 'zhangsan', name: '张三', department: [1], email: 'zhangsan@example.cn', status: 1 });
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: '', RAM_OAUTH_CLIENT_ID: '',
        ...DINGTALK_WEBHOOK_ENV, DINGTALK_APP_SECRET: 'app-secret-0001', DINGTALK_API_URL: dingtalk.url,
        LARK_APP_ID: 'cli_fake_app', LARK_APP_SECRET: 'fake-app-secret', LARK_API_URL: lark.url,
        LARK_VERIFICATION_TOKEN: LARK.verificationToken, LARK_ENCRYPT_KEY: LARK.encryptKey,
        ...wecomWebhookEnv(WECOM_KEYS), WECOM_SECRET: wecom.secret, WECOM_API_URL: wecom.url,
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20,
    });
  }, 90_000);
  afterAll(async () => {
    await stack.stop();
    await Promise.all([dingtalk.close(), lark.close(), wecom.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves all three webhooks', () => {
    expect(stack.functions).toEqual(expect.arrayContaining(['dingtalk-webhook', 'lark-webhook', 'wecom-webhook', 'push']));
    // AD, OpenLDAP, Entra and Okta are not configured here: their functions are off
    expect([...stack.unconfigured.keys()].sort()).toEqual(['ad-poll', 'entra-poll', 'entra-webhook', 'ldap-poll', 'okta-poll', 'okta-webhook']);
  });

  it('DingTalk: user_add_org → RAM user', async () => {
    const callback = dingtalkCallback({ EventType: 'user_add_org', UserId: ['manager001'], TimeStamp: String(Date.now()) });
    expect((await post(callback.url, callback.body)).status).toBe(200);
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId('dingtalk:manager001')).toMatchObject({ userName: 'wang.fang', displayName: '王芳' });
  });

  it('Lark: contact.user.created_v3 → RAM user', async () => {
    const request = larkRequest(v2Event('contact.user.created_v3', { object: larkUser(7) }, LARK.verificationToken), LARK);
    expect((await post('/lark', request.body, request.headers)).status).toBe(200);
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId(`lark:${larkUser(7).union_id}`)).toMatchObject({ userName: 'lark.seven' });
  });

  it('WeCom: create_user → RAM user; a forged callback is refused and enqueues nothing', async () => {
    const event = eventPost(contactEvent({ ChangeType: 'create_user', UserID: 'zhangsan', Department: '1' }));
    expect((await post(event.url, event.body, { 'content-type': 'text/xml' })).status).toBe(200);
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId('wecom:zhangsan')).toMatchObject({ userName: 'zhangsan', displayName: '张三' });

    const before = stack.queue.stats();
    const forged = eventPost(contactEvent({ ChangeType: 'delete_user', UserID: 'zhangsan' }), { ...WECOM_KEYS, token: 'not-the-token' });
    expect((await post(forged.url, forged.body, { 'content-type': 'text/xml' })).status).toBe(401);
    expect(stack.queue.stats()).toEqual(before);
  });
});
