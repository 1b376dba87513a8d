/** MNS's failures, translated once at the client: the service's error code, never a credential. */
import { ClassifiedError } from '../../functions/lib/core/errors';

/** Codes a retry of the same request cannot fix (documented MNS error codes). */
const FINAL_CODES = new Set([
  'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'QueueNotExist', 'InvalidArgument',
  'ReceiptHandleError', 'MessageNotExist', 'TimeExpired',
]);

const ACTIONS: Record<string, string> = {
  AccessDenied: 'give the operator mns:ReceiveMessage, mns:DeleteMessage and mns:ChangeMessageVisibility on the dead-letter queue',
  InvalidAccessKeyId: 'check ALIBABA_CLOUD_ACCESS_KEY_ID (and ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)',
  SignatureDoesNotMatch: 'check ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  QueueNotExist: 'check PUSH_DLQ_ARN (or PUSH_DLQ_URL): the queue named there does not exist in that region',
  TimeExpired: 'this machine\'s clock is more than 15 minutes off: correct it',
  ReceiptHandleError: 'run the command again: another reader received the message since',
};

export class MnsError extends ClassifiedError {
  readonly retryable: boolean;
  readonly status?: number;

  constructor(init: { code: string; status?: number; message: string; cause?: unknown }) {
    super({
      code: init.code,
      reason: `MNS answered ${init.code}${init.status !== undefined ? ` (HTTP ${init.status})` : ''}: ${init.message}`,
      recommendedAction: ACTIONS[init.code] ?? 'run the command again; if it persists, check the MNS endpoint and the network',
      cause: init.cause,
    });
    this.status = init.status;
    this.retryable = !FINAL_CODES.has(init.code) && (init.status === undefined || init.status === 429 || init.status >= 500);
  }
}
