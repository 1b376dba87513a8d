import { WecomEventError } from '../../../../functions/lib/sources/wecom/errors';
import { changesFromEvent } from '../../../../functions/lib/sources/wecom/events';
import { parseWecomXml } from '../../../../functions/lib/sources/wecom/xml';
import { OFFICIAL, contactEvent } from './oracle';

const outcome = (fields: Record<string, string>, cdata = true) => changesFromEvent(parseWecomXml(contactEvent(fields, { cdata })));
const user = (sourceId: string, reason: string, hint?: Record<string, string>) =>
  ({ source: 'wecom', kind: 'user', sourceId, reason, ...(hint && { hint }) });

describe('changesFromEvent (change_contact → changes)', () => {
  it.each([true, false])('names the member of create_user, update_user and delete_user (CDATA: %s)', (cdata) => {
    for (const changeType of ['create_user', 'update_user', 'delete_user']) {
      expect(outcome({ ChangeType: changeType, UserID: 'zhangsan', Department: '1,2' }, cdata))
        .toEqual({ kind: 'changes', changeType, changes: [user('zhangsan', changeType)] });
    }
  });

  it('names the new userid of a rename and hints the previous one', () => {
    expect(outcome({ ChangeType: 'update_user', UserID: 'zhangsan', NewUserID: 'zhang.san' })).toEqual({
      kind: 'changes', changeType: 'update_user', changes: [user('zhang.san', 'update_user', { previousSourceId: 'zhangsan' })],
    });
    // A NewUserID equal to the UserID is no rename.
    expect(outcome({ ChangeType: 'update_user', UserID: 'a1', NewUserID: 'a1' })).toMatchObject({ changes: [user('a1', 'update_user')] });
  });

  it('keeps Status 2 (disabled) and 5 (exited) as a hint for the logs; push reads the real status', () => {
    expect(outcome({ ChangeType: 'update_user', UserID: 'u1', Status: '2' })).toMatchObject({ changes: [user('u1', 'update_user', { wecomStatus: '2' })] });
    expect(outcome({ ChangeType: 'update_user', UserID: 'u1', Status: '5' })).toMatchObject({ changes: [user('u1', 'update_user', { wecomStatus: '5' })] });
    expect(outcome({ ChangeType: 'update_user', UserID: 'u1', Status: '1' })).toMatchObject({ changes: [user('u1', 'update_user')] });
  });

  it('names the department of create_party, update_party and delete_party', () => {
    for (const changeType of ['create_party', 'update_party', 'delete_party']) {
      expect(outcome({ ChangeType: changeType, Id: '42', Name: 'R&amp;D', ParentId: '1' }))
        .toEqual({ kind: 'changes', changeType, changes: [{ source: 'wecom', kind: 'group', sourceId: '42', reason: changeType }] });
    }
  });

  it('acknowledges update_tag, unknown change types, other events and plain messages without changes', () => {
    expect(outcome({ ChangeType: 'update_tag', TagId: '1', AddUserItems: 'a,b' })).toEqual({ kind: 'ignored', what: 'change_contact update_tag' });
    expect(outcome({ ChangeType: 'merge_universe' })).toEqual({ kind: 'ignored', what: 'change_contact merge_universe' });
    expect(changesFromEvent(parseWecomXml('<xml><MsgType>event</MsgType><Event>enter_agent</Event></xml>'))).toEqual({ kind: 'ignored', what: 'event enter_agent' });
    expect(changesFromEvent(parseWecomXml(OFFICIAL.post.plaintext))).toEqual({ kind: 'ignored', what: 'message text' });
  });

  it('reads the third-party form, which says InfoType instead of Event', () => {
    const xml = '<xml><SuiteId>ww1</SuiteId><AuthCorpId>ww2</AuthCorpId><InfoType>change_contact</InfoType><ChangeType>delete_user</ChangeType><UserID>u9</UserID></xml>';
    expect(changesFromEvent(parseWecomXml(xml))).toMatchObject({ changes: [user('u9', 'delete_user')] });
  });

  it('refuses a change without its id, or with an id WeCom cannot have', () => {
    const bad: Record<string, string>[] = [
      { ChangeType: 'create_user' },
      { ChangeType: 'update_user', UserID: 'has space' },
      { ChangeType: 'update_user', UserID: 'ok', NewUserID: 'ﬁ<script>' },
      { ChangeType: 'delete_party', Id: 'abc' },
      { ChangeType: 'create_user', UserID: 'x'.repeat(129) },
    ];
    for (const fields of bad) expect(() => outcome(fields)).toThrow(WecomEventError);
    expect(() => changesFromEvent(parseWecomXml('<xml><Event>change_contact</Event></xml>'))).toThrow('without <ChangeType>');
  });

  it('never repeats an unrecognised name in what it logs', () => {
    expect(outcome({ ChangeType: 'x@example.com' })).toEqual({ kind: 'ignored', what: 'change_contact (unrecognised name)' });
  });
});
