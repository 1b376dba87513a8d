/**
 * What a failed step tells an operator. RAM errors arrive already classified by the RAM module
 * (retryable or final, with a reason and a recommended action); anything else is our own bug.
 */
export interface StepFailure {
  code: string;
  reason: string;
  recommendedAction?: string;
  retryable: boolean;
}

interface ClassifiedError {
  retryable?: unknown;
  reason?: unknown;
  recommendedAction?: unknown;
  code?: unknown;
  message?: unknown;
}

export function describeFailure(error: unknown): StepFailure {
  const e = (error ?? {}) as ClassifiedError;
  if (typeof e.retryable === 'boolean') {
    return {
      code: typeof e.code === 'string' ? e.code : typeof e.code === 'number' ? String(e.code) : errorName(error),
      reason: typeof e.reason === 'string' ? e.reason : String(e.message ?? 'RAM call failed'),
      recommendedAction: typeof e.recommendedAction === 'string' ? e.recommendedAction : undefined,
      retryable: e.retryable,
    };
  }
  if (error instanceof StepRefusedError) return { ...error.failure };
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
export class StepRefusedError extends Error {
  constructor(readonly failure: StepFailure) {
    super(failure.reason);
    this.name = 'StepRefusedError';
  }
}
