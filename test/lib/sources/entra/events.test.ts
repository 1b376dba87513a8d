import { MAX_NOTIFICATIONS, clientStateDigest, readNotifications } from '../../../../functions/lib/sources/entra/events';

const TENANT = '8f3e1a52-6b1c-4d2e-9a7f-0c1d2e3f4a5b';
const SECRET = 'events-client-state';
const USER = '0b7c4e1d-2f3a-4b5c-8d6e-7f8091a2b3c4';
const GROUP = '2d9e6a3f-4b5c-4d7e-8f90-91a2b3c4d5e6';
const rules = { tenantId: TENANT, clientStateDigest: clientStateDigest(SECRET), groupDepartments: true };
/** The user sample of Graph's Entra events page (idp.md §1.5), with our secret and tenant. */
const sample = (over: Record<string, unknown> = {}) => ({
  subscriptionId: '5c1e9a7d-0b2c-4d3e-8f40-516273849506', subscriptionExpirationDateTime: '2026-12-31T00:00:00Z', changeType: 'updated',
  resource: `Users/${USER}`, clientState: SECRET, tenantId: TENANT,
  resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${USER}`, id: USER, organizationId: TENANT },
  ...over,
});

describe('reading a Graph change-notification collection', () => {
  it('names the user of Graph\'s published sample by its object id', () => {
    expect(readNotifications({ value: [sample()] }, rules)).toEqual({
      kind: 'collection', changes: [{ source: 'entra', kind: 'user', sourceId: USER, reason: 'graph-updated' }],
      lifecycle: [], refused: 0, skipped: 0, items: 1,
    });
  });

  it('takes the id from the resource path when resourceData is absent, and refuses a resourceData naming another object', () => {
    const { resourceData: _r, ...bare } = sample();
    expect(readNotifications({ value: [bare] }, rules)).toMatchObject({ changes: [{ sourceId: USER }], skipped: 0 });
    expect(readNotifications({ value: [sample({ resourceData: { id: GROUP } })] }, rules)).toMatchObject({ changes: [], skipped: 1 });
  });

  it('names a group as a department change only when departments come from groups', () => {
    const group = sample({ resource: `Groups/${GROUP}`, resourceData: { id: GROUP } });
    expect(readNotifications({ value: [group] }, rules)).toMatchObject({ changes: [{ kind: 'group', sourceId: GROUP, reason: 'graph-updated' }] });
    expect(readNotifications({ value: [group] }, { ...rules, groupDepartments: false })).toMatchObject({ changes: [], skipped: 1 });
  });

  it('counts items that fail authentication as refused and reads none of them', () => {
    const read = readNotifications({ value: [sample({ clientState: 'nope' }), sample({ tenantId: GROUP }), 'text', null, sample({ clientState: undefined })] }, rules);
    expect(read).toMatchObject({ changes: [], refused: 5, skipped: 0, items: 5 });
  });

  it('reads lifecycle events apart from changes', () => {
    const event = { subscriptionId: USER, lifecycleEvent: 'reauthorizationRequired', clientState: SECRET, tenantId: TENANT };
    expect(readNotifications({ value: [event, sample()] }, rules)).toMatchObject({
      lifecycle: [{ event: 'reauthorizationRequired', subscriptionId: USER }], changes: [{ sourceId: USER }],
    });
  });

  it('says what is no collection, and reads nothing of one over MAX_NOTIFICATIONS items', () => {
    expect(readNotifications([sample()], rules)).toEqual({ kind: 'unknown', why: 'the body is not a JSON object' });
    expect(readNotifications({ values: [] }, rules)).toEqual({ kind: 'unknown', why: 'the body has no "value" array' });
    expect(readNotifications({ value: Array(MAX_NOTIFICATIONS + 1).fill(sample()) }, rules)).toEqual({ kind: 'too-many', items: MAX_NOTIFICATIONS + 1 });
  });
});
