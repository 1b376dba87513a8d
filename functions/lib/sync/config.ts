/**
 * The engine's settings from the environment, validated once at cold start. Every variable is
 * optional and documented with its default; a bad one stops the function with its name.
 */
import { type Env, type EnvReader, envReader } from '../core/config';
import { ConfigProblems } from '../core/errors';
import { compileTemplate } from '../core/template';
import {
  DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD, type GroupRule,
} from '../core/rules';
import type { SyncSettings } from './fullSync';

const MODES = ['delete', 'suspend', 'none'] as const;
const STATUSES = ['active', 'disabled'] as const;
const GROUP_NAME = /^[A-Za-z0-9._-]{1,64}$/;

type Report = (variable: string, problem: string) => void;

/** Templates, each compiled now so a bad one stops the cold start with its own message. */
function templates(read: EnvReader, report: Report, name: string, fallback: readonly string[]): string[] {
  const items = read.list(name, fallback);
  for (const t of items) {
    try { compileTemplate(t); } catch (e) { report(name, (e as Error).message); }
  }
  return items;
}

function statuses(read: EnvReader, report: Report): ('active' | 'disabled')[] {
  const items = read.list('SYNC_STATUSES', STATUSES);
  const known = items.every((s) => (STATUSES as readonly string[]).includes(s));
  if (!known || items.length === 0) report('SYNC_STATUSES', `must list one or more of ${STATUSES.join(', ')}`);
  return known && items.length > 0 ? items as ('active' | 'disabled')[] : [...STATUSES];
}

function groupRules(read: EnvReader, report: Report): GroupRule[] {
  return read.list('SYNC_GROUP_RULES', []).map((pair) => {
    const eq = pair.lastIndexOf('=');
    const department = pair.slice(0, eq).trim();
    const group = pair.slice(eq + 1).trim();
    if (eq <= 0 || !GROUP_NAME.test(group)) {
      report('SYNC_GROUP_RULES', `"${pair}" is not department=group with a RAM group name of 1–64 letters, digits, . - _`);
    }
    return { department, group };
  });
}

/** Every variable is optional; its default is the one in core/rules.ts. */
export function parseSyncSettings(env: Env): SyncSettings {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const report: Report = (variable, problem) => problems.add({ variable, problem });
  const settings: SyncSettings = {
    rules: {
      /** userName templates, tried in order. Default `{email.local},{userName}`; the source id is the last resort. */
      userName: templates(read, report, 'SYNC_USERNAME_TEMPLATES', DEFAULT_MAPPING_RULES.userName),
      /** displayName templates, tried in order. Default `{displayName},{userName}`. */
      displayName: templates(read, report, 'SYNC_DISPLAYNAME_TEMPLATES', DEFAULT_MAPPING_RULES.displayName),
      scope: {
        /** Department ids or names in scope, with sub-departments. Default: everyone. */
        includeDepartments: read.list('SYNC_INCLUDE_DEPARTMENTS', []),
        /** Department ids or names out of scope, with sub-departments. Default: none. */
        excludeDepartments: read.list('SYNC_EXCLUDE_DEPARTMENTS', []),
        /** Statuses in scope. Default `active,disabled` (disabled people follow DEPROVISION_DISABLED). */
        statuses: statuses(read, report),
      },
      /** Department → RAM group rules, `department=group,…`. Default none: groups are opt-in. */
      groups: groupRules(read, report),
    },
    policy: {
      /** What happens to people absent at the source. Default delete. */
      deleted: read.oneOf('DEPROVISION_DELETED', MODES, DEFAULT_DEPROVISION_POLICY.deleted),
      /** What happens to people disabled at the source. Default suspend. */
      disabled: read.oneOf('DEPROVISION_DISABLED', MODES, DEFAULT_DEPROVISION_POLICY.disabled),
    },
    safeguard: {
      /** Hold plans with more deprovisions than this. Default 20. */
      maxDeletes: read.integer('SAFEGUARD_MAX_DELETES', { fallback: DEFAULT_SAFEGUARD.maxDeletes, min: 0 }),
      /** …or more than this percentage of the users we manage. Default 10. */
      maxDeletePercent: read.number('SAFEGUARD_MAX_DELETE_PERCENT', { fallback: DEFAULT_SAFEGUARD.maxDeletePercent, min: 0, max: 100 }),
      /** The rolling window deprovisions are counted in, minutes (1 minute to 7 days). Default 60. */
      windowMinutes: read.integer('SAFEGUARD_WINDOW_MINUTES', { fallback: DEFAULT_SAFEGUARD.windowMinutes, min: 1, max: 10_080 }),
    },
  };
  problems.throwIfAny();
  return settings;
}
