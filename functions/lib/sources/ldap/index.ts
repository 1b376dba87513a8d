export { createLdapSource, LdapSource } from './LdapSource';
export {
  DEFAULT_GROUP_FILTER, DEFAULT_USER_FILTER, DEPARTMENT_MODES, parseLdapSourceConfig,
  type DepartmentMode, type DisabledRule, type LdapAttributeMap, type LdapSourceConfig, type LdapTransport,
} from './config';
export { ldapConnection, openLdapClient, search, searchError, type LdapConnectionOptions } from './connection';
export { ancestorsWithin, dnKey, escapeDnValue, isWithinDn, parseDn } from './dn';
export { LdapSourceError, type LdapErrorKind } from './errors';
export { and, equals, namesMember, or, scopeFilters, type ScopeFilters } from './filters';
export {
  entryUuid, GROUP_ATTRIBUTES, groupDepartment, groupMembers, isEntryUuid, OU_ATTRIBUTES, ouDepartment, toIdentity, userAttributes,
} from './mapping';
