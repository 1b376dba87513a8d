/** ldapts, loaded lazily: shared by the LDAP sources (see ../ldapClient/ldapts.ts). */
export { ldapts } from '../ldapClient/ldapts';
