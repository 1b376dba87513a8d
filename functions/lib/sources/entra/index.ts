/** Microsoft Entra ID: Graph's client (token, users, groups, delta), the engine's source and the delta poller. */
export {
  CLOUD_ENDPOINTS, DEFAULT_ENTRA_TIMEOUT_MS, ENTRA_CLOUDS, ENTRA_DEPARTMENT_SOURCES, type EntraCloud, type EntraDepartmentSource,
  type EntraSourceConfig, isTenantId, parseEntraSourceConfig,
} from './config';
export {
  type DeltaResource, GROUP_DELTA_SELECT, GROUP_PERMISSION, GROUP_SELECT, GraphApi, type GraphApiOptions, USER_SELECT,
} from './GraphApi';
export { GRANT_PERMISSION, type GraphRequest, graphTable } from './errcodes';
export { DeltaExpiredError, EntraApiError, type EntraApiErrorInit } from './errors';
export type { GraphGroup, GraphMemberDelta, GraphPage, GraphTokenAnswer, GraphUser } from './types';
export { EntraSource, createEntraSource, ENTRA_DELETION_EVENTS, ENTRA_REMOVED_REASON } from './EntraSource';
export { groupToDepartment, toIdentity } from './mapping';
export { ATTRIBUTE_DEPARTMENT_PREFIX, attributeDepartmentId, attributeDepartmentName } from '../attributeDepartments';
export {
  DEFAULT_DELTA_STATE_KEY, DELTA_REASONS, DeltaPoller, type DeltaPollReport, type DeltaPollerOptions, type DeltaWatermark, type EntraResyncReason,
} from './DeltaPoller';
export {
  LIFETIME_MS, REAUTHORIZE_EVERY_MS, RENEW_BEFORE_MS, type SubscriptionOutcome, type SubscriptionRecord, ensureSubscription,
} from './subscriptions';
export { type EntraSubscriptionConfig, parseEntraSubscriptionConfig } from './webhookConfig';
