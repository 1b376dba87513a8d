/**
 * What an operator should do about a RAM failure, by code. Exact codes first, then prefixes,
 * then a fallback by HTTP status. Kept apart from errors.ts so the table reads as a runbook.
 */

const EXACT: Record<string, string> = {
  'DeleteConflict.User.AccessKey': "delete or hand over the user's AccessKeys in the RAM console, then re-run",
  'DeleteConflict.User.Policy': "detach the user's policies in the RAM console (or grant them through a group), then re-run",
  'DeleteConflict.User.MFADevice': "unbind the user's MFA device in the RAM console, then re-run",
  'DeleteConflict.User.LoginProfile': "remove the user's console login in the RAM console, then re-run",
  'DeleteConflict.User.Group': 'remove the user from its RAM groups (or let group rules do it), then re-run',
  'DeleteConflict.Group.User': 'remove the members of the group before deleting it',
  'DeleteConflict.Group.Policy': "detach the group's policies before deleting it",
  'LimitExceeded.User.Group': 'a RAM user may be in 5 groups: reduce group rules or raise the quota',
  'LimitExceeded.Group': 'an account may have 50 RAM groups: map fewer departments to groups or raise the quota',
  'LimitExceeded.User': 'the account reached its RAM user quota: raise the quota or narrow the sync scope',
  'LimitExceeded.User.AccessKey': 'a RAM user may have 2 AccessKeys',
  'EntityAlreadyExists.User': 'a RAM user with this name already exists without our externalId: rename it, delete it, or change the userName template',
  'EntityAlreadyExists.Group': 'the group exists already',
  'EntityAlreadyExists.User.LoginProfile': 'the user already has a console login',
  'EntityNotExist.User': 'the RAM user does not exist (any more): the next sync recreates it if it should exist',
  'EntityNotExist.Group': 'create the group (or fix the group rule that names it)',
  'NoPermission': 'grant the function role the RAM policy in infra/ (ram:*User*, ram:*Group*, ram:*AccessKey*, ram:*LoginProfile*), e.g. AliyunRAMFullAccess',
  'Forbidden.AccessDenied': 'grant the function role the RAM policy in infra/ (ram:*User*, ram:*Group*, ram:*AccessKey*, ram:*LoginProfile*)',
  'Inactive': 'activate RAM for the account in the console',
  'InvalidAccessKeyId.NotFound': 'check ALIBABA_CLOUD_ACCESS_KEY_ID (or the function role)',
  'SignatureDoesNotMatch': 'check ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'InvalidSecurityToken.Expired': 'the STS token expired: pass fresh credentials (FC context.credentials) per invocation',
  'invalid_client': 'check RAM_OAUTH_CLIENT_ID / RAM_OAUTH_CLIENT_SECRET (the AppSecretValue, not the AppSecretId)',
  'invalid_grant': 'the stored refresh token is no longer valid: run `npm run consent` again',
  'unauthorized_client': 'the OAuth app may not use this grant: use a Server application for client_credentials or a Native application for refresh_token',
  'invalid_scope': 'add the scope /acs/scim to the OAuth app and click Authorize',
  'uniqueness': 'a RAM user with this userName or externalId exists already: it is not ours, or the userName template maps two people to one name',
  'invalidFilter': 'RAM allows only eq/and on id, userName and externalId',
  'invalidValue': 'the user attributes were refused: check the userName template (1-64 letters, digits, ".", "-", "_")',
};

const PREFIX: Array<[RegExp, string]> = [
  [/^Throttling/i, 'RAM throttled the requests: lower RAM_RATE_LIMIT / RAM_CONCURRENCY if it persists'],
  [/^ServiceUnavailable|^InternalError/i, 'RAM is temporarily unavailable: the request is retried; re-run if it persists'],
  [/^InvalidParameter\.(New)?UserName/i, 'userName must be 1-64 letters, digits, ".", "-" or "_": fix the userName template'],
  [/^InvalidParameter\.(New)?DisplayName/i, 'displayName must be 1-128 characters without control characters'],
  [/^InvalidParameter\.(New)?GroupName/i, 'groupName must be 1-64 letters, digits, ".", "-" or "_": fix the group rule'],
  [/^InvalidParameter\.Comments/i, 'comments may be at most 128 characters'],
  [/^InvalidParameter/i, 'fix the named parameter'],
  [/^NoPermission|^Forbidden/i, 'grant the function role the RAM policy in infra/ for this action'],
  [/^DeleteConflict/i, 'remove what is attached to the entity in the RAM console, then re-run'],
  [/^LimitExceeded/i, 'a RAM quota is reached: raise it or narrow the sync'],
];

/** A recommended action for a code (and status when the code is unknown). */
export function recommendedActionFor(code: string, status?: number): string {
  const exact = EXACT[code];
  if (exact) return exact;
  for (const [pattern, action] of PREFIX) if (pattern.test(code)) return action;
  if (code === 'Timeout' || code === 'NetworkError') return 'check the network path to RAM; the request is retried';
  if (status === 401) return 'check RAM_OAUTH_CLIENT_ID / RAM_OAUTH_CLIENT_SECRET and that the OAuth app has the /acs/scim scope authorized';
  if (status === 403) return 'check that the OAuth app has the /acs/scim scope authorized and the function role has the RAM policy';
  if (status === 429 || (status !== undefined && status >= 500)) return 'the request is retried; re-run if it persists';
  return 'see the reason; fix the input and re-run';
}
