import fc from 'fast-check';
import { CHANGE_KIND, SOURCE_NAMES, type Change, type ChangeBatch } from '../../../functions/lib/core/model';
import {
  DEFAULT_MAX_BATCH_BYTES, FC_ASYNC_PAYLOAD_LIMIT, changeKey, dedupeChanges, toBatches, type OversizedHint,
} from '../../../functions/lib/queue/batches';
import { ChangeTooLargeError } from '../../../functions/lib/queue/errors';

const bytes = (b: ChangeBatch) => Buffer.byteLength(JSON.stringify(b), 'utf8');
const user = (sourceId: string, extra: Partial<Change> = {}): Change =>
  ({ source: 'dingtalk', kind: 'user', sourceId, reason: 'user_modify_org', ...extra });

describe('dedupeChanges', () => {
  it('keeps the last of changes naming the same entity, at its position', () => {
    const changes: Change[] = [
      user('a', { reason: 'first' }),
      user('b'),
      user('a', { reason: 'second', hint: { oldId: 'x' } }),
      { source: 'dingtalk', kind: 'group', sourceId: 'a', reason: 'org_dept_modify' },
      { source: 'lark', kind: 'user', sourceId: 'a', reason: 'contact.user.updated_v3' },
    ];
    expect(dedupeChanges(changes)).toEqual([
      user('b'),
      user('a', { reason: 'second', hint: { oldId: 'x' } }),
      { source: 'dingtalk', kind: 'group', sourceId: 'a', reason: 'org_dept_modify' },
      { source: 'lark', kind: 'user', sourceId: 'a', reason: 'contact.user.updated_v3' },
    ]);
  });
});

describe('toBatches', () => {
  it('wraps changes in a v1 message with a UUID id and the emission time', () => {
    const [batch, ...rest] = toBatches([user('1')], { now: () => new Date('2025-01-02T03:04:05.000Z') });
    expect(rest).toEqual([]);
    expect(batch).toEqual({ v: 1, id: expect.stringMatching(/^[0-9a-f-]{36}$/), emittedAt: '2025-01-02T03:04:05.000Z', changes: [user('1')] });
  });

  it('gives each batch its own random id', () => {
    const many = Array.from({ length: 3000 }, (_, i) => user(`user-${i}`, { hint: { note: 'x'.repeat(100) } }));
    const ids = toBatches(many).map((b) => b.id);
    expect(ids.length).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers no batch for no changes', () => {
    expect(toBatches([])).toEqual([]);
  });

  it('splits many small changes under the default limit, which leaves margin under FC\'s 128 KiB', () => {
    const many = Array.from({ length: 5000 }, (_, i) => user(`0${i}`.padStart(12, '0'), { hint: { dept: '研发部'.repeat(5) } }));
    const batches = toBatches(many);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(bytes(b)).toBeLessThanOrEqual(DEFAULT_MAX_BATCH_BYTES);
    expect(DEFAULT_MAX_BATCH_BYTES).toBeLessThan(FC_ASYNC_PAYLOAD_LIMIT);
    expect(batches.flatMap((b) => b.changes)).toEqual(many);
    // Full batches are filled close to the limit, not split early.
    for (const b of batches.slice(0, -1)) expect(bytes(b)).toBeGreaterThan(DEFAULT_MAX_BATCH_BYTES - 300);
  });

  it('fills a batch exactly up to the limit, counting UTF-8 bytes', () => {
    const probe = toBatches([user('a'), user('b')], { newId: () => 'id' })[0]!;
    const limit = bytes(probe);
    expect(toBatches([user('a'), user('b')], { maxBytes: limit, newId: () => 'id' })).toHaveLength(1);
    expect(toBatches([user('a'), user('b')], { maxBytes: limit - 1, newId: () => 'id' })).toHaveLength(2);
    const wide = user('é'); // 2 bytes in UTF-8
    const wideLimit = bytes(toBatches([wide], { newId: () => 'id' })[0]!);
    expect(toBatches([wide], { maxBytes: wideLimit, newId: () => 'id' })).toHaveLength(1);
    expect(() => toBatches([wide], { maxBytes: wideLimit - 1, newId: () => 'id' })).toThrow(ChangeTooLargeError);
  });

  it('puts large changes alone when two do not fit together', () => {
    const large = Array.from({ length: 4 }, (_, i) => user(`big-${i}`, { hint: { blob: 'x'.repeat(70 * 1024) } }));
    const batches = toBatches(large);
    expect(batches.map((b) => b.changes.map((c) => c.sourceId))).toEqual([['big-0'], ['big-1'], ['big-2'], ['big-3']]);
    for (const b of batches) expect(bytes(b)).toBeLessThanOrEqual(DEFAULT_MAX_BATCH_BYTES);
  });

  it('drops only the hint of a change too large on its own, and says so without the hint', () => {
    const dropped: OversizedHint[] = [];
    const huge = user('huge', { hint: { blob: 'secret-ish '.repeat(20_000) } });
    const batches = toBatches([user('a'), huge, user('b')], { onHintDropped: (d) => dropped.push(d) });
    const sent = batches.flatMap((b) => b.changes);
    expect(sent).toEqual([user('a'), user('huge'), user('b')]);
    expect(dropped).toEqual([{ source: 'dingtalk', kind: 'user', sourceId: 'huge', hintBytes: expect.any(Number) }]);
    expect(JSON.stringify(dropped)).not.toContain('secret-ish');
  });

  it('refuses a change that is too large even without a hint', () => {
    expect(() => toBatches([user('y'.repeat(130 * 1024))])).toThrow(ChangeTooLargeError);
  });

  const change: fc.Arbitrary<Change> = fc.record({
    source: fc.constantFrom(...SOURCE_NAMES),
    kind: fc.constantFrom(...Object.values(CHANGE_KIND)),
    sourceId: fc.string({ minLength: 1, maxLength: 6 }),
    reason: fc.string({ maxLength: 20 }),
    hint: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ unit: 'grapheme', maxLength: 300 })), { nil: undefined }),
  }).map(({ hint, ...c }) => (hint === undefined ? c : { ...c, hint }));

  it('keeps every distinct change exactly once, in order, every batch within the limit (property)', () => {
    fc.assert(fc.property(fc.array(change, { maxLength: 80 }), fc.integer({ min: 900, max: 4000 }), (changes, maxBytes) => {
      const batches = toBatches(changes, { maxBytes, onHintDropped: () => {} });
      for (const b of batches) {
        expect(b.changes.length).toBeGreaterThan(0);
        expect(bytes(b)).toBeLessThanOrEqual(maxBytes);
      }
      const sent = batches.flatMap((b) => b.changes);
      const expected = dedupeChanges(changes);
      expect(sent.map(changeKey)).toEqual(expected.map(changeKey));
      // Each change is sent as given, or without its hint when it alone exceeds the limit.
      sent.forEach((c, i) => {
        const { hint, ...bare } = expected[i]!;
        expect([expected[i], bare]).toContainEqual(c);
      });
    }), { numRuns: 300 });
  });
});
