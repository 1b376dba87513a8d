/**
 * Lark / Feishu constants (reference/webhooks.md §2): endpoints, header names, id types and event
 * types. The API's codes are in errcodes.ts.
 */

/** Feishu (China). Lark international is `https://open.larksuite.com/open-apis`. */
export const DEFAULT_LARK_API_URL = 'https://open.feishu.cn/open-apis';

/** How old a signed request may be before it is refused as a possible replay (the rule all webhooks share). */
export { DEFAULT_MAX_AGE_SECONDS } from '../replayWindow';

/** The ids Lark gives a person; `union_id` is stable across the developer's apps, so it is the default. */
export const LARK_USER_ID_TYPES = ['union_id', 'open_id', 'user_id'] as const;
export type LarkUserIdType = (typeof LARK_USER_ID_TYPES)[number];
export const DEFAULT_USER_ID_TYPE: LarkUserIdType = 'union_id';

/**
 * Departments are always named by `open_department_id`: system-made, unique in the tenant, and the
 * only id the department-deleted event carries (the custom `department_id` can be reused).
 */
export const DEPARTMENT_ID_TYPE = 'open_department_id';

/** The root department, the start of a full listing. */
export const ROOT_DEPARTMENT_ID = '0';

export const LARK_HEADERS = {
  timestamp: 'x-lark-request-timestamp',
  nonce: 'x-lark-request-nonce',
  signature: 'x-lark-signature',
} as const;

/** Schema 2.0 contact events we turn into changes. */
export const LARK_EVENT_TYPES = {
  userCreated: 'contact.user.created_v3',
  userUpdated: 'contact.user.updated_v3',
  userDeleted: 'contact.user.deleted_v3',
  departmentCreated: 'contact.department.created_v3',
  departmentUpdated: 'contact.department.updated_v3',
  departmentDeleted: 'contact.department.deleted_v3',
} as const;

/** Signed events that say a person left: for them, "outside the contact scope" counts as gone. */
export const LARK_USER_DELETION_EVENTS: ReadonlySet<string> = new Set([LARK_EVENT_TYPES.userDeleted, 'user_leave']);

/** Schema 1.0 (`event.type`) contact events, still sent to apps subscribed before 2.0. */
export const LARK_V1_USER_EVENTS = ['user_add', 'user_update', 'user_leave', 'user_status_change'] as const;
export const LARK_V1_DEPARTMENT_EVENTS = ['dept_add', 'dept_update', 'dept_delete'] as const;
