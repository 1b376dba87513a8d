/**
 * What a failed step tells an operator. Every adapter's errors arrive classified (core's
 * ClassifiedError: retryable or final, with a reason and a recommended action); anything else is
 * our own bug, and final.
 */
import { ClassifiedError, isClassified } from '../core/errors';

export interface StepFailure {
  code: string;
  reason: string;
  recommendedAction?: string;
  retryable: boolean;
}

interface Shaped {
  retryable?: unknown;
  reason?: unknown;
  recommendedAction?: unknown;
  code?: unknown;
  message?: unknown;
}

export function describeFailure(error: unknown): StepFailure {
  if (isClassified(error)) {
    return {
      code: error.code, reason: error.reason, retryable: error.retryable,
      ...(error.recommendedAction !== undefined && { recommendedAction: error.recommendedAction }),
    };
  }
  // Until every adapter's errors extend ClassifiedError: the same fields, read by shape.
  const e = (error ?? {}) as Shaped;
  if (typeof e.retryable === 'boolean') {
    return {
      code: typeof e.code === 'string' ? e.code : typeof e.code === 'number' ? String(e.code) : errorName(error),
      reason: typeof e.reason === 'string' ? e.reason : String(e.message ?? 'RAM call failed'),
      recommendedAction: typeof e.recommendedAction === 'string' ? e.recommendedAction : undefined,
      retryable: e.retryable,
    };
  }
  return {
    code: 'InternalError',
    reason: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
    recommendedAction: 'report this with the run id; the step was not completed',
    retryable: false,
  };
}

function errorName(error: unknown): string {
  return error instanceof Error && error.name !== 'Error' ? error.name : 'RamError';
}

/** A step we decline to carry out ourselves, e.g. deleting a user who is still in unmanaged groups. */
export class StepRefusedError extends ClassifiedError {
  readonly retryable: boolean;
  constructor(readonly failure: StepFailure) {
    super({ code: failure.code, reason: failure.reason, recommendedAction: failure.recommendedAction });
    this.retryable = failure.retryable;
  }
}
