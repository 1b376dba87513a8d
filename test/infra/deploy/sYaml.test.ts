/**
 * s.yaml as Serverless Devs renders it (the real CLI, offline), checked against the vendored fc3
 * schema like `s verify`, plus what the schema lets through: the deployed set equals the built set,
 * push's queue settings, no triggers where none belong, no literal secret, and two roles whose policies
 * cover exactly what the functions of each call: the webhooks get neither RAM, NAS nor VPC.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { functionNames } from '../../../infra/build';
import { FAILURE_HOLD_MS } from '../../../functions/lib/sources/wecom/webhook';
import {
  formatFc3Problem, isFc3, loadFc3Schema, reconcileProblems, renderSYaml, validateFc3Resources,
  type RenderedSpec, SYamlRenderError,
} from '../../../infra/deploy/sYaml';
import {
  allowedActions, FUNCTION_ROLE_POLICY_PATH, FUNCTION_ROLE_TRUST_PATH, policyAllows, readPolicy, WEBHOOK_ROLE_POLICY_PATH,
} from '../../../infra/deploy/policy';

const root = path.resolve(__dirname, '..', '..', '..');
const sYamlPath = path.join(root, 's.yaml');
const ACCOUNT = '1234567890123456';
const REGION = 'cn-shanghai';

/** What an operator sets; secrets are sentinels so the test can see where they end up. */
const DEPLOY_ENV = {
  FC_REGION: REGION,
  FC_ROLE_ARN: `acs:ram::${ACCOUNT}:role/ram-scim-sync`,
  FC_WEBHOOK_ROLE_ARN: `acs:ram::${ACCOUNT}:role/ram-scim-sync-webhook`,
  PUSH_DLQ_ARN: `acs:mns:${REGION}:${ACCOUNT}:/queues/ram-scim-sync-push-dlq/messages`,
  FC_VPC_ID: 'vpc-test',
  FC_VSWITCH_ID: 'vsw-test',
  FC_SECURITY_GROUP_ID: 'sg-test',
  FC_NAS_SERVER_ADDR: `0a1b2c.${REGION}.nas.aliyuncs.com:/ram-scim-sync`,
  FC_LOG_PROJECT: 'sls-test',
  RAM_OAUTH_CLIENT_ID: 'client-id-sentinel',
  RAM_OAUTH_CLIENT_SECRET: 'client-secret-sentinel',
};
/** Only PATH and HOME from the developer's shell: an exported FC_PREFIX must not change the result. */
const cliEnv = (vars: Record<string, string>) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...vars });

/** Until the handler folders land, the functions that exist now. */
const TODAY = ['full-sync', 'push'];
const QUEUE_FED = ['push', 'full-sync'];
/** The RAM role, NAS and the VPC: what applies changes. */
const ENGINE = ['push', 'full-sync', 'ad-poll', 'entra-poll', 'okta-poll', 'ldap-poll'];
/** Invoke push, nothing else: public webhooks, and dingtalk-poll (DingTalk's API, no state). */
const ENQUEUERS = ['dingtalk-webhook', 'lark-webhook', 'wecom-webhook', 'okta-webhook', 'entra-webhook', 'dingtalk-poll'];
/** The fc3 release whose src/schema.json infra/deploy/fc3-schema.json is. */
const FC3_COMPONENT = 'fc3@0.1.22';
const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|AES_KEY|ENCRYPT_KEY|APP_KEY|PRIVATE_KEY|CLIENT_STATE)$/;

const props = (spec: RenderedSpec, name: string): Record<string, unknown> => {
  const resource = spec.resources[name];
  if (!resource) throw new Error(`s.yaml has no resource ${name}`);
  return resource.props;
};
const env = (spec: RenderedSpec, name: string) => props(spec, name).environmentVariables as Record<string, string>;

let spec: RenderedSpec;
let rootEntriesBefore: string[];

beforeAll(async () => {
  rootEntriesBefore = readdirSync(root);
  spec = await renderSYaml({ sYamlPath, env: cliEnv(DEPLOY_ENV) });
});

describe('s.yaml', () => {
  it('renders offline without writing into the repository', () => {
    expect(spec.edition).toBe('3.0.0');
    expect(readdirSync(root).filter((e) => !rootEntriesBefore.includes(e))).toEqual([]);
  });

  it('passes the fc3 schema for every resource, as `s verify` would', () => {
    expect(validateFc3Resources(spec, loadFc3Schema()).map(formatFc3Problem)).toEqual([]);
  });

  it('deploys exactly the functions the build produces, each from ./dist/<name>', () => {
    const built = functionNames();
    const expected = built.length ? built : TODAY;
    const fc3 = Object.entries(spec.resources).filter(([, r]) => isFc3(r.component));
    expect(fc3.map(([name]) => name).sort()).toEqual(expected);
    for (const [name, r] of fc3) {
      expect({ name, code: r.props.code, functionName: r.props.functionName })
        .toEqual({ name, code: `./dist/${name}`, functionName: `ram-scim-sync-${name}` });
    }
  });

  it('runs every function on nodejs20 with index.handler, in the region, with the fc3 component the schema comes from', () => {
    expect([...ENGINE, ...ENQUEUERS].sort()).toEqual(Object.keys(spec.resources).sort());
    for (const name of Object.keys(spec.resources)) {
      expect(spec.resources[name]!.component).toBe(FC3_COMPONENT);
      expect(props(spec, name)).toMatchObject({ runtime: 'nodejs20', handler: 'index.handler', region: REGION });
    }
  });

  it('gives push, full-sync and ad-poll the RAM role, the VPC and the state directory on NAS', () => {
    for (const name of ENGINE) {
      expect(props(spec, name)).toMatchObject({
        role: DEPLOY_ENV.FC_ROLE_ARN,
        vpcConfig: { vpcId: 'vpc-test', vSwitchIds: ['vsw-test'], securityGroupId: 'sg-test' },
        nasConfig: { mountPoints: [{ serverAddr: DEPLOY_ENV.FC_NAS_SERVER_ADDR, mountDir: '/mnt/state' }] },
      });
    }
  });

  it('gives the webhooks and dingtalk-poll the invoke-only role, no NAS, no VPC, no RAM setting and no state directory', () => {
    for (const name of ENQUEUERS) {
      const p = props(spec, name);
      expect({ name, role: p.role, vpc: p.vpcConfig, nas: p.nasConfig, internet: p.internetAccess })
        .toEqual({ name, role: DEPLOY_ENV.FC_WEBHOOK_ROLE_ARN, vpc: undefined, nas: undefined, internet: true });
      expect(Object.keys(env(spec, name)).filter((k) => k.startsWith('RAM_') || k === 'STATE_DIR')).toEqual([]);
      expect(env(spec, name)).toMatchObject({ QUEUE_KIND: 'fc3', PUSH_FUNCTION_NAME: 'ram-scim-sync-push' });
    }
  });

  it('keeps one JSON log line per SLS entry (no date-based line-begin rule) in the configured logstore', () => {
    for (const name of Object.keys(spec.resources)) {
      expect(props(spec, name).logConfig).toEqual({
        project: 'sls-test', logstore: 'ram-scim-sync', enableRequestMetrics: true, enableInstanceMetrics: true, logBeginRule: 'None',
      });
    }
  });

  it('builds before `s deploy` when s is called directly', () => {
    const raw = parse(readFileSync(sYamlPath, 'utf8'), { merge: true }) as { actions?: Record<string, unknown> };
    expect(raw.actions).toEqual({ 'pre-deploy': [{ run: 'npm run build', path: './' }] });
  });

  it('sends only push\'s and full-sync\'s internet traffic through the VPC (its NAT gateway\'s EIP) with FC_EGRESS_VIA_NAT=true, and none by default', async () => {
    const internet = (s: RenderedSpec) => Object.fromEntries(Object.keys(s.resources).map((n) => [n, props(s, n).internetAccess]));
    const all = (value: boolean) => Object.fromEntries(Object.keys(spec.resources).map((n) => [n, value]));
    expect(internet(spec)).toEqual(all(true));
    const viaNat = await renderSYaml({ sYamlPath, env: cliEnv({ ...DEPLOY_ENV, FC_EGRESS_VIA_NAT: 'true' }) });
    expect(internet(viaNat)).toEqual({ ...all(true), push: false, 'full-sync': false });
    for (const name of ['push', 'full-sync']) expect(props(viaNat, name).vpcConfig).toEqual(props(spec, name).vpcConfig);
    expect(validateFc3Resources(viaNat, loadFc3Schema()).map(formatFc3Problem)).toEqual([]);
  });

  it('gives push three async retries over a day, then the dead-letter queue, in async task mode (webhooks dedupe by task id)', () => {
    expect(props(spec, 'push')).toMatchObject({ timeout: 600, memorySize: 512 });
    expect(props(spec, 'push').asyncInvokeConfig).toEqual({
      asyncTask: true,
      maxAsyncRetryAttempts: 3,
      maxAsyncEventAgeInSeconds: 86400,
      destinationConfig: { onFailure: { destination: DEPLOY_ENV.PUSH_DLQ_ARN } },
    });
  });

  it('bounds push to a few instances at once: RAM\'s rate is one budget for the account, more instances would only wait on it', () => {
    expect(props(spec, 'push').concurrencyConfig).toEqual({ reservedConcurrency: 4 });
  });

  it('gives wecom-webhook longer than a failed enqueue takes: two 5 s invoke attempts, or the hold past WeCom\'s deadline', () => {
    expect(Number(props(spec, 'wecom-webhook').timeout) * 1000).toBeGreaterThan(Math.max(FAILURE_HOLD_MS, 2 * 5_000) + 2_000);
  });

  it('gives full-sync an hour and a gigabyte', () => {
    expect(props(spec, 'full-sync')).toMatchObject({ timeout: 3600, memorySize: 1024 });
  });

  it('puts no trigger on push: it is invoked, not triggered', () => {
    expect(props(spec, 'push').triggers).toBeUndefined();
  });

  it('gives full-sync its reconcile timer, daily at 03:00 China time unless FULL_SYNC_SCHEDULE says otherwise', () => {
    expect(props(spec, 'full-sync').triggers).toEqual([{
      triggerName: 'reconcile', triggerType: 'timer', qualifier: 'LATEST',
      triggerConfig: { cronExpression: 'CRON_TZ=Asia/Shanghai 0 0 3 * * *', enable: true },
    }]);
  });

  it.each([
    ['a cron in a time zone', { FULL_SYNC_SCHEDULE: '0 30 2 * * MON-FRI', FULL_SYNC_TIMEZONE: 'Europe/Berlin' }, { cronExpression: 'CRON_TZ=Europe/Berlin 0 30 2 * * MON-FRI', enable: true }],
    ['an interval (FC takes no zone with @every)', { FULL_SYNC_SCHEDULE: '@every 6h', FULL_SYNC_TIMEZONE: 'UTC' }, { cronExpression: '@every 6h', enable: true }],
    ['off: the trigger stays, disabled, on a cron FC accepts', { FULL_SYNC_SCHEDULE: 'off' }, { cronExpression: 'CRON_TZ=Asia/Shanghai 0 0 3 * * *', enable: false }],
    // `s` reads an empty variable as unset, so empty is the default here: `off` is how to turn it off.
    ['an empty FULL_SYNC_SCHEDULE, which s reads as unset', { FULL_SYNC_SCHEDULE: '' }, { cronExpression: 'CRON_TZ=Asia/Shanghai 0 0 3 * * *', enable: true }],
  ])('renders the reconcile timer from the environment: %s', async (_name, vars, triggerConfig) => {
    const rendered = await renderSYaml({ sYamlPath, env: cliEnv({ ...DEPLOY_ENV, ...vars }) });
    expect(props(rendered, 'full-sync').triggers).toEqual([expect.objectContaining({ triggerName: 'reconcile', triggerType: 'timer', triggerConfig })]);
    expect(validateFc3Resources(rendered, loadFc3Schema()).map(formatFc3Problem)).toEqual([]);
    expect(reconcileProblems(rendered)).toEqual([]);
  });

  it('names the variable when the schedule or time zone is one FC would refuse (verify.ts)', async () => {
    const rendered = await renderSYaml({ sYamlPath, env: cliEnv({ ...DEPLOY_ENV, FULL_SYNC_SCHEDULE: '0 3 * * *', FULL_SYNC_TIMEZONE: 'Asia/Beijing' }) });
    expect(reconcileProblems(rendered).map(formatFc3Problem)).toEqual([
      expect.stringMatching(/^full-sync\/props\/triggers\/0\/triggerConfig\/cronExpression: FULL_SYNC_TIMEZONE must be an IANA time zone/),
      expect.stringMatching(/^full-sync\/props\/triggers\/0\/triggerConfig\/cronExpression: FULL_SYNC_SCHEDULE must be .*6-field cron/),
    ]);
  });

  it('polls AD every 5 minutes from one instance at most, in the VPC, with the watermark on NAS and the engine\'s settings', () => {
    const adPoll = props(spec, 'ad-poll');
    expect(adPoll.triggers).toEqual([expect.objectContaining({ triggerType: 'timer', triggerConfig: expect.objectContaining({ cronExpression: '@every 5m', enable: true }) })]);
    expect(adPoll).toMatchObject({ concurrencyConfig: { reservedConcurrency: 1 }, timeout: 3600, asyncInvokeConfig: { maxAsyncRetryAttempts: 0 } });
    expect(adPoll.vpcConfig).toEqual({ vpcId: 'vpc-test', vSwitchIds: ['vsw-test'], securityGroupId: 'sg-test' });
    expect(adPoll.nasConfig).toMatchObject({ mountPoints: [{ mountDir: '/mnt/state' }] });
    // The same engine settings as push and full-sync (a full resync runs the engine in place).
    expect(env(spec, 'ad-poll')).toEqual(env(spec, 'full-sync'));
    for (const name of ['ad-poll', 'push', 'full-sync']) {
      expect(Object.keys(env(spec, name))).toEqual(expect.arrayContaining(['AD_URL', 'AD_BIND_DN', 'AD_BIND_PASSWORD', 'AD_BASE_DN', 'AD_USER_FILTER', 'AD_GROUP_FILTER', 'AD_TLS_CA']));
    }
  });

  it('polls OpenLDAP every 5 minutes from one instance at most, in the VPC, with the watermark on NAS and the engine\'s settings', () => {
    const ldapPoll = props(spec, 'ldap-poll');
    expect(ldapPoll.triggers).toEqual([expect.objectContaining({ triggerType: 'timer', triggerConfig: expect.objectContaining({ cronExpression: '@every 5m', enable: true }) })]);
    expect(ldapPoll).toMatchObject({ concurrencyConfig: { reservedConcurrency: 1 }, timeout: 3600, asyncInvokeConfig: { maxAsyncRetryAttempts: 0 } });
    expect(ldapPoll.vpcConfig).toEqual({ vpcId: 'vpc-test', vSwitchIds: ['vsw-test'], securityGroupId: 'sg-test' });
    expect(env(spec, 'ldap-poll')).toEqual(env(spec, 'full-sync'));
    for (const name of ['ldap-poll', 'push', 'full-sync']) {
      expect(Object.keys(env(spec, name))).toEqual(expect.arrayContaining([
        'LDAP_URL', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BASE_DN', 'LDAP_USER_FILTER', 'LDAP_GROUP_FILTER', 'LDAP_TLS_CA', 'LDAP_DELETE_DETECTION',
      ]));
    }
  });

  it('gives entra-webhook its clientState and tenant but no Graph credentials, and entra-poll what it subscribes with', () => {
    expect(Object.keys(env(spec, 'entra-webhook')).filter((k) => k.startsWith('ENTRA_')).sort()).toEqual(['ENTRA_CLIENT_STATE', 'ENTRA_DEPARTMENTS', 'ENTRA_TENANT_ID']);
    expect(env(spec, 'entra-poll')).toMatchObject({ ENTRA_NOTIFICATION_URL: expect.any(String), ENTRA_CLIENT_STATE: expect.any(String) });
    expect(Object.keys(env(spec, 'push'))).not.toContain('ENTRA_CLIENT_STATE');
  });

  it('tells the engine where the state directory is mounted', () => {
    for (const name of ENGINE) {
      expect(env(spec, name)).toMatchObject({ STATE_DIR: '/mnt/state', QUEUE_KIND: 'fc3', PUSH_FUNCTION_NAME: 'ram-scim-sync-push' });
    }
  });

  it('passes the engine its settings, empty meaning "the default"', () => {
    for (const name of QUEUE_FED) {
      const vars = env(spec, name);
      expect(vars).toMatchObject({ RAM_OAUTH_CLIENT_ID: 'client-id-sentinel', RAM_OAUTH_CLIENT_SECRET: 'client-secret-sentinel', DEPROVISION_DELETED: '' });
      for (const key of ['RAM_SCIM_URL', 'RAM_OAUTH_TOKEN_URL', 'RAM_OAUTH_GRANT', 'RAM_OPENAPI_ENDPOINT', 'DIRECTORY_FILE', 'LOG_LEVEL',
        'SYNC_USERNAME_TEMPLATES', 'SYNC_STATUSES', 'SYNC_GROUP_RULES', 'DEPROVISION_DISABLED', 'SAFEGUARD_MAX_DELETES', 'SAFEGUARD_MAX_DELETE_PERCENT', 'SAFEGUARD_WINDOW_MINUTES']) {
        expect({ key, value: vars[key] }).toEqual({ key, value: '' });
      }
    }
  });

  it('holds no literal secret: each secret-named variable comes from the same-named env var, with no default or an empty one', () => {
    const raw = parse(readFileSync(sYamlPath, 'utf8'), { merge: true }) as {
      template: Record<string, { environmentVariables?: Record<string, string> }>;
      resources: Record<string, { props: { environmentVariables?: Record<string, string> } }>;
    };
    const blocks = [
      ...Object.values(raw.template).map((t) => t.environmentVariables ?? {}),
      ...Object.values(raw.resources).map((r) => r.props.environmentVariables ?? {}),
    ];
    const secrets = blocks.flatMap((vars) => Object.entries(vars)).filter(([key]) => SECRET_NAME.test(key));
    expect(secrets.map(([key]) => key)).toContain('RAM_OAUTH_CLIENT_SECRET');
    // A source's secrets may default to empty (the source is then off); never to a value.
    for (const [key, value] of secrets) {
      expect([`\${env('${key}')}`, `\${env('${key}', '')}`].map((v) => ({ key, value: v }))).toContainEqual({ key, value });
    }
  });

  it('configures no long-lived cloud key: in FC the role\'s STS credentials come from the context', () => {
    const text = readFileSync(sYamlPath, 'utf8').split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    expect(text).not.toMatch(/ALIBABA_CLOUD_ACCESS_KEY|ALIBABA_CLOUD_SECURITY_TOKEN|config\('AccessKey/);
    for (const name of Object.keys(spec.resources)) {
      expect(Object.keys(env(spec, name)).filter((k) => k.startsWith('ALIBABA_CLOUD_'))).toEqual([]);
    }
  });

  it('refuses to render without a role, naming the variable', async () => {
    const { FC_ROLE_ARN: _omitted, ...withoutRole } = DEPLOY_ENV;
    const attempt = renderSYaml({ sYamlPath, env: cliEnv(withoutRole) });
    await expect(attempt).rejects.toThrow(SYamlRenderError);
    await expect(attempt).rejects.toThrow(/FC_ROLE_ARN/);
  });

  it('rejects a broken copy (memorySize 100) with a message naming the resource and field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 's-yaml-broken-'));
    try {
      const broken = path.join(dir, 's.yaml');
      const text = readFileSync(sYamlPath, 'utf8');
      expect(text).toContain('memorySize: 512');
      writeFileSync(broken, text.replace('memorySize: 512', 'memorySize: 100'));
      const problems = validateFc3Resources(await renderSYaml({ sYamlPath: broken, env: cliEnv(DEPLOY_ENV) }), loadFc3Schema());
      expect(problems.map(formatFc3Problem)).toEqual([
        'push/props/memorySize: must be >= 128',
        'push/props/memorySize: must be multiple of 64',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('function role policies', () => {
  const policy = readPolicy(FUNCTION_ROLE_POLICY_PATH);
  const webhookPolicy = readPolicy(WEBHOOK_ROLE_POLICY_PATH);
  const policyOfRole = { [DEPLOY_ENV.FC_ROLE_ARN]: policy, [DEPLOY_ENV.FC_WEBHOOK_ROLE_ARN]: webhookPolicy };
  const arn = {
    push: () => `acs:fc:${REGION}:${ACCOUNT}:functions/${String(props(spec, 'push').functionName)}`,
    fullSync: () => `acs:fc:${REGION}:${ACCOUNT}:functions/${String(props(spec, 'full-sync').functionName)}`,
  };

  it('allows exactly the RAM OpenAPI actions of infra/ram-policy.json, plus invoke, dead-letter and log delivery', () => {
    const ramActions = allowedActions(readPolicy(path.join(root, 'infra', 'ram-policy.json')));
    expect(allowedActions(policy)).toEqual([...ramActions, 'fc:InvokeFunction', 'log:PostLogStoreLogs', 'mns:SendMessage'].sort());
  });

  it('gives the webhooks\' role invoke and log delivery only: no RAM action, no dead-letter queue', () => {
    expect(allowedActions(webhookPolicy)).toEqual(['fc:InvokeFunction', 'log:PostLogStoreLogs']);
    for (const action of ['ram:CreateLoginProfile', 'ram:UpdateAccessKey', 'ram:ListGroups', 'mns:SendMessage']) {
      expect({ action, allowed: policyAllows(webhookPolicy, action, '*') }).toEqual({ action, allowed: false });
    }
  });

  it('lets every function invoke push, under either role; the engine\'s also full-sync (a run continues itself), the webhooks\' nothing else', () => {
    for (const name of Object.keys(spec.resources)) {
      const rolePolicy = policyOfRole[String(props(spec, name).role)];
      expect({ name, known: rolePolicy !== undefined }).toEqual({ name, known: true });
      expect(policyAllows(rolePolicy!, 'fc:InvokeFunction', arn.push())).toBe(true);
      expect(policyAllows(rolePolicy!, 'fc:InvokeFunction', arn.fullSync())).toBe(rolePolicy === policy);
      expect(policyAllows(rolePolicy!, 'fc:InvokeFunction', `acs:fc:${REGION}:${ACCOUNT}:functions/other`)).toBe(false);
    }
  });

  it('lets push failures reach the dead-letter queue s.yaml names, and no other queue', () => {
    const destination = (props(spec, 'push').asyncInvokeConfig as { destinationConfig: { onFailure: { destination: string } } })
      .destinationConfig.onFailure.destination;
    expect(policyAllows(policy, 'mns:SendMessage', destination)).toBe(true);
    expect(policyAllows(policy, 'mns:SendMessage', `acs:mns:${REGION}:${ACCOUNT}:/queues/other/messages`)).toBe(false);
  });

  it('lets every function\'s logs reach the logstore s.yaml configures', () => {
    for (const name of Object.keys(spec.resources)) {
      const { project, logstore } = props(spec, name).logConfig as { project: string; logstore: string };
      const rolePolicy = policyOfRole[String(props(spec, name).role)]!;
      expect(policyAllows(rolePolicy, 'log:PostLogStoreLogs', `acs:log:${REGION}:${ACCOUNT}:project/${project}/logstore/${logstore}`)).toBe(true);
    }
  });

  it('grants RAM nothing beyond its list (no ram:*, no user or policy management)', () => {
    for (const action of ['ram:DeleteUser', 'ram:CreateAccessKey', 'ram:AttachPolicyToUser', 'ram:CreateRole']) {
      expect({ action, allowed: policyAllows(policy, action, '*') }).toEqual({ action, allowed: false });
    }
  });

  it('is assumable by Function Compute only', () => {
    const trust = JSON.parse(readFileSync(FUNCTION_ROLE_TRUST_PATH, 'utf8')) as {
      Statement: { Effect: string; Action: string; Principal: { Service: string[] } }[];
    };
    expect(trust.Statement).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } }]);
  });
});

describe('.env.example', () => {
  it('lists every variable s.yaml reads, with no value', () => {
    const sYaml = readFileSync(sYamlPath, 'utf8').split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    // env('X') anywhere inside a ${…} expression, not only right after its opening brace.
    const read = [...new Set([...sYaml.matchAll(/\benv\('([A-Z0-9_]+)'/g)].map((m) => m[1]))].sort();
    const lines = readFileSync(path.join(root, '.env.example'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(lines.map((l) => l.split('=')[0]).sort()).toEqual(read);
    expect(lines.filter((l) => !/^[A-Z0-9_]+=$/.test(l))).toEqual([]);
  });
});
