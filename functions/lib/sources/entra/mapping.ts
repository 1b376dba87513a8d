/**
 * Graph records → the core model. A user Graph still answers is a person (disabled when
 * `accountEnabled` is false); a deleted one is absent (Graph answers 404). Departments come from
 * the `department` attribute, from groups, or both (ENTRA_DEPARTMENTS).
 */
import { attributeDepartmentId } from '../attributeDepartments';
import type { Department, Identity } from '../../core/model';
import type { GraphGroup, GraphUser } from './types';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * The person. `groupIds` are the groups they are a direct member of (when departments come from
 * groups); the `department` attribute adds its own id when departments come from it.
 *
 * - `userName`: the part of the userPrincipalName before its last `@` (`alice@contoso.com` → `alice`);
 *   the whole UPN stays in `attributes.userPrincipalName` for templates.
 * - `email`: `mail`, else nothing (a UPN is a sign-in name, not always a mailbox).
 * - `status`: `disabled` when `accountEnabled` is false.
 *
 * @example
 * toIdentity({ id: '6f…', userPrincipalName: 'wang.fang@contoso.cn', displayName: '王芳', department: 'R&D', accountEnabled: false }, { attribute: true })
 * // { source: 'entra', sourceId: '6f…', userName: 'wang.fang', displayName: '王芳', departmentIds: ['dept:R&D'], status: 'disabled', … }
 */
export function toIdentity(user: GraphUser, departments: { attribute: boolean; groupIds?: readonly string[] }): Identity {
  const upn = text(user.userPrincipalName);
  const attributes: Record<string, string> = {};
  for (const key of ['userPrincipalName', 'mail', 'mailNickname', 'givenName', 'surname', 'department', 'employeeId'] as const) {
    const v = text(user[key]);
    if (v) attributes[key] = v;
  }
  const department = text(user.department);
  const departmentIds = [
    ...(departments.attribute && department ? [attributeDepartmentId(department)] : []),
    ...(departments.groupIds ?? []),
  ];
  const fields = {
    userName: upn ? upn.slice(0, upn.lastIndexOf('@') < 0 ? upn.length : upn.lastIndexOf('@')) || undefined : undefined,
    displayName: text(user.displayName),
    email: text(user.mail),
    mobile: text(user.mobilePhone),
    employeeId: text(user.employeeId),
    title: text(user.jobTitle),
  };
  return {
    source: 'entra',
    sourceId: user.id,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    departmentIds: [...new Set(departmentIds)],
    status: user.accountEnabled === false ? 'disabled' : 'active',
    attributes,
  };
}

/** A group as a department: top level (Entra groups have no parent; nesting is not followed). */
export function groupToDepartment(group: GraphGroup): Department {
  return { source: 'entra', sourceId: group.id, name: text(group.displayName) ?? group.id };
}
