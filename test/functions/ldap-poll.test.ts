/**
 * `ldap-poll` through its built bundle, as FC's timer runs it: a cold start from the environment, the
 * timer event, the role's credentials in the context, JSON log lines on stdout. (Polling a real slapd
 * end to end is test/infra/local/ldap.slapd.test.ts.)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emulatorEnv } from '../../infra/emulator/env';
import { type Bundles, buildBundles } from '../support/bundles';
import { type Slapd, slapdAvailable, startSlapd } from '../support/slapd';

const TIMER_EVENT = { triggerTime: '2026-12-06T08:00:00Z', triggerName: 'every-5m', payload: '' };

describe('the ldap-poll function (built bundle)', () => {
  let bundles: Bundles;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const context = { credentials: { accessKeyId: 'role-akid', accessKeySecret: 'role-secret', securityToken: 'sts-token' } };
  const watermarks = async () => {
    const state = path.join(dir, 'state');
    return existsSync(state) ? (await readdir(state, { recursive: true })).filter((f) => String(f).includes('watermark')) : [];
  };

  beforeAll(async () => { bundles = await buildBundles(); }, 60_000);
  afterAll(() => bundles.close());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ldap-poll-'));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: _id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _secret, ...ram } = emulatorEnv('http://127.0.0.1:1');
    env = { ...ram, STATE_DIR: path.join(dir, 'state'), QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: 'http://127.0.0.1:1' };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stops at cold start without LDAP_URL, naming it', async () => {
    const out = await bundles.invoke('ldap-poll', TIMER_EVENT, { env, context });
    expect(out.error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('LDAP_URL') });
  }, 30_000);

  it('stops at cold start naming every missing or malformed LDAP variable, never the password', async () => {
    const out = await bundles.invoke('ldap-poll', TIMER_EVENT, {
      env: {
        ...env, LDAP_URL: 'ldaps://ldap.corp.example', LDAP_BIND_PASSWORD: 'hunter2-sentinel', LDAP_PAGE_SIZE: '0',
        LDAP_USER_FILTER: '(&(objectClass=inetOrgPerson)', LDAP_DELETE_DETECTION: 'tombstones',
      },
      context,
    });
    expect(out.error?.name).toBe('ConfigError');
    for (const variable of ['LDAP_BIND_DN', 'LDAP_BASE_DN', 'LDAP_PAGE_SIZE', 'LDAP_USER_FILTER', 'LDAP_DELETE_DETECTION']) expect(out.error?.message).toContain(variable);
    expect(out.stdout).not.toContain('hunter2-sentinel');
  }, 30_000);

  it('fails the tick with a readable error when the server cannot be reached, and stores no watermark', async () => {
    const out = await bundles.invoke('ldap-poll', TIMER_EVENT, {
      env: {
        ...env, LDAP_URL: 'ldap://127.0.0.1:1', LDAP_ALLOW_PLAIN_LDAP: 'true', LDAP_BIND_DN: 'cn=svc-ram-sync,dc=example,dc=test',
        LDAP_BIND_PASSWORD: 'hunter2-sentinel', LDAP_BASE_DN: 'ou=People,dc=example,dc=test', LDAP_TIMEOUT_MS: '2000',
      },
      context,
    });
    expect(out.error?.message).toMatch(/LDAP_URL/);
    expect(out.logs).toContainEqual(expect.objectContaining({ level: 'error', function: 'ldap-poll' }));
    expect(out.stdout).not.toContain('hunter2-sentinel');
    expect(await watermarks()).toEqual([]);
  }, 30_000);

  (slapdAvailable ? describe : describe.skip)('against a throwaway slapd', () => {
    let slapd: Slapd;
    beforeAll(async () => { slapd = await startSlapd(); }, 60_000);
    afterAll(() => slapd?.stop());

    it('a wrong bind password is a final error naming LDAP_BIND_DN and LDAP_BIND_PASSWORD, never the password', async () => {
      const out = await bundles.invoke('ldap-poll', TIMER_EVENT, {
        env: {
          ...env, LDAP_URL: slapd.url, LDAP_ALLOW_PLAIN_LDAP: 'true', LDAP_BIND_DN: slapd.bindDn,
          LDAP_BIND_PASSWORD: 'hunter2-sentinel', LDAP_BASE_DN: slapd.people,
        },
        context,
      });
      expect(out.error?.message).toMatch(/LDAP_BIND_DN.*LDAP_BIND_PASSWORD|LDAP_BIND_PASSWORD.*LDAP_BIND_DN/);
      expect(out.stdout).not.toContain('hunter2-sentinel');
      expect(await watermarks()).toEqual([]);
    }, 30_000);
  });
});
