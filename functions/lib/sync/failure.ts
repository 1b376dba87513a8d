/**
 * What a failed step tells an operator. Every adapter's errors arrive classified (core's
 * ClassifiedError: retryable or final, with a reason and a recommended action); anything else is
 * our own bug, and final.
 */
import { ClassifiedError, isClassified } from '../core/errors';
import { maskText } from '../core/redact';

export interface StepFailure {
  code: string;
  reason: string;
  recommendedAction?: string;
  retryable: boolean;
}

export function describeFailure(error: unknown): StepFailure {
  if (isClassified(error)) {
    return {
      code: error.code, reason: error.reason, retryable: error.retryable,
      ...(error.recommendedAction !== undefined && { recommendedAction: error.recommendedAction }),
    };
  }
  return {
    code: 'InternalError',
    reason: `unexpected error: ${maskText(error instanceof Error ? error.message : String(error))}`,
    recommendedAction: 'report this with the run id; the step was not completed',
    retryable: false,
  };
}

/** A step we decline to carry out ourselves, e.g. deleting a user who is still in unmanaged groups. */
export class StepRefusedError extends ClassifiedError {
  readonly retryable: boolean;
  constructor(readonly failure: StepFailure) {
    super({ code: failure.code, reason: failure.reason, recommendedAction: failure.recommendedAction });
    this.retryable = failure.retryable;
  }
}
