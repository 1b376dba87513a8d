/**
 * Lark's contact records as the v3 APIs return them (only the fields we read). Every field may be
 * missing: sensitive ones appear only with their field scope (open.feishu.cn contact-v3/user/get).
 */

export interface LarkUserStatus {
  is_frozen?: boolean;
  is_resigned?: boolean;
  is_activated?: boolean;
  is_exited?: boolean;
  is_unjoin?: boolean;
}

export interface LarkUser {
  union_id?: string;
  open_id?: string;
  user_id?: string;
  name?: string;
  en_name?: string;
  nickname?: string;
  email?: string;
  enterprise_email?: string;
  mobile?: string;
  employee_no?: string;
  job_title?: string;
  department_ids?: string[];
  leader_user_id?: string;
  status?: LarkUserStatus;
}

export interface LarkDepartment {
  open_department_id?: string;
  department_id?: string;
  name?: string;
  parent_department_id?: string;
  status?: { is_deleted?: boolean };
}
