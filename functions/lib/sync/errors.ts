/** Errors of the engine's entrances. */
import { ClassifiedError } from '../core/errors';

/** Where in a message a rule failed: keys and list indices, never a value. */
export interface MessageIssue {
  path: (string | number)[];
  message: string;
}

/**
 * A queue batch or a full-sync invocation that does not have the expected shape. Final: the same
 * bytes fail the same way. `issues` name the path and the rule (`release.0: must be text`), which
 * FC's `parseEvent` lists in its `EventDecodeError`; no value is ever quoted.
 */
export class InvalidMessageError extends ClassifiedError {
  readonly retryable = false;
  readonly issues: MessageIssue[];

  constructor(issues: MessageIssue[]) {
    const listed = issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    super({
      code: 'InvalidMessage',
      reason: `the message does not have the expected shape: ${listed}`,
      recommendedAction: 'correct the request; sending the same one again fails the same way',
    });
    this.issues = issues;
  }
}
