/**
 * `entra-webhook` through its built bundle, as FC runs it: a cold start from the environment, an FC
 * 3.0 HTTP event (the query decoded by FC), the role's credentials in the context, and the change
 * queue being FC's async invoke API (a local stand-in that checks signatures).
 */
import { buildFcHttpEvent, decodeFcHttpResult } from '../../functions/lib/fc/httpEvent';
import { webhookBundle } from '../support/webhookBundle';
import { graphNotification, notificationCollection } from '../support/graphApi';

const TENANT = '8f3e1a52-6b1c-4d2e-9a7f-0c1d2e3f4a5b';
const CLIENT_STATE = 'bundle-client-state-7e1f0a';
const ALICE = '0b7c4e1d-2f3a-4b5c-8d6e-7f8091a2b3c4';

describe('the entra-webhook function (built bundle)', () => {
  const hook = webhookBundle('entra-webhook', { ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_STATE: CLIENT_STATE });

  async function send(url: string, body: string, options: { method?: string; env?: NodeJS.ProcessEnv; contentType?: string } = {}) {
    const event = buildFcHttpEvent({ method: options.method ?? 'POST', url, headers: { 'content-type': options.contentType ?? 'application/json' }, body });
    const out = await hook.invoke(event, options.env);
    expect(out.error).toBeUndefined();
    const res = decodeFcHttpResult(out.result);
    return { status: res.status, headers: res.headers, text: res.body.toString('utf8'), stdout: out.stdout };
  }

  it('answers the validation handshake with the decoded token as text/plain', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 3b3f9821 a+b';
    const res = await send(`/entra?validationToken=${encodeURIComponent(token).replace(/%20/g, '+')}`, '', { contentType: 'text/plain' });
    expect(res).toMatchObject({ status: 200, text: token });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('enqueues the users a genuine collection names for push and answers 202, logging no secret', async () => {
    const body = JSON.stringify(notificationCollection([graphNotification(ALICE, { clientState: CLIENT_STATE, tenantId: TENANT })]));
    const res = await send('/entra', body);
    expect(res).toMatchObject({ status: 202, text: '' });
    expect(hook.fc.invocations[0]).toMatchObject({ api: 'fc3', functionName: 'push' });
    expect(hook.queued()).toEqual([{ source: 'entra', kind: 'user', sourceId: ALICE, reason: 'graph-updated' }]);
    expect(res.stdout).toContain('entra notifications enqueued');
    expect(res.stdout).not.toContain(CLIENT_STATE);
  }, 30_000);

  it('answers a forged clientState 202 with nothing enqueued, malformed JSON 400, another method 405', async () => {
    const forged = JSON.stringify(notificationCollection([graphNotification(ALICE, { clientState: 'guessed', tenantId: TENANT })]));
    expect(await send('/entra', forged)).toMatchObject({ status: 202, text: '' });
    expect(JSON.parse((await send('/entra', '{"value": [')).text)).toMatchObject({ error: 'malformed' });
    expect((await send('/entra', '', { method: 'GET' })).status).toBe(405);
    expect(hook.fc.invocations).toHaveLength(0);
  }, 30_000);

  it('answers 503 when the queue cannot take the change, so Graph delivers it again', async () => {
    hook.fc.failNext(10, 503);
    const res = await send('/entra', JSON.stringify(notificationCollection([graphNotification(ALICE, { clientState: CLIENT_STATE, tenantId: TENANT })])));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'service_unavailable' });
    expect(res.stdout).not.toContain('fc-test-secret');
  }, 30_000);

  it('stops at cold start naming ENTRA_CLIENT_STATE and a tenant given as a domain, never printing the secret', async () => {
    const event = buildFcHttpEvent({ method: 'POST', url: '/entra', body: '{}' });
    const out = await hook.invoke(event, { ...hook.env, ENTRA_TENANT_ID: 'contoso.onmicrosoft.com', ENTRA_CLIENT_STATE: 'x'.repeat(129) });
    expect(out.error?.name).toBe('ConfigError');
    expect(out.error?.message).toMatch(/ENTRA_TENANT_ID.*ENTRA_CLIENT_STATE/);
    expect(out.stdout).not.toContain('x'.repeat(129));
  }, 30_000);
});
