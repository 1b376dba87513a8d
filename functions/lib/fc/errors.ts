/**
 * Errors of the FC glue. `HttpError` and its status helpers live in core/http.ts (webhooks throw
 * them without depending on FC) and are re-exported here for the FC side.
 */
export {
  HttpError, type HttpErrorOptions, badRequest, forbidden, isHttpError, methodNotAllowed, notFound, payloadTooLarge,
  serviceUnavailable, unauthorized, unsupportedMediaType,
} from '../core/http';

/**
 * The event could not be read: not JSON, or rejected by the handler's `parse`. Retrying the same
 * bytes cannot help, hence `retryable: false`. Carries where it failed, never the event itself.
 */
export class EventDecodeError extends Error {
  readonly retryable = false;
  readonly code = 'InvalidEvent';
  /** Paths and rule messages from the parser (e.g. `changes.0.kind: must be one of user, group`). */
  readonly issues: string[];

  constructor(message: string, issues: string[] = [], cause?: unknown) {
    super(issues.length > 0 ? `${message}: ${issues.join('; ')}` : message, { cause });
    this.name = 'EventDecodeError';
    this.issues = issues;
  }
}
