/**
 * Okta records → the core model (reference/idp.md §2.3). The status decides whether a user is a
 * person at all:
 *
 * | Okta status                                      | here                    |
 * |--------------------------------------------------|-------------------------|
 * | ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT   | active (they still have their account; a lock or reset is Okta's business) |
 * | SUSPENDED                                        | disabled                |
 * | STAGED, PROVISIONED (not yet activated)          | disabled: synced only when SYNC_STATUSES includes `disabled` (the default), and then created without access under DEPROVISION_DISABLED=suspend, ready for the day they activate |
 * | DEPROVISIONED (deactivated), and deleted (404)   | gone: absent, deprovisioned by the DEPROVISION_DELETED policy |
 * | anything newer (ACTIVATING, a future status)     | disabled: kept, without access, until Okta settles |
 *
 * Departments are groups (their `00g…` id), `profile.department` values (`dept:<name>`), or both
 * (OKTA_DEPARTMENTS).
 */
import { attributeDepartmentId } from '../attributeDepartments';
import type { Department, Identity, IdentityStatus } from '../../core/model';
import type { OktaGroup, OktaUser } from './types';

const ACTIVE = new Set(['ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT']);
export const GONE_STATUS = 'DEPROVISIONED';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** The person's status, or undefined when Okta's status means they are gone (DEPROVISIONED). */
export function statusOf(oktaStatus: string): IdentityStatus | undefined {
  if (oktaStatus === GONE_STATUS) return undefined;
  return ACTIVE.has(oktaStatus) ? 'active' : 'disabled';
}

/**
 * The person, or undefined when the status says they are gone. `groupIds` are the groups they are
 * a member of (when departments come from groups).
 *
 * - `userName`: `profile.login` (often an email: the default `{email.local}` template comes first);
 * - `displayName`: `profile.displayName`, else first and last name (`王 芳` written as given);
 * - `attributes`: every string profile attribute, custom ones included, for `{attr.<name>}` templates.
 *
 * @example
 * toIdentity({ id: '00u1…', status: 'SUSPENDED', profile: { login: 'wang.fang@corp.example', firstName: '芳', lastName: '王' } }, { attribute: false, groupIds: ['00g1…'] })
 * // { source: 'okta', sourceId: '00u1…', userName: 'wang.fang@corp.example', displayName: '芳 王', departmentIds: ['00g1…'], status: 'disabled', … }
 */
export function toIdentity(user: OktaUser, departments: { attribute: boolean; groupIds?: readonly string[] }): Identity | undefined {
  const status = statusOf(user.status);
  if (status === undefined) return undefined;
  const profile = user.profile ?? {};
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(profile)) {
    const v = text(value);
    if (v !== undefined) attributes[key] = v;
  }
  const department = text(profile.department);
  const named = [text(profile.firstName), text(profile.lastName)].filter(Boolean).join(' ');
  const fields = {
    userName: text(profile.login),
    displayName: text(profile.displayName) ?? (named || undefined),
    email: text(profile.email),
    mobile: text(profile.mobilePhone),
    employeeId: text(profile.employeeNumber),
    title: text(profile.title),
  };
  return {
    source: 'okta',
    sourceId: user.id,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    departmentIds: [...new Set([
      ...(departments.attribute && department ? [attributeDepartmentId(department)] : []),
      ...(departments.groupIds ?? []),
    ])],
    status,
    attributes,
  };
}

/** A group as a department: top level (Okta groups have no tree). */
export function groupToDepartment(group: OktaGroup): Department {
  return { source: 'okta', sourceId: group.id, name: text(group.profile?.name) ?? group.id };
}
