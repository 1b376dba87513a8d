/**
 * WeCom's member and department fields → the core model. Status: 1 (activated) and 4 (invited,
 * not yet activated) are active people; 2 is disabled; 5 (exited) is absent, like a deleted member.
 */
import type { Department, Identity } from '../../core/model';
import type { WecomDepartment, WecomUser } from './WecomApi';

export const WECOM_USER_STATUS = { activated: 1, disabled: 2, notActivated: 4, exited: 5 } as const;

/**
 * @example
 * identityFromWecom({ userid: 'zhangsan', name: '张三', department: [1, 2], status: 1 })
 * // { source: 'wecom', sourceId: 'zhangsan', userName: 'zhangsan', displayName: '张三',
 * //   departmentIds: ['1', '2'], status: 'active', attributes: {} }
 */
export function identityFromWecom(user: WecomUser): Identity | undefined {
  if (user.status === WECOM_USER_STATUS.exited) return undefined;
  const departments = Array.isArray(user.department) ? user.department.map(String) : [];
  const main = user.main_department !== undefined ? String(user.main_department) : undefined;
  // The main department first: mapping rules that pick "the" department take the first one.
  const departmentIds = main !== undefined && departments.includes(main) ? [main, ...departments.filter((d) => d !== main)] : departments;
  const attributes: Record<string, string> = {};
  const attribute = (key: string, value: unknown): void => {
    if (typeof value === 'string' && value !== '') attributes[key] = value;
  };
  attribute('alias', user.alias);
  attribute('biz_mail', user.biz_mail);
  attribute('email', user.email);
  attribute('main_department', main);
  attribute('open_userid', user.open_userid);
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const email = text(user.email) ?? text(user.biz_mail);
  const manager = Array.isArray(user.direct_leader) ? text(user.direct_leader[0]) : undefined;
  return {
    source: 'wecom',
    sourceId: user.userid,
    userName: user.userid,
    ...(text(user.name) && { displayName: text(user.name) }),
    ...(email && { email }),
    ...(text(user.mobile) && { mobile: text(user.mobile) }),
    ...(text(user.position) && { title: text(user.position) }),
    departmentIds,
    status: user.status === WECOM_USER_STATUS.disabled ? 'disabled' : 'active',
    ...(manager && { managerId: manager }),
    attributes,
  };
}

/** The root department (id 1) has parentid 0: no parent. */
export function departmentFromWecom(department: WecomDepartment): Department {
  const parent = department.parentid;
  return {
    source: 'wecom',
    sourceId: String(department.id),
    name: department.name || department.name_en || String(department.id),
    ...(typeof parent === 'number' && parent > 0 && parent !== department.id && { parentId: String(parent) }),
  };
}
