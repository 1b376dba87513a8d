/** WeCom (企业微信): the contact-change callback, the directory API client and the engine's Source. */
export { DEFAULT_WECOM_API_URL, type WecomSourceConfig, parseWecomSourceConfig } from './config';
export { type WecomWebhookConfig, parseWecomWebhookConfig, wecomMsgCrypt } from './webhookConfig';
export { WecomApiError, WecomConfigurationError, WecomEventError, type WecomEventProblem } from './errors';
export { WECOM_ERRCODES } from './errcodes';
export { type WecomEventOutcome, WECOM_CHANGE_TYPES, changesFromEvent } from './events';
export { departmentFromWecom, identityFromWecom } from './fields';
export { MAX_CALLBACK_BODY_BYTES, type WecomCallbackDeps, receiveWecomCallback } from './webhook';
export { WecomApi, type WecomApiOptions, type WecomDepartment, type WecomUser } from './WecomApi';
export { WecomSource, type WecomSourceOptions, createWecomSource } from './WecomSource';
export { MAX_XML_BYTES, parseWecomXml, xmlText } from './xml';
