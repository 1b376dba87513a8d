/**
 * `npm run deploy -- --dry-run`, run as a process: the plan for a DingTalk-only, an AD-only, an
 * Entra-and-Okta and an everything configuration, read from the environment and the .env beside s.yaml as `s` reads them.
 * The s.yaml is a copy in a temporary directory, so a developer's .env cannot colour the result.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..', '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

const BASE = { FC_REGION: 'cn-shanghai', FC_LOG_PROJECT: 'sls-test', RAM_OAUTH_CLIENT_ID: 'id', RAM_OAUTH_CLIENT_SECRET: 'secret' };
const DINGTALK = { DINGTALK_APP_KEY: 'dingkey', DINGTALK_APP_SECRET: 'dingsecret', DINGTALK_TOKEN: 't', DINGTALK_AES_KEY: 'a'.repeat(43) };
const AD = { AD_URL: 'ldaps://dc.corp.example', AD_BIND_DN: 'CN=sync,DC=corp', AD_BIND_PASSWORD: 'p', AD_BASE_DN: 'DC=corp' };
const LARK = { LARK_APP_ID: 'cli_1', LARK_APP_SECRET: 's', LARK_VERIFICATION_TOKEN: 'v' };
const WECOM = { WECOM_CORP_ID: 'ww0123', WECOM_SECRET: 's', WECOM_TOKEN: 't', WECOM_AES_KEY: 'b'.repeat(43) };
const LDAP = { LDAP_URL: 'ldaps://ldap.corp.example', LDAP_BIND_DN: 'cn=sync,dc=corp', LDAP_BIND_PASSWORD: 'p', LDAP_BASE_DN: 'dc=corp' };
const TENANT = '11111111-2222-3333-4444-555555555555';
const ENTRA = { ENTRA_TENANT_ID: TENANT, ENTRA_CLIENT_ID: '66666666-7777-8888-9999-000000000000', ENTRA_CLIENT_SECRET: 's', ENTRA_CLIENT_STATE: 'c'.repeat(32) };
const OKTA = { OKTA_ORG_URL: 'https://acme.okta.com', OKTA_API_TOKEN: 't', OKTA_EVENT_HOOK_SECRET: 'h'.repeat(32) };
/** The functions of sources that are off in the DingTalk-only and AD-only plans, in s.yaml's order. */
const OFF = {
  okta: 'skip: okta-webhook: Okta is not configured (OKTA_ORG_URL)',
  entra: 'skip: entra-webhook: Microsoft Entra ID is not configured (ENTRA_TENANT_ID)',
  ldapPoll: 'skip: ldap-poll: OpenLDAP is not configured (LDAP_URL)',
  entraPoll: 'skip: entra-poll: Microsoft Entra ID is not configured (ENTRA_TENANT_ID)',
  oktaPoll: 'skip: okta-poll: Okta is not configured (OKTA_ORG_URL)',
};

let dir: string;
let bin: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-plan-'));
  copyFileSync(path.join(root, 's.yaml'), path.join(dir, 's.yaml'));
  // A stand-in `aliyun` on PATH: a dry run only looks for it, never runs it.
  bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'aliyun'), '#!/bin/sh\nexit 3\n');
  chmodSync(path.join(bin, 'aliyun'), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function dryRun(vars: Record<string, string>, options: { aliyun?: boolean } = {}): Promise<string[]> {
  const PATH = options.aliyun ? `${bin}${path.delimiter}${process.env.PATH}` : process.env.PATH;
  const { stdout } = await run(tsx, [path.join(root, 'infra/deploy/deploy.ts'), '--dry-run', '-t', path.join(dir, 's.yaml')], {
    cwd: root, env: { PATH, HOME: process.env.HOME, ...vars },
  });
  return stdout.trim().split('\n');
}

const sDeploy = (name: string) => `  s ${name} deploy -t ${path.join(dir, 's.yaml')} -y --skip-actions`;

describe('npm run deploy -- --dry-run', () => {
  it('deploys DingTalk\'s webhook and poller beside push and full-sync for a DingTalk-only company, and says what it skips', async () => {
    expect(await dryRun({ ...BASE, ...DINGTALK })).toEqual([
      'deploy: push, full-sync, dingtalk-webhook, dingtalk-poll',
      'skip: lark-webhook: Lark is not configured (LARK_APP_ID)',
      'skip: wecom-webhook: WeCom is not configured (WECOM_CORP_ID)',
      OFF.okta, OFF.entra,
      'skip: ad-poll: Active Directory is not configured (AD_URL)',
      OFF.ldapPoll, OFF.entraPoll, OFF.oktaPoll,
      expect.stringMatching(/^note: SLS index not applied: no aliyun CLI on PATH; apply infra\/deploy\/sls-index.json to sls-test\/ram-scim-sync by hand/),
      'commands:',
      '  npm run build',
      sDeploy('push'), sDeploy('full-sync'), sDeploy('dingtalk-webhook'), sDeploy('dingtalk-poll'),
    ]);
  });

  it('deploys ad-poll and no webhook for an AD-only company', async () => {
    const lines = await dryRun({ ...BASE, ...AD });
    expect(lines[0]).toBe('deploy: push, full-sync, ad-poll');
    expect(lines.filter((l) => l.startsWith('skip: ')).map((l) => l.split(':')[1]!.trim())).toEqual([
      'dingtalk-webhook', 'lark-webhook', 'wecom-webhook', 'okta-webhook', 'entra-webhook', 'dingtalk-poll', 'ldap-poll', 'entra-poll', 'okta-poll',
    ]);
    expect(lines.slice(lines.indexOf('commands:') + 1)).toEqual(['  npm run build', sDeploy('push'), sDeploy('full-sync'), sDeploy('ad-poll')]);
  });

  it('deploys everything, then applies the SLS index with the aliyun CLI, when every source is configured', async () => {
    const lines = await dryRun({ ...BASE, ...DINGTALK, ...AD, ...LARK, ...WECOM, ...LDAP, ...ENTRA, ...OKTA, FC_EGRESS_VIA_NAT: 'true' }, { aliyun: true });
    const functions = [
      'push', 'full-sync', 'dingtalk-webhook', 'lark-webhook', 'wecom-webhook', 'okta-webhook', 'entra-webhook',
      'dingtalk-poll', 'ad-poll', 'ldap-poll', 'entra-poll', 'okta-poll',
    ];
    expect(lines).toEqual([
      `deploy: ${functions.join(', ')}`,
      'commands:',
      '  npm run build',
      ...functions.map(sDeploy),
      '  aliyun sls create-index --region=cn-shanghai --project=sls-test --logstore=ram-scim-sync '
        + '--line="$(jq -c .line infra/deploy/sls-index.json)" --keys="$(jq -c .keys infra/deploy/sls-index.json)"',
    ]);
  });

  it('reads the .env beside s.yaml as s does (the environment wins), and notes WeCom without a fixed egress IP', async () => {
    writeFileSync(path.join(dir, '.env'), 'WECOM_CORP_ID=ww0123\nWECOM_SECRET=s\nAD_URL=ldaps://from-dotenv\n');
    try {
      const lines = await dryRun({ ...BASE, AD_URL: '' });
      expect(lines[0]).toBe('deploy: push, full-sync, wecom-webhook');
      expect(lines).toContainEqual(expect.stringMatching(/^note: WeCom is configured but FC_EGRESS_VIA_NAT is not true: WeCom answers 60020/));
    } finally {
      rmSync(path.join(dir, '.env'));
    }
  });

  it('skips a source\'s optional webhook whose own secret is unset, and says which variable turns it on', async () => {
    const lines = await dryRun({ ...BASE, ...ENTRA, ...OKTA, ENTRA_CLIENT_STATE: '', OKTA_EVENT_HOOK_SECRET: '' });
    expect(lines[0]).toBe('deploy: push, full-sync, entra-poll, okta-poll');
    expect(lines).toEqual(expect.arrayContaining([
      'skip: okta-webhook: okta-webhook is optional and off (OKTA_EVENT_HOOK_SECRET is not set)',
      'skip: entra-webhook: entra-webhook is optional and off (ENTRA_CLIENT_STATE is not set)',
    ]));
  });

  it('notes what would stop a half-configured source at cold start, and still runs nothing', async () => {
    const lines = await dryRun({ ...BASE, LARK_APP_ID: 'cli_1' });
    expect(lines[0]).toBe('deploy: push, full-sync, lark-webhook');
    expect(lines).toContainEqual(expect.stringMatching(/^note: Lark: LARK_APP_SECRET is required/));
    expect(lines.some((l) => l.startsWith('deployed:'))).toBe(false);
  });
});
