import { type DcState, nextWatermark, planPoll, scopeKey, type UsnWatermark } from '../../../../functions/lib/sources/ad/watermark';

const scope = scopeKey('OU=Staff,DC=example,DC=test', '(objectClass=user)', '(objectClass=group)');
const dc: DcState = { dnsHostName: 'dc1.example.test', invocationId: '3742b753-b1c1-495f-9dd5-2925707eabd5', highestCommittedUsn: 5000n, tombstoneLifetimeDays: 180 };
const taken = new Date('2026-11-01T00:00:00Z');
const saved = (changes: Partial<UsnWatermark> = {}): UsnWatermark => ({ ...nextWatermark({ ...dc, highestCommittedUsn: 4200n }, scope, taken), ...changes });
const later = new Date('2026-11-01T00:05:00Z');

describe('planPoll', () => {
  it('polls from just above the stored USN up to the highest committed USN', () => {
    expect(planPoll(saved(), dc, scope, later)).toEqual({ mode: 'incremental', fromUsn: 4201n, toUsn: 5000n });
  });

  it('polls an empty range when nothing was committed since', () => {
    expect(planPoll(saved({ usn: '5000' }), dc, scope, later)).toEqual({ mode: 'incremental', fromUsn: 5001n, toUsn: 5000n });
  });

  it('resyncs fully on the first poll', () => {
    expect(planPoll(undefined, dc, scope, later)).toEqual({ mode: 'full', reason: 'first-poll', toUsn: 5000n });
  });

  it('resyncs fully when another DC answers (USNs are per DC)', () => {
    expect(planPoll(saved({ dnsHostName: 'dc2.example.test' }), dc, scope, later)).toMatchObject({ mode: 'full', reason: 'dc-changed' });
  });

  it('treats host names case-insensitively', () => {
    expect(planPoll(saved({ dnsHostName: 'DC1.EXAMPLE.TEST' }), dc, scope, later).mode).toBe('incremental');
  });

  it('resyncs fully when the DC was restored (new invocationId)', () => {
    expect(planPoll(saved({ invocationId: '00000000-0000-0000-0000-000000000001' }), dc, scope, later)).toMatchObject({ mode: 'full', reason: 'dc-restored' });
  });

  it('resyncs fully when the base DN or a filter changed', () => {
    const other = scopeKey('OU=Staff,DC=example,DC=test', '(objectClass=person)', '(objectClass=group)');
    expect(planPoll(saved(), dc, other, later)).toMatchObject({ mode: 'full', reason: 'scope-changed' });
  });

  it('resyncs fully when the last poll is older than the tombstone lifetime (deletions may be lost)', () => {
    const justInside = new Date(taken.getTime() + 180 * 86_400_000);
    expect(planPoll(saved(), dc, scope, justInside).mode).toBe('incremental');
    expect(planPoll(saved(), dc, scope, new Date(justInside.getTime() + 1))).toMatchObject({ mode: 'full', reason: 'watermark-too-old' });
  });

  it('resyncs fully when the DC reports a lower USN than stored', () => {
    expect(planPoll(saved({ usn: '6000' }), dc, scope, later)).toMatchObject({ mode: 'full', reason: 'usn-went-back' });
  });

  it('resyncs fully when the stored record is unreadable', () => {
    for (const bad of [{ usn: '-1' }, { usn: '12abc' }, { savedAt: 'yesterday' }, { v: 2 as unknown as 1 }]) {
      expect(planPoll(saved(bad), dc, scope, later)).toMatchObject({ mode: 'full', reason: 'watermark-unreadable' });
    }
  });

  it('keeps 64-bit USNs exact', () => {
    const big = { ...dc, highestCommittedUsn: 2n ** 63n - 1n };
    const plan = planPoll(saved({ usn: (2n ** 63n - 10n).toString() }), big, scope, later);
    expect(plan).toEqual({ mode: 'incremental', fromUsn: 2n ** 63n - 9n, toUsn: 2n ** 63n - 1n });
    expect(nextWatermark(big, scope, later).usn).toBe('9223372036854775807');
  });
});
