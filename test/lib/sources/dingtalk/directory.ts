/** A small DingTalk organisation for the API fake. */
import type { DingtalkDepartment, DingtalkUser } from '../../../../functions/lib/sources/dingtalk/types';

export const DEPARTMENTS: DingtalkDepartment[] = [
  { dept_id: 2, name: 'Engineering', parent_id: 1 },
  { dept_id: 3, name: 'Sales', parent_id: 1 },
  { dept_id: 4, name: 'Platform', parent_id: 2 },
];

export const USERS: DingtalkUser[] = [
  {
    userid: 'manager164', unionid: 'un-164', name: '王芳', org_email: 'fang.wang@corp.example', email: 'fang@home.example',
    mobile: '13800000164', job_number: 'E164', title: 'CTO', dept_id_list: [1, 2], active: true,
  },
  ...Array.from({ length: 7 }, (_, i): DingtalkUser => ({
    userid: `eng${i}`, unionid: `un-eng${i}`, name: `Engineer ${i}`, email: `eng${i}@corp.example`,
    dept_id_list: i < 5 ? [2] : [2, 4], active: true, manager_userid: 'manager164',
  })),
  { userid: 'sales1', name: 'Seller', dept_id_list: [3], active: false },
];
