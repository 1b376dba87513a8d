/**
 * A refusal by the emulated RAM account, carrying the RAM error code and HTTP status the real
 * service answers with. The store throws it; the OpenAPI surface renders it as RAM's error body and
 * the SCIM surface translates it to a SCIM error.
 */
export class RamEntityError extends Error {
  override readonly name = 'RamEntityError';

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The RAM error codes the emulator produces, with their HTTP status. */
export const RAM_ERRORS = {
  'EntityNotExist.User': 404,
  'EntityNotExist.Group': 404,
  'EntityNotExist.User.Group': 404,
  'EntityNotExist.User.AccessKey': 404,
  'EntityNotExist.User.LoginProfile': 404,
  'EntityNotExist.User.Policy': 404,
  'EntityNotExist.User.MFADevice': 404,
  'EntityAlreadyExists.User': 409,
  'EntityAlreadyExists.Group': 409,
  'EntityAlreadyExists.User.Group': 409,
  'EntityAlreadyExists.User.LoginProfile': 409,
  'EntityAlreadyExists.User.Policy': 409,
  'EntityAlreadyExists.User.MFADevice': 409,
  'DeleteConflict.User.Group': 409,
  'DeleteConflict.User.AccessKey': 409,
  'DeleteConflict.User.Policy': 409,
  'DeleteConflict.User.MFADevice': 409,
  'DeleteConflict.Group.User': 409,
  'LimitExceeded.User.Group': 409,
  'LimitExceeded.Group': 409,
  'LimitExceeded.User.AccessKey': 409,
} as const;
export type RamErrorCode = keyof typeof RAM_ERRORS;

/** Builds the error for one of the known codes, so a code and its status never disagree. */
export function ramError(code: RamErrorCode, message: string): RamEntityError {
  return new RamEntityError(code, RAM_ERRORS[code], message);
}
