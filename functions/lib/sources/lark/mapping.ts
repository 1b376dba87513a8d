/**
 * Lark records → the core model. People who resigned or left the tenant are absent (the engine's
 * delete policy applies); frozen people are `disabled` (its disable policy applies).
 */
import type { Department, Identity } from '../../core/model';
import type { LarkUserIdType } from './constants';
import { ROOT_DEPARTMENT_ID } from './constants';
import type { LarkDepartment, LarkUser } from './types';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** Whether the person is gone from the tenant: resigned, or exited (left a shared tenant). */
export function hasLeft(user: LarkUser): boolean {
  return user.status?.is_resigned === true || user.status?.is_exited === true;
}

/**
 * The person, or undefined when they left or Lark did not send the configured id (the app lacks
 * the `contact:user.employee_id:readonly` scope for `user_id`).
 *
 * - `sourceId`: the configured id type (`union_id` by default); `userName`: `user_id`, Lark's
 *   admin-set tenant id (the counterpart of a DingTalk or WeCom userid).
 * - `email`: `enterprise_email` (the Lark Mail mailbox) when there is one, else `email`; both
 *   stay in `attributes` for userName templates.
 * - `managerId`: `leader_user_id`, which Lark gives in the same id type.
 *
 * @example
 * toIdentity({ union_id: 'on_1', name: '王芳', department_ids: ['od-eng'], status: { is_frozen: true } }, 'union_id')
 * // { source: 'lark', sourceId: 'on_1', displayName: '王芳', departmentIds: ['od-eng'], status: 'disabled', … }
 */
export function toIdentity(user: LarkUser, idType: LarkUserIdType, knownId?: string): Identity | undefined {
  const sourceId = text(user[idType]) ?? knownId;
  if (!sourceId || hasLeft(user)) return undefined;
  const attributes: Record<string, string> = {};
  for (const key of ['union_id', 'open_id', 'user_id', 'en_name', 'nickname', 'email', 'enterprise_email'] as const) {
    const v = text(user[key]);
    if (v) attributes[key] = v;
  }
  attributes.activated = String(user.status?.is_activated !== false);
  const fields = {
    userName: text(user.user_id),
    displayName: text(user.name) ?? text(user.en_name),
    email: text(user.enterprise_email) ?? text(user.email),
    mobile: text(user.mobile),
    employeeId: text(user.employee_no),
    title: text(user.job_title),
    managerId: text(user.leader_user_id),
  };
  return {
    source: 'lark',
    sourceId,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    departmentIds: (user.department_ids ?? []).filter((d): d is string => typeof d === 'string' && d !== ''),
    status: user.status?.is_frozen === true ? 'disabled' : 'active',
    attributes,
  };
}

/** The department, or undefined when deleted or without an open_department_id. Top-level ones have no parentId. */
export function toDepartment(department: LarkDepartment): Department | undefined {
  const sourceId = text(department.open_department_id);
  if (!sourceId || department.status?.is_deleted === true) return undefined;
  const parent = text(department.parent_department_id);
  return {
    source: 'lark',
    sourceId,
    name: text(department.name) ?? sourceId,
    ...(parent && parent !== ROOT_DEPARTMENT_ID && { parentId: parent }),
  };
}
