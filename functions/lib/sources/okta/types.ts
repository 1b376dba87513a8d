/** Okta's records as the Management API answers them (reference/idp.md §2.3, §2.6): only what the source reads. */

/** `UserStatus`, plus Okta's transitional `ACTIVATING`; anything newer is read as unknown. */
export type OktaUserStatus =
  | 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED' | 'ACTIVATING';

export interface OktaUser {
  /** Immutable, `00u…`. */
  id: string;
  status: OktaUserStatus | string;
  created?: string;
  lastUpdated?: string;
  statusChanged?: string | null;
  /** Every profile attribute, custom ones included; the base ones below when set. */
  profile: {
    login?: string;
    email?: string;
    firstName?: string | null;
    lastName?: string | null;
    displayName?: string | null;
    department?: string | null;
    title?: string | null;
    employeeNumber?: string | null;
    mobilePhone?: string | null;
    managerId?: string | null;
    [attribute: string]: unknown;
  };
}

export interface OktaGroup {
  /** Immutable, `00g…`. */
  id: string;
  /** `OKTA_GROUP`, `APP_GROUP` (imported from an app or directory), `BUILT_IN` (Everyone). */
  type?: string;
  profile: { name?: string; description?: string | null };
}

export interface OktaLogTarget {
  id: string;
  type: string;
}

export interface OktaLogEvent {
  uuid: string;
  published: string;
  eventType: string;
  target?: OktaLogTarget[] | null;
  outcome?: { result?: string } | null;
}
