export { AdSource, createAdSource } from './AdSource';
export { parseAdSourceConfig, type AdSourceConfig, type AdTransport } from './config';
export { AdSourceError, type AdErrorKind } from './errors';
export { guidToBuffer, guidToString, isGuidString } from './guid';
export { DEFAULT_WATERMARK_KEY, UsnPoller, type PollReport, type UsnPollerOptions } from './UsnPoller';
export { nextWatermark, planPoll, scopeKey, type DcState, type FullResyncReason, type PollPlan, type UsnWatermark } from './watermark';
