/**
 * The `ldap-poll` function's configuration: the engine (for a full resync), which must have the
 * ldap source on, the poll's own settings (LDAP_DELETE_DETECTION, LDAP_ACCESSLOG_BASE) and the FC
 * queue incremental changes go to. Every bad variable is reported at once.
 */
import { type Env, envReader } from '../core/config';
import { ConfigProblems } from '../core/errors';
import type { FcQueueConfig } from '../queue/config';
import type { CredentialSource } from '../ram/RamOpenApi';
import { parseLdapSourceConfig } from '../sources/ldap/config';
import { parseLdapPollSettings } from '../sources/ldap/CsnPoller';
import type { LdapPollEnvironment } from '../sync/ldapPoll';
import { engineFromEnv } from './engine';
import { withFcQueue } from './queue';

export function ldapPollFromEnv(env: Env, deps: { credentials: CredentialSource }): LdapPollEnvironment & { queue: FcQueueConfig } {
  const { source: built, queue } = withFcQueue(env, (e) => {
    // The engine's sources include ldap (the registry reports every LDAP_* problem); ldap-poll needs it on.
    const problems = new ConfigProblems();
    const engine = problems.attempt(() => engineFromEnv(e, deps));
    const poll = problems.attempt(() => parseLdapPollSettings(e));
    envReader(e, problems).required('LDAP_URL', 'is required: ldap-poll polls an OpenLDAP server (ldaps://ldap.corp.example)');
    problems.throwIfAny();
    return { engine: engine!, poll: poll! };
  }, 'ldap-poll');
  const ldap = parseLdapSourceConfig(env)!; // valid: the registry parsed it already
  return { ldap, poll: built.poll, queue, engine: built.engine };
}
