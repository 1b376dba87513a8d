/**
 * The local stack's lines for people: one per provisioning outcome (who, what, why), a staged
 * deprovision with the command that releases it; invocation bookkeeping left to the log file.
 */
import { describeLogLine } from '../../../infra/local/outcomeLines';

const line = (fields: object) => JSON.stringify({ time: '2026-01-01T00:00:00.000Z', level: 'info', msg: 'provisioning', function: 'push', runId: 'r1', ...fields });
const person = { source: 'file', externalId: 'file:e1001', userName: 'alice.wang' };

describe('describeLogLine', () => {
  it.each([
    ['a create', { ...person, action: 'create', status: 'succeeded', reason: 'new at the source' }, 'created  alice.wang (file:e1001): new at the source'],
    ['a planned update', { ...person, action: 'update', status: 'planned', reason: 'displayName changed' }, 'would update alice.wang (file:e1001): displayName changed'],
    ['a failure with its fix', { ...person, action: 'delete', status: 'failed', reason: 'the user has AccessKeys', recommendedAction: 'delete them, then re-run' },
      'failed   delete alice.wang (file:e1001): the user has AccessKeys → delete them, then re-run'],
    ['a group', { groupName: 'eng', action: 'group-create', status: 'succeeded', reason: 'a group rule maps to it' }, 'created  group eng: a group rule maps to it'],
  ])('%s', (_name, fields, expected) => {
    expect(describeLogLine(line(fields))).toBe(expected);
  });

  it('names the command that releases a staged deprovision', () => {
    const staged = line({ ...person, action: 'delete', status: 'staged', reason: 'gone from the source; staged by the deletion safeguard: 3 > 2 in 24 h' });
    expect(describeLogLine(staged)).toBe('staged   delete alice.wang (file:e1001): gone from the source; staged by the deletion safeguard: 3 > 2 in 24 h; ' +
      'release with: npm run sync -- --release file:e1001');
  });

  it('keeps warnings and errors, leaves invocation bookkeeping and cold-start lines to the log file', () => {
    expect(describeLogLine(line({ msg: 'invocation start' }))).toBeUndefined();
    expect(describeLogLine(JSON.stringify({ level: 'error', msg: 'invalid configuration' }))).toBeUndefined();
    expect(describeLogLine(line({ level: 'error', msg: 'invocation failed', reason: 'RAM throttled the call' }))).toBe('error    push: invocation failed: RAM throttled the call');
    expect(describeLogLine('plain text')).toBe('plain text');
  });
});
