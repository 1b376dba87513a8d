/**
 * DingTalk people and departments → the core model. Pure. The enterprise mailbox (`org_email`)
 * wins over the personal `email`, since RAM accounts are work accounts; both stay available to
 * userName templates as `{attr.org_email}` and `{attr.email}`.
 */
import type { Department, Identity } from '../../core/model';
import type { DingtalkDepartment, DingtalkUser } from './types';

/** @example toIdentity({ userid: '0123', name: '张三', dept_id_list: [1], active: true }) */
export function toIdentity(user: DingtalkUser): Identity {
  const attributes: Record<string, string> = {};
  for (const key of ['unionid', 'email', 'org_email', 'job_number', 'login_id'] as const) {
    const value = text(user[key]);
    if (value !== undefined) attributes[key] = value;
  }
  const optional = {
    displayName: text(user.name),
    email: text(user.org_email) ?? text(user.email),
    mobile: text(user.mobile),
    employeeId: text(user.job_number),
    title: text(user.title),
    managerId: text(user.manager_userid),
  };
  return {
    source: 'dingtalk',
    sourceId: user.userid,
    userName: user.userid,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    departmentIds: (user.dept_id_list ?? []).map(String),
    // DingTalk's `active` is false for people invited but not yet activated: the disabled policy decides.
    status: user.active === false ? 'disabled' : 'active',
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

export function toDepartment(dept: DingtalkDepartment): Department {
  return {
    source: 'dingtalk',
    sourceId: String(dept.dept_id),
    name: dept.name,
    ...(dept.parent_id !== undefined && dept.parent_id !== null ? { parentId: String(dept.parent_id) } : {}),
  };
}

function text(value: string | undefined): string | undefined {
  const trimmed = typeof value === 'string' ? value.trim() : undefined;
  return trimmed ? trimmed : undefined;
}
