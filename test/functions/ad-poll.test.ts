/**
 * `ad-poll` through its built bundle, as FC's timer runs it: a cold start from the environment, the
 * timer event, the role's credentials in the context, JSON log lines on stdout. (Polling a real DC
 * end to end is test/infra/local/ad.samba.test.ts.)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulatorEnv } from '../../infra/emulator/env';
import { type Bundles, buildBundles } from '../support/bundles';

const TIMER_EVENT = { triggerTime: '2026-11-28T08:00:00Z', triggerName: 'every-5m', payload: '' };

describe('the ad-poll function (built bundle)', () => {
  let bundles: Bundles;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const context = { credentials: { accessKeyId: 'role-akid', accessKeySecret: 'role-secret', securityToken: 'sts-token' } };

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ad-poll-'));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: _id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _secret, ...ram } = emulatorEnv('http://127.0.0.1:1');
    env = { ...ram, STATE_DIR: path.join(dir, 'state'), QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: 'http://127.0.0.1:1' };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stops at cold start without AD_URL, naming it', async () => {
    const out = await bundles.invoke('ad-poll', TIMER_EVENT, { env, context });
    expect(out.error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('AD_URL') });
  }, 30_000);

  it('stops at cold start naming every missing or malformed AD variable, never the password', async () => {
    const out = await bundles.invoke('ad-poll', TIMER_EVENT, {
      env: { ...env, AD_URL: 'ldaps://dc1.corp.example', AD_BIND_PASSWORD: 'hunter2-sentinel', AD_PAGE_SIZE: '5000', AD_USER_FILTER: '(&(objectClass=user)' },
      context,
    });
    expect(out.error?.name).toBe('ConfigError');
    for (const variable of ['AD_BIND_DN', 'AD_BASE_DN', 'AD_PAGE_SIZE', 'AD_USER_FILTER']) expect(out.error?.message).toContain(variable);
    expect(out.stdout).not.toContain('hunter2-sentinel');
  }, 30_000);

  it('fails the tick with a readable error when the DC cannot be reached, and stores no watermark', async () => {
    const out = await bundles.invoke('ad-poll', TIMER_EVENT, {
      env: {
        ...env, AD_URL: 'ldap://127.0.0.1:1', AD_ALLOW_PLAIN_LDAP: 'true', AD_BIND_DN: 'CN=svc-ram-sync,OU=Service,DC=corp,DC=example',
        AD_BIND_PASSWORD: 'hunter2-sentinel', AD_BASE_DN: 'OU=People,DC=corp,DC=example', AD_TIMEOUT_MS: '2000',
      },
      context,
    });
    expect(out.error?.message).toMatch(/could not be reached.*AD_URL/);
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'error', function: 'ad-poll' }));
    expect(out.stdout).not.toContain('hunter2-sentinel');
    const state = path.join(dir, 'state');
    expect(existsSync(state) ? (await readdir(state)).filter((f) => f.includes('watermark')) : []).toEqual([]);
  }, 30_000);
});
