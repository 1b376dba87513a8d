/**
 * The OpenLDAP (generic LDAPv3) source's configuration. Off when `LDAP_URL` is unset or blank;
 * otherwise every problem is reported at once as a ConfigError naming the variables (never their
 * values: one is a password). Reaching and binding (URL, StartTLS/LDAPS, CA, timeout) follow the
 * rules every LDAP source shares (../ldapClient/settings.ts).
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { type LdapSearchSettings, type LdapTransport, readSearchSettings } from '../ldapClient/settings';

export type { LdapTransport };

export const DEFAULT_USER_FILTER = '(objectClass=inetOrgPerson)';
export const DEFAULT_GROUP_FILTER = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))';

/** Where departments come from: groups (membership read from the groups), the OU tree, or both. */
export const DEPARTMENT_MODES = ['groups', 'ous', 'both'] as const;
export type DepartmentMode = (typeof DEPARTMENT_MODES)[number];

/**
 * The attribute that marks a disabled person (`LDAP_ATTR_DISABLED`):
 * - `name` alone: disabled when the attribute has a value other than `FALSE` (any case). Fits
 *   `pwdAccountLockedTime` (ppolicy: present = locked) and `nsAccountLock` (`TRUE` = locked).
 * - `name=value`: disabled when one of its values equals `value` (any case), e.g. `employeeType=left`.
 */
export interface DisabledRule {
  attribute: string;
  value?: string;
}

export interface LdapAttributeMap {
  /** LDAP_ATTR_USERNAME, default `uid`. */
  userName: string;
  /** LDAP_ATTR_EMAIL, default `mail`. */
  email: string;
  /** LDAP_ATTR_DISPLAYNAME: the first of these with a value; default `displayName`, then `cn`. */
  displayName: string[];
  /** LDAP_ATTR_DISABLED; unset means nobody is disabled by an attribute. */
  disabled?: DisabledRule;
}

/** userFilter says who is a person under baseDn; groupFilter which entries are groups (departments in groups or both mode). */
export interface LdapSourceConfig extends LdapSearchSettings {
  attributes: LdapAttributeMap;
  departments: DepartmentMode;
}

/** slapd's default size limit is 500 entries; a page above the server's limit is cut. */
const DEFAULT_PAGE_SIZE = 500;
/** An attribute description: a name (`mail`, `x-dept`) or an OID, without options. */
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]{0,127}|\d+(?:\.\d+)+)$/;

/**
 * @example
 * const config = parseLdapSourceConfig(process.env);
 * const source = config && createLdapSource(config);
 */
export function parseLdapSourceConfig(env: Env): LdapSourceConfig | undefined {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const settings = readSearchSettings(read, problems, 'LDAP', {
    userFilter: DEFAULT_USER_FILTER, groupFilter: DEFAULT_GROUP_FILTER, pageSize: DEFAULT_PAGE_SIZE, maxPageSize: 10_000,
  });
  if (!settings) return undefined;

  const attribute = (name: string, fallback: string): string => {
    const value = read.text(name) ?? fallback;
    if (ATTRIBUTE.test(value)) return value;
    problems.add({ variable: name, problem: 'must be an LDAP attribute name' });
    return fallback;
  };
  const displayName = read.list('LDAP_ATTR_DISPLAYNAME', ['displayName', 'cn']);
  if (displayName.length === 0 || !displayName.every((a) => ATTRIBUTE.test(a))) {
    problems.add({ variable: 'LDAP_ATTR_DISPLAYNAME', problem: 'must be LDAP attribute names, comma-separated (the first with a value is used)' });
  }
  const attributes: LdapAttributeMap = {
    userName: attribute('LDAP_ATTR_USERNAME', 'uid'),
    email: attribute('LDAP_ATTR_EMAIL', 'mail'),
    displayName,
    disabled: disabledRule(read.text('LDAP_ATTR_DISABLED'), problems),
  };
  const departments = read.oneOf('LDAP_DEPARTMENTS', DEPARTMENT_MODES, 'groups');

  problems.throwIfAny();
  return { ...settings, attributes, departments };
}

function disabledRule(value: string | undefined, problems: ConfigProblems): DisabledRule | undefined {
  if (value === undefined) return undefined;
  const at = value.indexOf('=');
  const attribute = (at < 0 ? value : value.slice(0, at)).trim();
  const expected = at < 0 ? undefined : value.slice(at + 1).trim();
  if (!ATTRIBUTE.test(attribute) || expected === '') {
    problems.add({ variable: 'LDAP_ATTR_DISABLED', problem: 'must be an attribute name (set = disabled), or name=value (disabled when it holds that value)' });
    return undefined;
  }
  return expected === undefined ? { attribute } : { attribute, value: expected };
}
