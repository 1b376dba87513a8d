/**
 * The engine's settings from the environment, validated once at cold start. Every variable is
 * optional and documented with its default; a bad one stops the function with its name.
 */
// A namespace import lets esbuild drop what we don't use (the named `z` export keeps all of zod: 450 KB).
import * as z from 'zod';
import type { Env } from '../core/config';
import { ConfigError } from '../core/errors';
import { compileTemplate } from '../core/template';
import {
  DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD, type GroupRule,
} from '../core/rules';
import type { SyncSettings } from './fullSync';

const list = (fallback: string[]) => z.string().optional()
  .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean)));
const templates = (fallback: string[]) => list(fallback).superRefine((items, ctx) => {
  for (const t of items) {
    try { compileTemplate(t); } catch (e) { ctx.addIssue({ code: 'custom', message: (e as Error).message }); }
  }
});
const mode = (fallback: 'delete' | 'suspend' | 'none') => z.enum(['delete', 'suspend', 'none']).default(fallback);
const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const GROUP_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const groupRules = z.string().optional().transform((v, ctx): GroupRule[] => {
  if (!v?.trim()) return [];
  return v.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const eq = pair.lastIndexOf('=');
    const department = pair.slice(0, eq).trim();
    const group = pair.slice(eq + 1).trim();
    if (eq <= 0 || !GROUP_NAME.test(group)) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not department=group with a RAM group name of 1–64 letters, digits, . - _` });
    }
    return { department, group };
  });
});

const schema = z.object({
  /** userName templates, tried in order. Default `{email.local},{userName}`; the source id is the last resort. */
  SYNC_USERNAME_TEMPLATES: templates(DEFAULT_MAPPING_RULES.userName),
  /** displayName templates, tried in order. Default `{displayName},{userName}`. */
  SYNC_DISPLAYNAME_TEMPLATES: templates(DEFAULT_MAPPING_RULES.displayName),
  /** Department ids or names in scope, with sub-departments. Default: everyone. */
  SYNC_INCLUDE_DEPARTMENTS: list([]),
  /** Department ids or names out of scope, with sub-departments. Default: none. */
  SYNC_EXCLUDE_DEPARTMENTS: list([]),
  /** Statuses in scope. Default `active,disabled` (disabled people follow DEPROVISION_DISABLED). */
  SYNC_STATUSES: list(['active', 'disabled']).pipe(z.array(z.enum(['active', 'disabled'])).min(1)),
  /** Department → RAM group rules, `department=group,…`. Default none: groups are opt-in. */
  SYNC_GROUP_RULES: groupRules,
  /** What happens to people absent at the source. Default delete. */
  DEPROVISION_DELETED: mode(DEFAULT_DEPROVISION_POLICY.deleted),
  /** What happens to people disabled at the source. Default suspend. */
  DEPROVISION_DISABLED: mode(DEFAULT_DEPROVISION_POLICY.disabled),
  /** Hold plans with more deprovisions than this. Default 20. */
  SAFEGUARD_MAX_DELETES: count(DEFAULT_SAFEGUARD.maxDeletes),
  /** …or more than this percentage of the users we manage. Default 10. */
  SAFEGUARD_MAX_DELETE_PERCENT: z.coerce.number().min(0).max(100).default(DEFAULT_SAFEGUARD.maxDeletePercent),
  /** The rolling window deprovisions are counted in, minutes (1 minute to 7 days). Default 60. */
  SAFEGUARD_WINDOW_MINUTES: z.coerce.number().int().min(1).max(10_080).default(DEFAULT_SAFEGUARD.windowMinutes),
});

export function parseSyncSettings(env: Env): SyncSettings {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
  const input = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, blank(env[k])]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0]), problem: i.message })));
  }
  const c = parsed.data;
  return {
    rules: {
      userName: c.SYNC_USERNAME_TEMPLATES,
      displayName: c.SYNC_DISPLAYNAME_TEMPLATES,
      scope: {
        includeDepartments: c.SYNC_INCLUDE_DEPARTMENTS,
        excludeDepartments: c.SYNC_EXCLUDE_DEPARTMENTS,
        statuses: c.SYNC_STATUSES,
      },
      groups: c.SYNC_GROUP_RULES,
    },
    policy: { deleted: c.DEPROVISION_DELETED, disabled: c.DEPROVISION_DISABLED },
    safeguard: {
      maxDeletes: c.SAFEGUARD_MAX_DELETES, maxDeletePercent: c.SAFEGUARD_MAX_DELETE_PERCENT, windowMinutes: c.SAFEGUARD_WINDOW_MINUTES,
    },
  };
}
