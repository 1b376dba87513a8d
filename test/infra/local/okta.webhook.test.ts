/**
 * Okta's Event Hook path on the local stack, every part a built bundle: a person changes at the
 * fake Okta, which writes the System Log events Okta would; those events, delivered as Okta's
 * Event Hook delivers them, reach `okta-webhook` over HTTP on /okta, are enqueued through FC's
 * async invoke API into the durable queue, and `push`, reading the person from the fake Okta,
 * makes RAM (the emulator) follow. No timer runs: okta-poll cannot be what found the change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';
import { type OktaApiFake, oktaUser, startOktaApi } from '../../support/oktaApi';
import { type HookAuth, delivery, deliveryRequest, verificationRequest } from '../../support/oktaEventHooks';

const SECRET = 'local-stack-hook-secret-0123456789';
const AUTH: HookAuth = { key: 'Authorization', value: SECRET };

describe('Okta Event Hooks on the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let okta: OktaApiFake;
  let delivered = 0;
  const lines: string[] = [];

  /** What Okta would deliver now: the System Log events written since the last delivery. */
  function nextDelivery(): Record<string, unknown> {
    const events = okta.events.slice(delivered);
    delivered = okta.events.length;
    return delivery(events);
  }
  const send = (req: { method: string; headers: Record<string, string>; body: string | Buffer }) =>
    fetch(`${stack.url}/okta`, { method: req.method, headers: req.headers, ...(req.method === 'POST' && { body: req.body }) });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'okta-webhook-'));
    okta = await startOktaApi({ users: [oktaUser(1)] });
    delivered = okta.events.length;
    stack = await startLocalStack({
      env: {
        ...process.env, STATE_DIR: path.join(dir, 'state'), DIRECTORY_FILE: '', RAM_OAUTH_CLIENT_ID: '',
        OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken, OKTA_EVENT_HOOK_SECRET: SECRET,
      },
      port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20, timers: {}, functionLog: (line) => lines.push(line),
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await okta?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves okta-webhook on /okta and answers the verification only with the secret', async () => {
    expect(stack.functions).toEqual(expect.arrayContaining(['okta-webhook', 'push']));
    const verified = await send(verificationRequest(AUTH, 'local-challenge'));
    expect(verified.status).toBe(200);
    expect(verified.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await verified.json()).toEqual({ verification: 'local-challenge' });
    expect((await send(verificationRequest(undefined, 'local-challenge'))).status).toBe(401);
  });

  it('a person created, renamed, then deactivated at Okta: RAM follows through the hook each time', async () => {
    const bob = okta.addUser(oktaUser(2, { profile: { login: 'bob.builder@corp.example', email: 'bob.builder@corp.example', firstName: 'Bob', lastName: 'Builder' } }));
    const created = await send(deliveryRequest(nextDelivery(), AUTH));
    expect(created.status).toBe(200);
    expect(await created.text()).toBe('');
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId(`okta:${bob.id}`)).toMatchObject({ displayName: 'Bob Builder' });

    okta.updateUser(bob.id, { profile: { displayName: 'Robert Builder' } });
    expect((await send(deliveryRequest(nextDelivery(), AUTH))).status).toBe(200);
    await stack.idle();
    expect(stack.emulator!.state.userByExternalId(`okta:${bob.id}`)).toMatchObject({ displayName: 'Robert Builder' });

    okta.deleteUser(bob.id); // Okta's first DELETE deactivates: DEPROVISIONED, user.lifecycle.deactivate
    expect((await send(deliveryRequest(nextDelivery(), AUTH))).status).toBe(200);
    await stack.idle();
    // Deactivated is gone (DEPROVISION_DELETED, delete by default): RAM deletes the user.
    expect(stack.emulator!.state.userByExternalId(`okta:${bob.id}`)).toBeUndefined();
    expect(lines.filter((l) => l.includes('"msg":"provisioning"')).map((l) => JSON.parse(l) as Record<string, string>).map((l) => [l.action, l.externalId]))
      .toEqual([['create', `okta:${bob.id}`], ['update', `okta:${bob.id}`], ['delete', `okta:${bob.id}`]]);

    // The webhook logged ids and counts: not the secret, not the person's login or name.
    const hookLines = lines.filter((l) => l.includes('"function":"okta-webhook"'));
    expect(hookLines.filter((l) => l.includes('okta delivery enqueued'))).toHaveLength(3);
    for (const personal of [SECRET, 'bob.builder@corp.example', 'Bob Builder', 'Robert Builder']) {
      expect(hookLines.join('\n')).not.toContain(personal);
    }
  }, 60_000);

  it('refuses a forged delivery (401) and an oversized one (413), enqueueing nothing', async () => {
    const carol = okta.addUser(oktaUser(3));
    const body = nextDelivery();
    const before = stack.queue.stats();
    expect((await send(deliveryRequest(body, { ...AUTH, value: `${SECRET}-guess` }))).status).toBe(401);
    expect((await send(deliveryRequest(body, undefined))).status).toBe(401);
    const huge = { method: 'POST', headers: { authorization: SECRET, 'content-type': 'application/json' }, body: Buffer.alloc(1024 * 1024 + 1, 0x20) };
    expect((await send(huge)).status).toBe(413);
    await stack.idle();
    expect(stack.queue.stats()).toEqual(before);
    expect(stack.emulator!.state.userByExternalId(`okta:${carol.id}`)).toBeUndefined();
  }, 60_000);
});

describe('okta-webhook on the local stack without its secret', () => {
  it('is off, not an error, while the okta source is off, and while OKTA_EVENT_HOOK_SECRET is unset with the source on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'okta-webhook-off-'));
    const okta = await startOktaApi({ users: [oktaUser(1)] });
    const common = { ...process.env, STATE_DIR: path.join(dir, 'state'), RAM_OAUTH_CLIENT_ID: '', OKTA_EVENT_HOOK_SECRET: '' };
    try {
      for (const [env, expected] of [
        [{ ...common, DIRECTORY_FILE: path.resolve(__dirname, '../../../infra/sample/directory.json'), OKTA_ORG_URL: '' }, 'OKTA_ORG_URL'],
        [{ ...common, DIRECTORY_FILE: '', OKTA_ORG_URL: okta.url, OKTA_API_TOKEN: okta.apiToken }, 'OKTA_EVENT_HOOK_SECRET'],
      ] as const) {
        const stack = await startLocalStack({ env, port: 0, emulatorPort: 0, outdir: path.join(dir, 'dist'), pollMs: 20, timers: {}, functionLog: () => undefined });
        try {
          expect(stack.unconfigured.get('okta-webhook')).toMatchObject({ off: true, switch: expected });
          expect((await fetch(`${stack.url}/okta`, { method: 'POST', body: '{}' })).status).toBe(503);
        } finally {
          await stack.stop();
        }
      }
    } finally {
      await okta.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
