/**
 * The sources this deployment reads, from the environment: a source whose variables are absent is
 * simply off. Every entrance that reads people (push, full-sync, ad-poll's resync, the local
 * stack and the CLI) builds them here, and `npm run deploy` asks here which are on.
 */
import { ConfigError, type ConfigProblem } from '../core/errors';
import type { Source } from '../core/ports';
import type { Env } from '../core/config';
import { createDingtalkSource, parseDingtalkSourceConfig } from '../sources/dingtalk';
import { FileSourceError, createFileSource, parseFileSourceConfig } from '../sources/file';
import { createLarkSource, parseLarkSourceConfig } from '../sources/lark';
import { createWecomSource, parseWecomSourceConfig } from '../sources/wecom';

/** The variables that turn each source on, for the "no source configured" message. */
export const SOURCE_SWITCHES = {
  file: 'DIRECTORY_FILE', dingtalk: 'DINGTALK_APP_KEY', lark: 'LARK_APP_ID', wecom: 'WECOM_CORP_ID', ad: 'AD_URL', ldap: 'LDAP_URL', entra: 'ENTRA_TENANT_ID', okta: 'OKTA_ORG_URL',
} as const;

type SwitchName = keyof typeof SOURCE_SWITCHES;

/** One source: its parsed configuration as a builder, or undefined when its variables are absent (off). */
interface SourceEntry {
  name: SwitchName;
  /** Throws ConfigError when the source is on but misconfigured. */
  parse: (env: Env) => (() => Source) | undefined;
}

const SOURCES: SourceEntry[] = [
  {
    name: 'file',
    parse: (env) => {
      try {
        const file = parseFileSourceConfig(env);
        return file && (() => createFileSource(file.path));
      } catch (error) {
        if (!(error instanceof FileSourceError)) throw error;
        throw new ConfigError([{ variable: 'DIRECTORY_FILE', problem: error.message.replace(/^DIRECTORY_FILE=\S*\s*/, '') }]);
      }
    },
  },
  { name: 'dingtalk', parse: (env) => builder(parseDingtalkSourceConfig(env), createDingtalkSource) },
  { name: 'lark', parse: (env) => builder(parseLarkSourceConfig(env), createLarkSource) },
  { name: 'wecom', parse: (env) => builder(parseWecomSourceConfig(env), createWecomSource) },
  // Loaded only when on: ldapts, and the code of directories most deployments do not use, would
  // otherwise add to every push and full-sync cold start (esbuild evaluates a require()d module when
  // the require runs).
  /* eslint-disable @typescript-eslint/no-require-imports */
  {
    name: 'ad',
    parse: whenOn('ad', (env) => {
      const { createAdSource, parseAdSourceConfig } = require('../sources/ad') as typeof import('../sources/ad');
      return builder(parseAdSourceConfig(env), createAdSource);
    }),
  },
  {
    name: 'ldap',
    parse: whenOn('ldap', (env) => {
      const { createLdapSource, parseLdapSourceConfig } = require('../sources/ldap') as typeof import('../sources/ldap');
      return builder(parseLdapSourceConfig(env), createLdapSource);
    }),
  },
  {
    name: 'entra',
    parse: whenOn('entra', (env) => {
      const { createEntraSource, parseEntraSourceConfig } = require('../sources/entra') as typeof import('../sources/entra');
      return builder(parseEntraSourceConfig(env), createEntraSource);
    }),
  },
  {
    name: 'okta',
    parse: whenOn('okta', (env) => {
      const { createOktaSource, parseOktaSourceConfig } = require('../sources/okta') as typeof import('../sources/okta');
      return builder(parseOktaSourceConfig(env), createOktaSource);
    }),
  },
  /* eslint-enable @typescript-eslint/no-require-imports */
];

const builder = <C>(config: C | undefined, create: (config: C) => Source): (() => Source) | undefined =>
  config && (() => create(config));

/** `parse`, run (and its module loaded) only when the source's switch variable is set. */
function whenOn(name: SwitchName, parse: SourceEntry['parse']): SourceEntry['parse'] {
  return (env) => (env[SOURCE_SWITCHES[name]]?.trim() ? parse(env) : undefined);
}

export function enabledSources(env: Env): Source[] {
  const problems: ConfigProblem[] = [];
  const sources: Source[] = [];
  for (const entry of SOURCES) {
    const source = collect(problems, () => entry.parse(env)?.());
    if (source) sources.push(source);
  }
  if (problems.length) throw new ConfigError(problems);
  return sources;
}

/** A source that is on, and what would stop it at cold start (none when it is configured right). */
export interface ConfiguredSource {
  name: SwitchName;
  problems: ConfigProblem[];
}

/**
 * The sources the environment turns on, without building them: what `npm run deploy` deploys a
 * source's webhook and poller for. A misconfigured source is on, with its problems.
 *
 * @example
 * configuredSources({ DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's' }); // [{ name: 'dingtalk', problems: [] }]
 */
export function configuredSources(env: Env): ConfiguredSource[] {
  const configured: ConfiguredSource[] = [];
  for (const entry of SOURCES) {
    const problems: ConfigProblem[] = [];
    const on = collect(problems, () => entry.parse(env) !== undefined);
    if (on || problems.length) configured.push({ name: entry.name, problems });
  }
  return configured;
}

/** `build`'s result; a ConfigError's problems go to `problems` instead, other errors propagate. */
function collect<T>(problems: ConfigProblem[], build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/** Like enabledSources, but a deployment with none at all is a configuration error. */
export function requireSources(env: Env): Source[] {
  const sources = enabledSources(env);
  if (sources.length === 0) {
    throw new ConfigError([{ variable: Object.values(SOURCE_SWITCHES).join(' or '), problem: 'is required: no directory source is configured' }]);
  }
  return sources;
}
