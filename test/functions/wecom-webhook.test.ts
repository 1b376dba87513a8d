/**
 * `wecom-webhook` through its built bundle, as FC runs it: a cold start from the environment,
 * FC 3.0 HTTP events, the role's credentials in the context, and the change queue as FC's async
 * invoke API (a local server checking the signature). Every callback is built by `@wecom/crypto`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../functions/lib/fc/httpEvent';
import { webhookBundle } from '../support/webhookBundle';
import { KEYS, OFFICIAL, contactEvent, eventPost, urlCheck, webhookEnv } from '../lib/sources/wecom/oracle';


describe('the wecom-webhook function (built bundle)', () => {
  const hook = webhookBundle('wecom-webhook', webhookEnv());

  const send = async (method: string, url: string, body?: string, extraEnv: NodeJS.ProcessEnv = {}) => {
    const out = await hook.invoke(buildFcHttpEvent({ method, url, body }), { ...hook.env, ...extraEnv });
    if (out.error) return { status: 0, body: '', headers: {} as Record<string, string>, out };
    const decoded = decodeFcHttpResult(out.result);
    return { status: decoded.status, body: decoded.body.toString('utf8'), headers: decoded.headers, out };
  };

  it('answers the URL check with the bare plaintext', async () => {
    const answer = await send('GET', urlCheck('8437259102837465'));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('8437259102837465');
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('answers the official URL-check vector', async () => {
    const { signature, timestamp, nonce, echostr, plaintext } = OFFICIAL.verify;
    const url = `/wecom?${new URLSearchParams({ msg_signature: signature, timestamp, nonce, echostr })}`;
    const answer = await send('GET', url, undefined, webhookEnv(OFFICIAL));
    expect(answer).toMatchObject({ status: 200, body: plaintext });
  }, 30_000);

  it('enqueues a rename for push, signed with the role credentials, and answers 200', async () => {
    const { url, body } = eventPost(contactEvent({ ChangeType: 'update_user', UserID: 'zhangsan', NewUserID: 'zhang.san', Status: '1' }));
    const answer = await send('POST', url, body);
    expect(answer).toMatchObject({ status: 200, body: '' });
    expect(hook.fc.invocations.map((i) => i.functionName)).toEqual(['push']);
    expect(hook.fc.invocations[0]?.headers['x-acs-security-token']).toBe('sts-token');
    expect(hook.queued()).toEqual([{ source: 'wecom', kind: 'user', sourceId: 'zhang.san', reason: 'update_user', hint: { previousSourceId: 'zhangsan' } }]);
  }, 30_000);

  it('refuses forged (401), misaddressed (403), malformed (400) and oversized (413) requests, enqueuing nothing', async () => {
    const event = contactEvent({ ChangeType: 'delete_user', UserID: 'ceo' });
    const forged = eventPost(event, { ...KEYS, token: 'guessedToken' });
    expect((await send('POST', forged.url, forged.body)).status).toBe(401);
    const other = eventPost(event, KEYS, { receiveId: 'wwothercorp0001' });
    expect((await send('POST', other.url, other.body)).status).toBe(403);
    const good = eventPost(event);
    expect((await send('POST', good.url, '<xml><Encrypt>')).status).toBe(400);
    const bomb = `<!DOCTYPE x [<!ENTITY a "${'a'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>`;
    expect((await send('POST', good.url, bomb)).status).toBe(400);
    // Over the 64 KiB limit (and under the runner's 128 KiB argument limit).
    expect((await send('POST', good.url, `<xml><Encrypt>${'A'.repeat(100_000)}</Encrypt></xml>`)).status).toBe(413);
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('answers 503 only after WeCom has timed out when FC refuses the enqueue, hiding the cause and logging the change ids', async () => {
    hook.fc.failNext(5, 500);
    const { url, body } = eventPost(contactEvent({ ChangeType: 'create_user', UserID: 'u1' }));
    const answer = await send('POST', url, body);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({ error: 'service_unavailable', requestId: expect.any(String) });
    expect(answer.out.stdout).not.toMatch(/role-secret|wecomToken2024|abcdefghijklmnopqrstuvwxyz/);
    expect(answer.out.logs).toContainEqual(expect.objectContaining({
      level: 'error', msg: 'changes not enqueued', changes: [{ source: 'wecom', kind: 'user', sourceId: 'u1', reason: 'create_user' }],
    }));
  }, 30_000);

  it('stops at cold start naming every missing or malformed variable, and no value', async () => {
    const out = await hook.invoke(buildFcHttpEvent({ method: 'GET', url: '/wecom' }),
      { WECOM_CORP_ID: 'ww1', WECOM_TOKEN: 'has spaces in it', QUEUE_KIND: 'sqlite' });
    expect(out.error?.name).toBe('ConfigError');
    for (const variable of ['WECOM_TOKEN', 'WECOM_AES_KEY', 'QUEUE_KIND']) expect(out.error?.message).toContain(variable);
    expect(out.stdout).not.toContain('has spaces in it');
  }, 30_000);

  it('stays small: no RAM client, engine or vendor API client in the bundle', () => {
    const code = readFileSync(path.join(hook.dir, 'wecom-webhook', 'index.js'), 'utf8');
    // The FC invoke SDK is most of it; XML parsing adds ~60 KiB.
    expect(code.length).toBeLessThan(1.25 * 1024 * 1024);
    expect(code).not.toMatch(/scim\.aliyun\.com|ram\.aliyuncs\.com|user\/list_id|gettoken/);
  });
});
