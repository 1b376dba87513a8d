/**
 * The change queue's failures. Publishing failures are translated once, at the adapter, into a
 * `QueuePublishError` whose message names the target and the FC error code, never a credential.
 */

import { ClassifiedError } from '../core/errors';

/** One batch that FC (or the local queue) did not accept. */
export interface PublishFailure {
  batchId: string;
  /** FC's error code (`EntityTooLarge`, `SignatureDoesNotMatch`), or ours (`NetworkError`, `Timeout`, `HTTP 500`). */
  code: string;
  status?: number;
  /** False for refusals a retry of the same request cannot fix (413, 400, 403, 404). */
  retryable: boolean;
  /** What went wrong, scrubbed of the credentials used. */
  message: string;
}

/**
 * Some batches were not accepted. The caller (a webhook) answers 5xx so the platform delivers the
 * event again; batches already accepted will then be sent twice, which level-triggered `push`
 * tolerates.
 */
export class QueuePublishError extends ClassifiedError {
  /** True when at least one failure may heal on retry (network, 5xx, throttling). */
  readonly retryable: boolean;
  readonly failures: PublishFailure[];
  /** Ids of the batches accepted before or alongside the failures. */
  readonly accepted: string[];

  constructor(target: string, failures: PublishFailure[], accepted: string[], options?: { cause?: unknown }) {
    const first = failures[0];
    const what = first ? `${first.code}${first.status !== undefined ? ` (HTTP ${first.status})` : ''}: ${first.message}` : 'unknown';
    const reason = `publishing to ${target} failed for ${failures.length} of ${failures.length + accepted.length} batch(es): ${what}`;
    super({ code: first?.code ?? 'PublishFailed', reason, cause: options?.cause, recommendedAction: 'none when it passes on retry; else check the push function\'s name and the role\'s fc:InvokeFunction' });
    this.failures = failures;
    this.accepted = accepted;
    this.retryable = failures.some((f) => f.retryable);
  }
}

/**
 * One change is over the batch limit even without its hint (an absurd sourceId). Publishing it
 * again cannot help, so this is terminal.
 */
export class ChangeTooLargeError extends ClassifiedError {
  readonly retryable = false;
  readonly bytes: number;
  readonly maxBytes: number;

  constructor(change: { source: string; kind: string }, bytes: number, maxBytes: number) {
    super({
      code: 'ChangeTooLarge', reason: `a ${change.source} ${change.kind} change is ${bytes} bytes as JSON, over the ${maxBytes}-byte batch limit`,
      recommendedAction: 'nothing to retry: the source sent an id no directory uses; the reconcile full sync covers the person',
    });
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/** The local queue's file could not be opened or has an unexpected shape. */
export class QueueStoreError extends ClassifiedError {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super({ code: 'QueueStore', reason: message, cause: options?.cause, recommendedAction: 'check QUEUE_SQLITE_PATH (a file this process can write)' });
  }
}

/** The function context lacks something an invocation needs (credentials, account id, region). */
export class MissingFcSettingError extends ClassifiedError {
  readonly retryable = false;

  constructor(message: string) {
    super({ code: 'MissingFcSetting', reason: message, recommendedAction: 'set the variable the message names (locally: FC_INVOKE_ENDPOINT or FC_ACCOUNT_ID and FC_REGION)' });
  }
}
