/**
 * The change queue for FC functions. `SqliteQueue` is deliberately not exported here: it needs a
 * native module that FC bundles must not contain; the local stack imports `./SqliteQueue` directly.
 */
export { DEFAULT_MAX_BATCH_BYTES, FC_ASYNC_PAYLOAD_LIMIT, changeKey, dedupeChanges, encodeBatch, toBatches } from './batches';
export type { BatchOptions, OversizedHint } from './batches';
export { ChangeTooLargeError, MissingFcSettingError, QueuePublishError, QueueStoreError } from './errors';
export type { PublishFailure } from './errors';
export { FcAsyncQueue, parseFcEndpoint } from './FcAsyncQueue';
export type { FcAsyncQueueOptions, FcCredentials } from './FcAsyncQueue';
export { Fc2AsyncQueue } from './Fc2AsyncQueue';
export type { Fc2AsyncQueueOptions } from './Fc2AsyncQueue';
export { DEFAULT_QUEUE_SQLITE_PATH, QUEUE_KINDS, parseQueueConfig, queueSqlitePath } from './config';
export type { Fc2QueueConfig, Fc3QueueConfig, FcQueueConfig, QueueConfig, QueueKind, SqliteQueueConfig } from './config';
export { createFcQueue, fcInvokeEndpoint } from './factory';
export type { FcQueueDeps } from './factory';
export type { PublishOptions } from './publish';
