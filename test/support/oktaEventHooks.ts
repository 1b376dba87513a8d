/**
 * Okta Event Hook requests as Okta sends them (reference/idp.md §2.5; okta-developer-docs
 * concepts/event-hooks): the one-time verification GET with `X-Okta-Verification-Challenge`, and
 * deliveries POSTed as `{eventType: 'com.okta.event_hook', eventId, eventTime, data: {events}}`,
 * each event a System Log `LogEvent`. Both carry the hook's Authentication field and secret
 * (`channel.config.authScheme`, sent verbatim) and any custom headers (`channel.config.headers`).
 *
 * Events are built as the Okta SDK's own `LogEvent` model and written with its `ObjectSerializer`,
 * so their field names are the API's, not ours.
 */
import { randomUUID } from 'node:crypto';
import { EventHook, LogActor, LogEvent, LogOutcome, LogTarget } from '@okta/okta-sdk-nodejs';

interface Serializer {
  serialize(data: unknown, type: string, format: string): unknown;
  deserialize(data: unknown, type: string, format: string): unknown;
}
// The SDK's (de)serializer is not re-exported from its index; its types live under src/types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const OktaObjectSerializer = (require('@okta/okta-sdk-nodejs/src/generated/models/ObjectSerializer') as { ObjectSerializer: Serializer }).ObjectSerializer;

export const ORG_URL = 'https://acme.okta.com';

/** What the hook is configured with in Okta: the Authentication field and secret, and custom headers. */
export interface HookAuth {
  /** The Authentication field, e.g. `Authorization`. */
  key: string;
  /** The Authentication secret, sent verbatim. */
  value: string;
  /** Custom headers (Admin Console: Custom headers). */
  headers?: Record<string, string>;
}

export interface OktaHttpRequest {
  method: 'GET' | 'POST';
  /** Lower-case keys, as FC hands them over. */
  headers: Record<string, string>;
  body: string;
  rawBody: Buffer;
}

/** The hook as the Event Hooks API describes it (`POST /api/v1/eventHooks`), through the SDK's model. */
export function eventHook(auth: HookAuth, uri = 'https://hooks.example.test/okta', events: readonly string[] = []): EventHook {
  return OktaObjectSerializer.deserialize({
    name: 'ram-scim-sync', events: { type: 'EVENT_TYPE', items: [...events] },
    channel: {
      type: 'HTTP', version: '1.0.0',
      config: {
        uri, authScheme: { type: 'HEADER', key: auth.key, value: auth.value },
        headers: Object.entries(auth.headers ?? {}).map(([key, value]) => ({ key, value })),
      },
    },
  }, 'EventHook', '') as EventHook;
}

/** The headers Okta sends for `hook`: its JSON headers, the auth header and the custom ones. */
export function hookHeaders(hook: EventHook): Record<string, string> {
  const config = hook.channel.config;
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  for (const h of config.headers ?? []) if (h.key && h.value !== undefined) headers[h.key.toLowerCase()] = h.value;
  if (config.authScheme?.key && config.authScheme.value !== undefined) headers[config.authScheme.key.toLowerCase()] = config.authScheme.value;
  return headers;
}

/** The one-time verification request (the only GET Okta sends). */
export function verificationRequest(auth: HookAuth | undefined, challenge = `vc-${randomUUID()}`): OktaHttpRequest & { challenge: string } {
  const headers = auth ? hookHeaders(eventHook(auth)) : { accept: 'application/json', 'content-type': 'application/json' };
  headers['x-okta-verification-challenge'] = challenge;
  return { method: 'GET', headers, body: '', rawBody: Buffer.alloc(0), challenge };
}

export interface DeliveryOptions {
  eventId?: string;
  eventTime?: string;
  /** Indent the JSON. */
  indent?: number;
}

/** A delivery envelope for `events` (plain JSON, as Okta sends it). */
export function delivery(events: readonly object[], options: DeliveryOptions = {}): Record<string, unknown> {
  return {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    contentType: 'application/json',
    eventId: options.eventId ?? randomUUID(),
    eventTime: options.eventTime ?? new Date().toISOString(),
    source: `${ORG_URL}/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3`,
    data: { events },
  };
}

/** What Okta POSTs: `payload` (a delivery, or anything for refusal tests) with the hook's headers. */
export function deliveryRequest(payload: unknown, auth: HookAuth | undefined, options: Pick<DeliveryOptions, 'indent'> = {}): OktaHttpRequest {
  const body = JSON.stringify(payload, null, options.indent) ?? '';
  const headers = auth ? hookHeaders(eventHook(auth)) : { accept: 'application/json', 'content-type': 'application/json' };
  return { method: 'POST', headers, body, rawBody: Buffer.from(body) };
}

export interface TargetSpec {
  id: string;
  type: 'User' | 'UserGroup' | string;
  /** Personal data in real events (a login, a name); the webhook must never log it. */
  alternateId?: string;
  displayName?: string;
}

export const userTarget = (id: string, login = `${id.toLowerCase()}@example.com`, name = `Person ${id}`): TargetSpec =>
  ({ id, type: 'User', alternateId: login, displayName: name });
export const groupTarget = (id: string, name = `Group ${id}`): TargetSpec => ({ id, type: 'UserGroup', alternateId: 'unknown', displayName: name });

export type OutcomeResult = NonNullable<LogOutcome['result']>;

export interface EventOptions {
  uuid?: string;
  published?: Date;
  /** The SDK's `LogOutcomeResultEnum`; default SUCCESS. */
  result?: OutcomeResult;
  actorId?: string;
}

/** One System Log event as the SDK's `LogEvent`, serialized to the API's JSON. */
export function logEvent(eventType: string, targets: readonly TargetSpec[], options: EventOptions = {}): Record<string, unknown> {
  const event = new LogEvent();
  event.uuid = options.uuid ?? randomUUID();
  event.published = options.published ?? new Date();
  event.eventType = eventType;
  event.version = '0';
  event.severity = 'INFO';
  event.displayMessage = eventType;
  const actor = new LogActor();
  Object.assign(actor, { id: options.actorId ?? '00u1qw6mqitPHM8AJ0g7', type: 'User', alternateId: 'admin@example.com', displayName: 'Example Admin' });
  event.actor = actor;
  const outcome = new LogOutcome();
  outcome.result = options.result ?? 'SUCCESS';
  event.outcome = outcome;
  event.target = targets.map((t) => Object.assign(new LogTarget(), t));
  return OktaObjectSerializer.serialize(event, 'LogEvent', '') as Record<string, unknown>;
}

/** An Okta-looking id: `00u` (user) or `00g` (group) and 17 more characters. */
export function oktaId(prefix: '00u' | '00g', n: number): string {
  return `${prefix}${String(n).padStart(17, '0')}`.slice(0, 20);
}
