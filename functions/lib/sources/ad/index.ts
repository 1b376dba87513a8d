export { AdSource, createAdSource } from './AdSource';
export { parseAdSourceConfig, type AdSourceConfig, type AdTransport } from './config';
export { AdSourceError, type AdErrorKind } from './errors';
export { GroupSnapshots, memberChanges, type GroupSnapshot, type MemberChange } from './groupSnapshots';
export { guidToBuffer, guidToString, isGuidString } from './guid';
export { DEFAULT_STATE_PREFIX, UsnPoller, type PollReport, type UsnPollerOptions } from './UsnPoller';
export { nextWatermark, planPoll, scopeKey, type DcState, type FullResyncReason, type PollPlan, type UsnWatermark } from './watermark';
