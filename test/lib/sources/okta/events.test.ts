/**
 * Which change each Okta event names. Events are built as the Okta SDK's `LogEvent` and written by
 * its `ObjectSerializer`; the SDK then reads them back as the oracle for which targets are Users
 * and which UserGroups, so our reading of the wire format is checked against Okta's own model.
 */
import type { LogEvent } from '@okta/okta-sdk-nodejs';
import { HttpError } from '../../../../functions/lib/core/http';
import {
  OKTA_GROUP_EVENTS, OKTA_HOOK_EVENT_TYPES, OKTA_MEMBERSHIP_EVENTS, OKTA_USER_EVENTS, readDelivery, readEvent,
} from '../../../../functions/lib/sources/okta/events';
import {
  type OutcomeResult, OktaObjectSerializer, delivery, groupTarget, logEvent, oktaId, userTarget,
} from '../../../support/oktaEventHooks';

const alice = userTarget(oktaId('00u', 11));
const bob = userTarget(oktaId('00u', 12));
const sales = groupTarget(oktaId('00g', 21));

describe('readEvent: an Okta event → the changes it names', () => {
  it.each(OKTA_USER_EVENTS)('%s → a user change for the target User', (type) => {
    expect(readEvent(logEvent(type, [alice]), 'groups').changes).toEqual([{ source: 'okta', kind: 'user', sourceId: alice.id, reason: type }]);
  });

  it.each(OKTA_MEMBERSHIP_EVENTS)('%s → a user change for the member, not a department change (re-reading them reads their groups)', (type) => {
    for (const mode of ['groups', 'attribute', 'both'] as const) {
      expect(readEvent(logEvent(type, [alice, sales]), mode).changes).toEqual([{ source: 'okta', kind: 'user', sourceId: alice.id, reason: type }]);
    }
  });

  it.each(OKTA_GROUP_EVENTS)('%s → a department change for the UserGroup when departments come from groups', (type) => {
    for (const mode of ['groups', 'both'] as const) {
      expect(readEvent(logEvent(type, [sales]), mode).changes).toEqual([{ source: 'okta', kind: 'group', sourceId: sales.id, reason: type }]);
    }
    expect(readEvent(logEvent(type, [sales]), 'attribute')).toMatchObject({ changes: [], skipped: expect.stringContaining('OKTA_DEPARTMENTS=attribute') });
  });

  it('subscribes to exactly the hook-eligible types reference/idp.md §2.5 lists for sync (no delete.completed: not eligible)', () => {
    expect([...OKTA_HOOK_EVENT_TYPES].sort()).toEqual([
      'group.lifecycle.create', 'group.lifecycle.delete', 'group.profile.update', 'group.user_membership.add', 'group.user_membership.remove',
      'user.account.lock', 'user.account.unlock', 'user.account.update_profile',
      'user.lifecycle.activate', 'user.lifecycle.create', 'user.lifecycle.deactivate', 'user.lifecycle.delete.initiated',
      'user.lifecycle.reactivate', 'user.lifecycle.suspend', 'user.lifecycle.unsuspend',
    ]);
  });

  // Every outcome the SDK's LogOutcomeResultEnum knows, but SUCCESS: the action did not happen.
  const NOT_SUCCESS: OutcomeResult[] = ['FAILURE', 'SKIPPED', 'ALLOW', 'DENY', 'CHALLENGE', 'UNKNOWN', 'RATE_LIMIT', 'DEFERRED', 'SCHEDULED', 'ABANDONED', 'UNANSWERED'];
  it.each(NOT_SUCCESS)('ignores an event whose outcome is %s', (result) => {
    expect(readEvent(logEvent('user.lifecycle.deactivate', [alice], { result }), 'groups')).toMatchObject({ changes: [], skipped: `outcome ${result}` });
  });

  it('ignores event types we do not sync, events without targets of the right type, and malformed target ids', () => {
    expect(readEvent(logEvent('user.session.start', [alice]), 'groups')).toMatchObject({ changes: [], skipped: 'not an event type we sync' });
    expect(readEvent(logEvent('user.lifecycle.delete.completed', [alice]), 'groups').changes).toEqual([]);
    expect(readEvent(logEvent('user.lifecycle.create', [sales]), 'groups')).toMatchObject({ changes: [], skipped: 'the event names no User target' });
    expect(readEvent(logEvent('group.lifecycle.create', [alice]), 'groups')).toMatchObject({ changes: [], skipped: 'the event names no UserGroup target' });
    expect(readEvent(logEvent('user.lifecycle.create', [{ id: '../users/x', type: 'User' }, { id: 'a'.repeat(65), type: 'User' }]), 'groups').changes).toEqual([]);
    const { outcome: _o, ...noOutcome } = logEvent('user.lifecycle.create', [alice]);
    expect(readEvent(noOutcome, 'groups')).toMatchObject({ changes: [], skipped: 'outcome missing' });
    expect(readEvent({ uuid: 'u' }, 'groups')).toMatchObject({ changes: [], skipped: 'the event carries no eventType' });
  });

  it('names each User target once: the actor is not a target', () => {
    const event = logEvent('user.lifecycle.create', [alice, bob, alice], { actorId: oktaId('00u', 99) });
    expect(readEvent(event, 'groups').changes.map((c) => c.sourceId)).toEqual([alice.id, bob.id]);
  });

  it('agrees with the Okta SDK\'s LogEvent model on the event type, uuid and which targets are Users and UserGroups', () => {
    const events = [
      logEvent('group.user_membership.remove', [bob, sales]),
      logEvent('user.lifecycle.reactivate', [alice]),
      logEvent('group.lifecycle.delete', [sales, groupTarget(oktaId('00g', 22))]),
    ];
    for (const json of events) {
      const sdk = OktaObjectSerializer.deserialize(json, 'LogEvent', '') as LogEvent;
      const ours = readEvent(json, 'groups');
      expect(ours.eventType).toBe(sdk.eventType);
      expect(ours.uuid).toBe(sdk.uuid);
      const wanted = sdk.eventType!.startsWith('group.lifecycle') ? 'UserGroup' : 'User';
      expect(ours.changes.map((c) => c.sourceId)).toEqual(sdk.target!.filter((t) => t.type === wanted).map((t) => t.id));
    }
  });
});

describe('readDelivery: the envelope', () => {
  it('reads every event, drops repeats of a uuid inside the delivery, and keeps the eventId', () => {
    const first = logEvent('user.lifecycle.create', [alice]);
    const read = readDelivery(delivery([first, logEvent('user.lifecycle.activate', [alice]), first], { eventId: 'ev-1' }), 'groups');
    expect(read.eventId).toBe('ev-1');
    expect(read.repeated).toBe(1);
    expect(read.events.map((e) => e.eventType)).toEqual(['user.lifecycle.create', 'user.lifecycle.activate']);
  });

  it('reads the documentation\'s sample delivery (a user.session.start: nothing to sync)', () => {
    const sample = {
      eventType: 'com.okta.event_hook', eventTypeVersion: '1.0', cloudEventsVersion: '0.1', contentType: 'application/json',
      eventId: 'b5a188b9-5ece-4636-b041-482ffda96311', eventTime: '2019-03-27T16:59:53.032Z',
      source: 'https://{yourOktaDomain}/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3',
      data: { events: [{
        version: '0', severity: 'INFO', actor: { id: '00u1qw6mqitPHM8AJ0g7', type: 'User', alternateId: 'admin@example.com', displayName: 'Example Admin' },
        outcome: { result: 'SUCCESS' }, uuid: 'f790999f-fe87-467a-9880-6982a583986c', published: '2018-03-28T22:23:07.777Z',
        eventType: 'user.session.start', displayMessage: 'User login to Okta', legacyEventType: 'core.user_auth.login_success',
      }] },
    };
    expect(readDelivery(sample, 'groups')).toEqual({
      eventId: 'b5a188b9-5ece-4636-b041-482ffda96311', repeated: 0,
      events: [{ uuid: 'f790999f-fe87-467a-9880-6982a583986c', eventType: 'user.session.start', changes: [], skipped: 'not an event type we sync' }],
    });
  });

  it.each([
    ['not an object', [1]],
    ['another hook type', { eventType: 'com.okta.import.transform', data: { events: [] } }],
    ['no data', { eventType: 'com.okta.event_hook' }],
    ['events not an array', { eventType: 'com.okta.event_hook', data: { events: 'x' } }],
    ['an event that is not an object', { eventType: 'com.okta.event_hook', data: { events: [null] } }],
  ])('refuses a body that is %s (400 malformed)', (_what, body) => {
    let thrown: unknown;
    try { readDelivery(body, 'groups'); } catch (error) { thrown = error; }
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ status: 400, code: 'malformed' });
  });
});
