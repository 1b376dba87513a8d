/** Lark / Feishu: the contact-event webhook, the contact API client and the engine's source. */
export { LarkSource, createLarkSource } from './LarkSource';
export { LarkApi, type LarkApiOptions } from './LarkApi';
export { parseLarkSourceConfig, type LarkSourceConfig } from './config';
export { parseLarkWebhookConfig, type LarkWebhookConfig } from './webhookConfig';
export {
  DEFAULT_LARK_API_URL, DEFAULT_MAX_AGE_SECONDS, DEFAULT_USER_ID_TYPE, LARK_EVENT_TYPES, LARK_USER_ID_TYPES, type LarkUserIdType,
} from './constants';
export { LarkCipher, larkSignature, signatureMatches } from './crypto';
export { LarkApiError, LarkDecryptError, LarkWebhookError, WEBHOOK_REFUSALS, type WebhookRefusal } from './errors';
export { readMessage, type LarkMessage } from './events';
export { toDepartment, toIdentity } from './mapping';
export { RecentEvents } from '../recentEvents';
export { createRequestOpener, type OpenedRequest, type RequestOpener } from './verify';
export { createLarkWebhook, type LarkWebhook, type LarkWebhookDeps } from './webhook';
export type { LarkDepartment, LarkUser } from './types';
