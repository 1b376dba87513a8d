/** Okta: the Users/Groups/System Log API client, the engine's source and okta-poll's poller. */
export {
  DEFAULT_POLL_OVERLAP_SECONDS, OKTA_DEPARTMENT_MODES, OKTA_SCOPES, parseOktaSourceConfig,
  type OktaDepartmentMode, type OktaOAuthAuth, type OktaSourceConfig, type OktaTokenAuth,
} from './config';
export { OktaApi, filterValue, type OktaApiOptions, type OktaLogPage } from './OktaApi';
export { OKTA_DELETION_EVENTS, OktaSource, createOktaSource } from './OktaSource';
export {
  DEFAULT_STATE_PREFIX, LOG_EVENT_TYPES, LOG_FILTER, OktaPoller, UPDATED_REASON, type OktaPollReport, type OktaPollerOptions,
} from './OktaPoller';
export { LOG_RETENTION_DAYS, planPoll, scopeKey, type OktaPollPlan, type OktaResyncReason, type OktaWatermark } from './watermark';
export { OKTA_CODES, oktaTable, permissionFix, type OktaRequest } from './errcodes';
export { OktaApiError } from './errors';
export { clientAssertion } from './clientAssertion';
export { nextLink } from './links';
export { GONE_STATUS, statusOf, toIdentity } from './mapping';
export { attributeDepartmentId, attributeDepartmentName } from '../attributeDepartments';
export type { OktaGroup, OktaLogEvent, OktaUser, OktaUserStatus } from './types';
