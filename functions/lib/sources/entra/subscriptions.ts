/**
 * The Graph subscriptions that make entra-webhook hear of changes (reference/idp.md §1.5), kept
 * alive by entra-poll on each tick: created when missing, renewed before they lapse, recreated when
 * ENTRA_NOTIFICATION_URL or ENTRA_CLIENT_STATE changed, deleted when push is turned off. One per
 * resource (`users`; `groups` when departments come from groups), its id kept in the state store.
 *
 * Creating one makes Graph call the webhook's validation handshake within 10 s: the webhook must be
 * deployed and reachable at ENTRA_NOTIFICATION_URL first. Renewing is a PATCH of the expiry, which
 * also reauthorizes the subscription (the answer to a `reauthorizationRequired` lifecycle event,
 * which the webhook only logs): done hourly, so the webhook needs neither state nor Graph credentials.
 */
import { createHash } from 'node:crypto';
import type { StateStore } from '../../core/ports';
import type { GraphRequest } from './errcodes';
import { EntraApiError } from './errors';
import type { EntraSubscriptionConfig } from './webhookConfig';

/** Graph's longest lifetime for directory resources: 41,760 minutes (under 29 days). */
export const MAX_LIFETIME_MS = 41_760 * 60_000;
/** Asked for a little less, so a clock ahead of Graph's is not refused. */
export const LIFETIME_MS = MAX_LIFETIME_MS - 60 * 60_000;
/** Renewed when it would lapse within this. */
export const RENEW_BEFORE_MS = 3 * 24 * 3600_000;
/** And at least this often, which reauthorizes it. */
export const REAUTHORIZE_EVERY_MS = 3600_000;

const KEY_PREFIX = 'entra/subscription/';
const PERMISSION = { users: 'User.Read.All', groups: 'Group.Read.All' } as const;

export type SubscribedResource = EntraSubscriptionConfig['resources'][number];

/** What the state store keeps per resource; the clientState only as a hash, to notice it changed. */
export interface SubscriptionRecord {
  id: string;
  resource: SubscribedResource;
  notificationUrl: string;
  clientStateHash: string;
  expirationDateTime: string;
  renewedAt: string;
}

export interface SubscriptionOutcome {
  resource: SubscribedResource;
  action: 'kept' | 'renewed' | 'created' | 'recreated' | 'deleted';
  id: string;
  expirationDateTime?: string;
}

/** The one GraphApi call used, so tests and entra-poll pass the GraphApi itself. */
export interface SubscriptionApi {
  request<T>(request: GraphRequest): Promise<T | undefined>;
}

interface GraphSubscription {
  id?: string;
  resource?: string;
  notificationUrl?: string;
  expirationDateTime?: string;
}

type SubscriptionPage = { value?: GraphSubscription[]; '@odata.nextLink'?: string };

/**
 * Brings the subscriptions to what `config` asks, or removes ours when `config` is undefined
 * (ENTRA_NOTIFICATION_URL unset). Each resource on its own: the first failure is thrown after the
 * others were tried.
 *
 * @throws EntraApiError: retryable for throttling and 5xx; final with the action for a failed
 *   handshake (400), a missing permission or the subscription quota (403)
 * @example
 * // entra-poll, each tick, after its delta round
 * const outcomes = await ensureSubscription(api, state, parseEntraSubscriptionConfig(env), new Date());
 */
export async function ensureSubscription(
  api: SubscriptionApi, state: StateStore, config: EntraSubscriptionConfig | undefined, now: Date,
): Promise<SubscriptionOutcome[]> {
  const wanted = new Set<SubscribedResource>(config?.resources ?? []);
  const outcomes: SubscriptionOutcome[] = [];
  let failure: unknown;
  for (const resource of ['users', 'groups'] as const) {
    try {
      const outcome = wanted.has(resource) ? await ensureOne(api, state, config!, resource, now) : await removeOne(api, state, resource);
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return outcomes;
}

async function ensureOne(
  api: SubscriptionApi, state: StateStore, config: EntraSubscriptionConfig, resource: SubscribedResource, now: Date,
): Promise<SubscriptionOutcome> {
  const key = KEY_PREFIX + resource;
  const record = await state.get<SubscriptionRecord>(key);
  const clientStateHash = hashOf(config.clientState);
  if (record && (record.notificationUrl !== config.notificationUrl || record.clientStateHash !== clientStateHash)) {
    // The URL or the secret changed: Graph cannot change a lifecycleNotificationUrl, so start over.
    await deleteSubscription(api, record.id, resource);
    await state.delete(key);
    const created = await create(api, state, config, resource, now);
    return { ...created, action: 'recreated' };
  }
  if (record) {
    const lapsesIn = Date.parse(record.expirationDateTime) - now.getTime();
    const renewedAgo = now.getTime() - Date.parse(record.renewedAt);
    if (lapsesIn > RENEW_BEFORE_MS && renewedAgo < REAUTHORIZE_EVERY_MS && renewedAgo >= 0) {
      return { resource, action: 'kept', id: record.id, expirationDateTime: record.expirationDateTime };
    }
    const expirationDateTime = expiry(now);
    const renewed = await api.request<GraphSubscription>({
      method: 'PATCH', label: 'PATCH /v1.0/subscriptions/{id}', path: `/v1.0/subscriptions/${encodeURIComponent(record.id)}`,
      json: { expirationDateTime }, absent: true, permission: PERMISSION[resource],
    });
    if (renewed) {
      const next = { ...record, expirationDateTime: renewed.expirationDateTime ?? expirationDateTime, renewedAt: now.toISOString() };
      await state.put(key, next);
      return { resource, action: 'renewed', id: record.id, expirationDateTime: next.expirationDateTime };
    }
    // Graph deleted it (it lapsed, or an admin removed it): make a new one.
    await state.delete(key);
  }
  return create(api, state, config, resource, now);
}

async function create(
  api: SubscriptionApi, state: StateStore, config: EntraSubscriptionConfig, resource: SubscribedResource, now: Date,
): Promise<SubscriptionOutcome> {
  // A subscription of ours the state store forgot (a new NAS, a restored backup) would still count
  // against the quota of 100 per app and tenant and deliver twice: delete it first.
  for (const stale of await ours(api, config.notificationUrl, resource)) await deleteSubscription(api, stale, resource);
  const expirationDateTime = expiry(now);
  let created: GraphSubscription | undefined;
  try {
    created = await api.request<GraphSubscription>({
      method: 'POST', label: 'POST /v1.0/subscriptions', path: '/v1.0/subscriptions', permission: PERMISSION[resource],
      json: {
        changeType: 'updated,deleted', resource, notificationUrl: config.notificationUrl,
        lifecycleNotificationUrl: config.notificationUrl, expirationDateTime, clientState: config.clientState,
      },
    });
  } catch (error) {
    throw explainCreateFailure(error, resource);
  }
  if (!created || typeof created.id !== 'string' || !created.id) {
    throw new EntraApiError({ code: 'InvalidAnswer', retryable: true, reason: 'POST /v1.0/subscriptions answered no subscription id' });
  }
  const record: SubscriptionRecord = {
    id: created.id, resource, notificationUrl: config.notificationUrl, clientStateHash: hashOf(config.clientState),
    expirationDateTime: created.expirationDateTime ?? expirationDateTime, renewedAt: now.toISOString(),
  };
  await state.put(KEY_PREFIX + resource, record);
  return { resource, action: 'created', id: record.id, expirationDateTime: record.expirationDateTime };
}

async function removeOne(api: SubscriptionApi, state: StateStore, resource: SubscribedResource): Promise<SubscriptionOutcome | undefined> {
  const key = KEY_PREFIX + resource;
  const record = await state.get<SubscriptionRecord>(key);
  if (!record) return undefined;
  await deleteSubscription(api, record.id, resource);
  await state.delete(key);
  return { resource, action: 'deleted', id: record.id };
}

/** The app's subscriptions on `resource` that deliver to our URL (GET /subscriptions lists only the calling app's). */
async function ours(api: SubscriptionApi, notificationUrl: string, resource: SubscribedResource): Promise<string[]> {
  const ids: string[] = [];
  let path: string | undefined = '/v1.0/subscriptions';
  for (let page = 0; path && page < 20; page += 1) {
    const answer: SubscriptionPage | undefined = await api.request<SubscriptionPage>({
      method: 'GET', label: 'GET /v1.0/subscriptions', path, permission: PERMISSION[resource],
    });
    for (const s of answer?.value ?? []) {
      if (typeof s.id === 'string' && s.notificationUrl === notificationUrl && s.resource?.toLowerCase() === resource) ids.push(s.id);
    }
    const next: string | undefined = answer?.['@odata.nextLink'];
    path = typeof next === 'string' && next.includes('/v1.0/subscriptions') ? next.slice(next.indexOf('/v1.0/subscriptions')) : undefined;
  }
  return ids;
}

async function deleteSubscription(api: SubscriptionApi, id: string, resource: SubscribedResource): Promise<void> {
  // Absent is fine: it lapsed or was removed already.
  await api.request({
    method: 'DELETE', label: 'DELETE /v1.0/subscriptions/{id}', path: `/v1.0/subscriptions/${encodeURIComponent(id)}`,
    absent: true, permission: PERMISSION[resource],
  });
}

/** Graph's failures to create, with what fixes each. */
function explainCreateFailure(error: unknown, resource: SubscribedResource): unknown {
  if (!(error instanceof EntraApiError) || error.retryable) return error;
  if (error.status === 400) {
    return new EntraApiError({
      code: error.code, status: 400, retryable: false, cause: error,
      reason: `Graph refused the ${resource} subscription: ${error.reason} (usually the validation handshake to ENTRA_NOTIFICATION_URL failed)`,
      recommendedAction: 'deploy entra-webhook first and set ENTRA_NOTIFICATION_URL to its public https URL (its HTTP trigger, reachable ' +
        'from the internet, answering within 10 s); check with: curl -X POST "$ENTRA_NOTIFICATION_URL?validationToken=ping"',
    });
  }
  if (error.status === 403) {
    return new EntraApiError({
      code: error.code, status: 403, retryable: false, cause: error,
      reason: `Graph refused the ${resource} subscription: ${error.reason}`,
      recommendedAction: `grant ${PERMISSION[resource]} (application) with admin consent; if it is granted, the subscription quota is reached ` +
        '(100 per app and tenant, 1,000 per tenant): list them with GET /v1.0/subscriptions in Graph Explorer and delete the stale ones. ' +
        'B2C tenants and personal accounts cannot subscribe: unset ENTRA_NOTIFICATION_URL (entra-poll alone still syncs every 5 minutes)',
    });
  }
  return error;
}

function expiry(now: Date): string {
  return new Date(now.getTime() + LIFETIME_MS).toISOString();
}

function hashOf(clientState: string): string {
  return createHash('sha256').update(`entra-client-state\u0000${clientState}`, 'utf8').digest('hex');
}
