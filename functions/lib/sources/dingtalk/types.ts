/**
 * DingTalk's wire shapes (reference/webhooks.md §1.5), only the fields we read. Every topapi call
 * answers `{errcode, errmsg, result, request_id}`.
 */

/** `topapi/v2/user/get` `result`, and one item of `topapi/v2/user/list` `result.list`. */
export interface DingtalkUser {
  userid: string;
  unionid?: string;
  name?: string;
  email?: string;
  org_email?: string;
  mobile?: string;
  job_number?: string;
  title?: string;
  dept_id_list?: number[];
  active?: boolean;
  manager_userid?: string;
  login_id?: string;
}

/** `topapi/v2/department/get` `result`, and one item of `topapi/v2/department/listsub` `result`. */
export interface DingtalkDepartment {
  dept_id: number;
  name: string;
  /** Absent on the root (1). */
  parent_id?: number;
}

/** `topapi/v2/user/list` `result`. */
export interface DingtalkUserPage {
  has_more: boolean;
  next_cursor?: number;
  list: DingtalkUser[];
}

export interface DingtalkEnvelope<T> {
  errcode: number;
  errmsg?: string;
  result?: T;
  request_id?: string;
}

/**
 * `GET call_back/get_call_back_failed_result` (reference/webhooks.md §1.3): at most 200 pushes
 * DingTalk could not deliver, deleted on its side once answered. Each entry holds the event's
 * fields under its tag, e.g. `{call_back_tag: 'user_leave_org', user_leave_org: {userid: […]}}`.
 */
export interface DingtalkFailedCallbacks {
  errcode: number;
  errmsg?: string;
  has_more?: boolean;
  failed_list?: Array<Record<string, unknown> & { call_back_tag?: unknown; event_time?: unknown }>;
}

/** The root department's id. */
export const ROOT_DEPT_ID = 1;
