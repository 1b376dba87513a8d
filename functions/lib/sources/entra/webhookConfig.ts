/**
 * The `entra-webhook` function's configuration, parsed once at cold start. Problems name the
 * variable, never its value.
 *
 * | variable             | default  | meaning                                                              |
 * |----------------------|----------|----------------------------------------------------------------------|
 * | `ENTRA_TENANT_ID`    | required | the Directory (tenant) ID, a GUID: every notification names it       |
 * | `ENTRA_CLIENT_STATE` | required | the secret the subscription was created with, at most 128 characters |
 * | `ENTRA_DEPARTMENTS`  | `attribute` | as the source reads it (config.ts): with groups, a group's notification is a department change |
 */
import { type Env, type EnvReader, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { ENTRA_DEPARTMENT_SOURCES } from './config';

/** Graph caps a subscription's clientState at 128 characters (subscription resource). */
export const CLIENT_STATE_MAX = 128;

/** Notifications carry the tenant as a GUID, never as a domain name. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EntraWebhookConfig {
  /** Lower case. */
  tenantId: string;
  clientState: string;
  /** ENTRA_DEPARTMENTS is `groups` or `both`. */
  groupDepartments: boolean;
}

/**
 * @example
 * const config = loadConfig(entraWebhookFromEnv); // wiring/webhooks.ts, at module scope
 */
export function parseEntraWebhookConfig(env: Env): EntraWebhookConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const tenantId = read.required('ENTRA_TENANT_ID', 'is required by the Entra webhook');
  if (tenantId !== undefined && !GUID.test(tenantId)) {
    problems.add({
      variable: 'ENTRA_TENANT_ID',
      problem: 'must be the Directory (tenant) ID, a GUID, for entra-webhook: notifications name the tenant by its GUID, not by a domain',
    });
  }
  const clientState = readClientState(read, problems, 'is required by the Entra webhook: the clientState its subscription was created with');
  const departments = read.oneOf('ENTRA_DEPARTMENTS', ENTRA_DEPARTMENT_SOURCES, 'attribute');
  problems.throwIfAny();
  return { tenantId: tenantId!.toLowerCase(), clientState: clientState!, groupDepartments: departments !== 'attribute' };
}

/** The secret as set (untrimmed, like every secret), at most 128 characters. */
export function readClientState(read: EnvReader, problems: ConfigProblems, missing: string): string | undefined {
  const clientState = read.secret('ENTRA_CLIENT_STATE');
  if (clientState === undefined) problems.add({ variable: 'ENTRA_CLIENT_STATE', problem: missing });
  else if (clientState.length > CLIENT_STATE_MAX) {
    problems.add({ variable: 'ENTRA_CLIENT_STATE', problem: `must be at most ${CLIENT_STATE_MAX} characters (Graph's limit for clientState)` });
  }
  return clientState;
}

/** What `entra-poll` needs to keep the subscriptions alive; undefined when ENTRA_NOTIFICATION_URL is unset. */
export interface EntraSubscriptionConfig {
  /** entra-webhook's public URL: both the notificationUrl and the lifecycleNotificationUrl. */
  notificationUrl: string;
  clientState: string;
  /** `users`, and `groups` too when departments come from groups. */
  resources: ('users' | 'groups')[];
}

/**
 * | variable                 | default         | meaning                                                         |
 * |--------------------------|-----------------|-----------------------------------------------------------------|
 * | `ENTRA_NOTIFICATION_URL` | none (no push)  | entra-webhook's public https URL; set, entra-poll subscribes    |
 * | `ENTRA_CLIENT_STATE`     | required if set | the secret sent with the subscription, checked by entra-webhook |
 * | `ENTRA_DEPARTMENTS`      | `attribute`     | with groups, group changes are subscribed to as well            |
 *
 * @example
 * const subscriptions = parseEntraSubscriptionConfig(process.env); // entra-poll, at cold start
 * if (subscriptions) await ensureSubscription(api, state, subscriptions, new Date());
 */
export function parseEntraSubscriptionConfig(env: Env): EntraSubscriptionConfig | undefined {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  if (read.text('ENTRA_NOTIFICATION_URL') === undefined) return undefined;
  const notificationUrl = read.url('ENTRA_NOTIFICATION_URL', '');
  const clientState = readClientState(read, problems, 'is required when ENTRA_NOTIFICATION_URL is set: the secret entra-webhook checks');
  const departments = read.oneOf('ENTRA_DEPARTMENTS', ENTRA_DEPARTMENT_SOURCES, 'attribute');
  problems.throwIfAny();
  return { notificationUrl, clientState: clientState!, resources: departments === 'attribute' ? ['users'] : ['users', 'groups'] };
}
