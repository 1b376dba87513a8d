/**
 * What `npm run deploy` does, as data: which functions of s.yaml to deploy and which to skip, and
 * the commands that do it. A source's functions go out only when the source is on, decided by the
 * same code that turns it on at cold start (functions/lib/wiring/sources.ts), so a DingTalk-only
 * company gets no `ad-poll` failing every 5 minutes and no unconfigured public webhook.
 *
 * @example
 * const plan = deployPlan({ DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's' }, { functions, sYamlPath: 's.yaml', aliyunCli: false });
 * plan.skipped; // [{ name: 'lark-webhook', why: 'Lark is not configured (LARK_APP_ID)' }, …]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../../functions/lib/core/config';
import { SOURCE_SWITCHES, configuredSources } from '../../functions/lib/wiring/sources';
import { FUNCTION_SWITCHES } from './functionSwitches';

type SourceName = keyof typeof SOURCE_SWITCHES;

/** The functions that exist for one source; push and full-sync serve every source and always go. */
export const SOURCE_FUNCTIONS: Record<string, SourceName> = {
  'dingtalk-webhook': 'dingtalk',
  'dingtalk-poll': 'dingtalk',
  'lark-webhook': 'lark',
  'wecom-webhook': 'wecom',
  'okta-webhook': 'okta',
  'okta-poll': 'okta',
  'ad-poll': 'ad',
  'ldap-poll': 'ldap',
  'entra-poll': 'entra',
  'entra-webhook': 'entra',
};

const SOURCE_TITLES: Record<SourceName, string> = { file: 'The directory file', dingtalk: 'DingTalk', lark: 'Lark', wecom: 'WeCom', ad: 'Active Directory', okta: 'Okta', entra: 'Microsoft Entra ID', ldap: 'OpenLDAP' };

export const SLS_INDEX_PATH = path.join(__dirname, 'sls-index.json');

export interface DeployPlan {
  deploy: string[];
  skipped: { name: string; why: string }[];
  /** argv of each step, in order; `s` and `aliyun` as named on PATH (the script resolves `s`). */
  commands: string[][];
  /** What would stop a deployed function at cold start, or leave a feature unset; printed, not fatal. */
  notes: string[];
}

export interface PlanOptions {
  /** The fc3 resources of s.yaml, in its order. */
  functions: string[];
  /** Passed to `s -t`, so `s` reads the same file (and the .env beside it). */
  sYamlPath: string;
  /** Whether `aliyun` is on PATH: then the deploy applies the SLS index too. */
  aliyunCli: boolean;
}

export function deployPlan(env: Env, options: PlanOptions): DeployPlan {
  const configured = configuredSources(env);
  const on = new Set(configured.map((s) => s.name));
  const deploy: string[] = [];
  const skipped: DeployPlan['skipped'] = [];
  for (const name of options.functions) {
    const source = SOURCE_FUNCTIONS[name];
    const own = FUNCTION_SWITCHES[name];
    if (source && !on.has(source)) skipped.push({ name, why: `${SOURCE_TITLES[source]} is not configured (${SOURCE_SWITCHES[source]})` });
    else if (own && !env[own]) skipped.push({ name, why: `${name} is optional and off (${own} is not set)` });
    else deploy.push(name);
  }
  const notes = configured.flatMap((s) => s.problems.map((p) => `${SOURCE_TITLES[s.name]}: ${p.variable} ${p.problem} (checked here; in FC the function checks again at cold start)`));
  if (configured.length === 0) notes.push(`no directory source is configured (${Object.values(SOURCE_SWITCHES).join(', ')}): push and full-sync will refuse to start`);
  if (on.has('wecom') && env.FC_EGRESS_VIA_NAT !== 'true') {
    notes.push('WeCom is configured but FC_EGRESS_VIA_NAT is not true: WeCom answers 60020 unless push and full-sync call it from an IP in 企业可信IP (infra/deploy/README.md, "WeCom egress")');
  }
  const template = ['-t', options.sYamlPath];
  const commands = [
    ['npm', 'run', 'build'],
    // --skip-actions: s.yaml's pre-deploy would build again for every function.
    ...deploy.map((name) => ['s', name, 'deploy', ...template, '-y', '--skip-actions']),
  ];
  const index = slsIndexCommand(env, options.aliyunCli);
  if (typeof index === 'string') notes.push(index);
  else commands.push(index);
  return { deploy, skipped, commands, notes };
}

/** `aliyun sls create-index` for the logstore s.yaml configures, or why it is left to the operator. */
function slsIndexCommand(env: Env, aliyunCli: boolean): string[] | string {
  const project = env.FC_LOG_PROJECT?.trim();
  const logstore = env.FC_LOG_STORE?.trim() || 'ram-scim-sync';
  if (!project) return 'SLS index not applied: FC_LOG_PROJECT is not set';
  if (!aliyunCli) return `SLS index not applied: no aliyun CLI on PATH; apply infra/deploy/sls-index.json to ${project}/${logstore} by hand (infra/deploy/README.md, "Logs")`;
  const index = JSON.parse(readFileSync(SLS_INDEX_PATH, 'utf8')) as { line: unknown; keys: unknown };
  const region = env.FC_REGION?.trim() || 'cn-hangzhou';
  return ['aliyun', 'sls', 'create-index', `--region=${region}`, `--project=${project}`, `--logstore=${logstore}`,
    `--line=${JSON.stringify(index.line)}`, `--keys=${JSON.stringify(index.keys)}`];
}

/** One line per command, as a shell would take it; the index's JSON shown as the jq that reads it. */
export function formatCommand(argv: string[]): string {
  return argv.map((a) => {
    const json = /^--(line|keys)=\{/.exec(a);
    if (json) return `--${json[1]}="$(jq -c .${json[1]} infra/deploy/sls-index.json)"`;
    return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
  }).join(' ');
}
