/** The Graph v1.0 shapes the source reads (reference/idp.md §1.2–1.3); only `$select`ed fields come back. */

export interface GraphUser {
  id: string;
  userPrincipalName?: string | null;
  displayName?: string | null;
  mail?: string | null;
  accountEnabled?: boolean | null;
  givenName?: string | null;
  surname?: string | null;
  department?: string | null;
  jobTitle?: string | null;
  employeeId?: string | null;
  mobilePhone?: string | null;
  mailNickname?: string | null;
  /** On delta pages: the user was soft-deleted (`changed`) or deleted for good (`deleted`). */
  '@removed'?: { reason?: string };
}

export interface GraphGroup {
  id: string;
  displayName?: string | null;
  description?: string | null;
  /** Groups with `securityEnabled`/`mailEnabled` are both listed; Graph's `groupTypes` is not read. */
  '@removed'?: { reason?: string };
  /** On groups/delta pages with `$select=members`: members added, and removed ones with `@removed`. */
  'members@delta'?: GraphMemberDelta[];
}

export interface GraphMemberDelta {
  '@odata.type'?: string;
  id: string;
  '@removed'?: { reason?: string };
}

/** A page of a collection: `value`, and `@odata.nextLink` while more follow (delta: `@odata.deltaLink` on the last). */
export interface GraphPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** The token endpoint's answer (client credentials). */
export interface GraphTokenAnswer {
  token_type?: string;
  access_token?: string;
  expires_in?: number | string;
}
