/**
 * What an operator decides: how people map to RAM users, who is in scope, which departments become
 * RAM groups, what happens to people who leave or are disabled, and when deletions are held back.
 */
import type { IdentityStatus } from './model';

/** Maps one source department (or AD group) to one RAM group. Opt-in: RAM allows 5 groups per user. */
export interface GroupRule {
  /** Source department id (or, when no id matches, its exact name). Sub-departments are included. */
  department: string;
  /** RAM group name: 1–64 of letters, digits, `.`, `-`, `_`. */
  group: string;
  comments?: string;
}

export interface ScopeRules {
  /** Department ids or names; empty means everyone. Sub-departments are included. */
  includeDepartments: string[];
  /** Department ids or names removed from scope, with their sub-departments; wins over include. */
  excludeDepartments: string[];
  /** Statuses in scope; a person outside is treated as gone. */
  statuses: IdentityStatus[];
}

export interface MappingRules {
  /**
   * userName templates tried in order; the first giving a usable RAM name wins, else the source id.
   * Fields: `{userName}`, `{email}`, `{email.local}`, `{employeeId}`, `{sourceId}`, `{attr.NAME}`.
   */
  userName: string[];
  /** displayName templates tried in order; the last resort is the userName. */
  displayName: string[];
  scope: ScopeRules;
  groups: GroupRule[];
}

export const DEPROVISION_MODE = { delete: 'delete', suspend: 'suspend', none: 'none' } as const;
export type DeprovisionMode = (typeof DEPROVISION_MODE)[keyof typeof DEPROVISION_MODE];

export interface DeprovisionPolicy {
  /** For people absent at the source (left, deleted, out of scope). Default `delete`. */
  deleted: DeprovisionMode;
  /** For people disabled at the source. Default `suspend`. */
  disabled: DeprovisionMode;
}

export interface SafeguardRules {
  /** Stage deprovisions past this many people in the window. Default 20. */
  maxDeletes: number;
  /** …or past this percentage of the users we manage. Default 10. */
  maxDeletePercent: number;
  /** The rolling window deprovisions are counted in, minutes. Default 60. */
  windowMinutes: number;
}

export const DEFAULT_MAPPING_RULES: MappingRules = {
  userName: ['{email.local}', '{userName}'],
  displayName: ['{displayName}', '{userName}'],
  scope: { includeDepartments: [], excludeDepartments: [], statuses: ['active', 'disabled'] },
  groups: [],
};

export const DEFAULT_DEPROVISION_POLICY: DeprovisionPolicy = { deleted: 'delete', disabled: 'suspend' };

export const DEFAULT_SAFEGUARD: SafeguardRules = { maxDeletes: 20, maxDeletePercent: 10, windowMinutes: 60 };
