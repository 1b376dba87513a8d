export { DingtalkSource, createDingtalkSource } from './DingtalkSource';
export { DingtalkApi, type DingtalkApiOptions } from './DingtalkApi';
export { DEFAULT_DINGTALK_API_URL, parseDingtalkSourceConfig, type DingtalkSourceConfig } from './config';
export { DingtalkApiError, DingtalkEventError } from './errors';
export { CONTACT_EVENTS, readDingtalkEvent, type DingtalkEvent } from './events';
export { toDepartment, toIdentity } from './mapping';
export type { DingtalkDepartment, DingtalkUser } from './types';
export { receiveDingtalkCallback, acknowledge, type DingtalkAck, type DingtalkWebhookDeps } from './webhook';
export { parseDingtalkWebhookConfig, type DingtalkWebhookConfig } from './webhookConfig';
