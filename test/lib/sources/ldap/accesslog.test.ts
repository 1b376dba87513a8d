import { advance, type AccesslogRecord, secondsBefore } from '../../../../functions/lib/sources/ldap/accesslog';

const record = (reqStart: string, id = `id-${reqStart}`): AccesslogRecord => ({ reqStart, id, operation: 'delete', reqDN: 'uid=x,ou=People,dc=example,dc=test', entryUuid: 'u' });

describe('the accesslog position', () => {
  it('starts each read a margin before the position (generalizedTime arithmetic across a day)', () => {
    expect(secondsBefore('20261206000030.000004Z', 60)).toBe('20261205235930.000000Z');
  });

  it('moves to the newest record read and remembers what it handled within the margin before it', () => {
    const previous = { reqStart: '20261206100000.000001Z', id: 'a', recent: ['20261206095000.000001Z', '20261206095930.000002Z'] };
    const next = advance(previous, [record('20261206100010.000001Z'), record('20261206100020.000003Z', 'b')]);
    expect(next).toEqual({
      reqStart: '20261206100020.000003Z', id: 'b',
      // The record at 09:50 is older than the margin: the next read does not reach it.
      recent: ['20261206095930.000002Z', '20261206100000.000001Z', '20261206100010.000001Z'],
    });
  });

  it('a record logged late (behind the position) is remembered, so the next read skips it', () => {
    const previous = { reqStart: '20261206100000.000009Z', id: 'a', recent: [] };
    expect(advance(previous, [record('20261206095959.000001Z')])).toEqual({ reqStart: '20261206100000.000009Z', id: 'a', recent: ['20261206095959.000001Z'] });
    expect(advance(previous, [])).toEqual(previous);
  });
});
