import { DingtalkEventError } from '../../../../functions/lib/sources/dingtalk/errors';
import { readDingtalkEvent } from '../../../../functions/lib/sources/dingtalk/events';

describe('readDingtalkEvent', () => {
  it('recognises the URL check', () => {
    expect(readDingtalkEvent('{"EventType":"check_url"}')).toEqual({ type: 'check_url' });
  });

  it('names the users of a classic-shape user event', () => {
    const event = readDingtalkEvent(JSON.stringify({
      EventType: 'user_add_org', TimeStamp: '1640921671286', UserId: ['184919295227658120', 'manager164'],
      OptStaffId: 'manager164', CorpId: 'dingc7c5220402493357f2c783f7214b6d69',
    }));
    expect(event).toEqual({
      type: 'contact', eventType: 'user_add_org',
      changes: [
        { source: 'dingtalk', kind: 'user', sourceId: '184919295227658120', reason: 'user_add_org' },
        { source: 'dingtalk', kind: 'user', sourceId: 'manager164', reason: 'user_add_org' },
      ],
    });
  });

  it('names the users of a new-shape event, with its eventId as a hint', () => {
    const event = readDingtalkEvent(JSON.stringify({
      EventType: 'user_leave_org', EventTime: 1663143335567, CorpId: 'ding1', BizId: '1663135567', eventId: 'c7c7e1',
      timeStamp: '1685501863357', userId: ['015xxxx227'],
    }));
    expect(event).toEqual({
      type: 'contact', eventType: 'user_leave_org',
      changes: [{ source: 'dingtalk', kind: 'user', sourceId: '015xxxx227', reason: 'user_leave_org', hint: { eventId: 'c7c7e1' } }],
    });
  });

  it.each(['user_modify_org', 'user_active_org'])('treats %s as a user change', (eventType) => {
    expect(readDingtalkEvent(JSON.stringify({ EventType: eventType, UserId: ['u1'] }))).toMatchObject({ changes: [{ kind: 'user', sourceId: 'u1' }] });
  });

  it.each([
    ['org_dept_create', { DeptId: ['432825033'] }],
    ['org_dept_modify', { DeptId: [432825033] }],
    ['org_dept_remove', { deptId: [432825033, '432825033'] }],
  ])('names the department of %s, ids as strings or numbers, once', (eventType, ids) => {
    expect(readDingtalkEvent(JSON.stringify({ EventType: eventType, TimeStamp: 1608021552827, ...ids }))).toEqual({
      type: 'contact', eventType,
      changes: [{ source: 'dingtalk', kind: 'group', sourceId: '432825033', reason: eventType }],
    });
  });

  it('returns other event types as ignored', () => {
    expect(readDingtalkEvent('{"EventType":"label_user_change","UserId":["u1"]}')).toEqual({ type: 'ignored', eventType: 'label_user_change' });
    expect(readDingtalkEvent('{"EventType":"toString"}')).toEqual({ type: 'ignored', eventType: 'toString' });
  });

  it('reads a contact event without ids as naming nobody', () => {
    expect(readDingtalkEvent('{"EventType":"user_add_org"}')).toEqual({ type: 'contact', eventType: 'user_add_org', changes: [] });
  });

  it.each([
    ['not JSON', 'success'],
    ['a JSON array', '[{"EventType":"check_url"}]'],
    ['without EventType', '{"UserId":["u1"]}'],
    ['with a non-string EventType', '{"EventType":7}'],
    ['with an object as an id', '{"EventType":"user_add_org","UserId":[{"id":"u1"}]}'],
    ['with an empty id', '{"EventType":"user_add_org","UserId":[""]}'],
    ['with an id too long to be one', JSON.stringify({ EventType: 'user_add_org', UserId: ['x'.repeat(129)] })],
    ['with an id containing spaces inside', '{"EventType":"user_add_org","UserId":["a b"]}'],
    ['with a number id beyond 2^53', '{"EventType":"org_dept_create","DeptId":[123456789012345678901]}'],
    ['with a negative number id', '{"EventType":"org_dept_create","DeptId":[-1]}'],
  ])('refuses a plaintext %s', (_, plaintext) => {
    expect(() => readDingtalkEvent(plaintext)).toThrow(DingtalkEventError);
  });
});
