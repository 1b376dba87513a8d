/**
 * What `full-sync` may be invoked with: a sync request (the default, a dry run unless it says
 * otherwise), `{"held": true}`, `{"release": [...] | "all"}` or `{"migrateIds": "<source>"}`.
 * Anything else is refused whole.
 */
import { parseFullSyncInvocation } from '../../../functions/lib/sync/messages';

/** The error an invocation is refused with (naming the offending key), or a failure if it was accepted. */
function refusal(raw: unknown): unknown {
  try {
    parseFullSyncInvocation(raw);
  } catch (error) {
    return error;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('parseFullSyncInvocation', () => {
  describe('a sync request', () => {
    it.each([
      ['an empty object', {}],
      ['null (an empty FC event)', null],
      ['undefined', undefined],
    ])('is a dry run of every source from %s', (_name, raw) => {
      expect(parseFullSyncInvocation(raw)).toEqual({ kind: 'sync', request: { dryRun: true } });
    });

    it('carries dryRun, sources and allowDeletes as given', () => {
      expect(parseFullSyncInvocation({ dryRun: false, sources: ['file'], allowDeletes: 3 }))
        .toEqual({ kind: 'sync', request: { dryRun: false, sources: ['file'], allowDeletes: 3 } });
    });

    it('takes allowDeletes: true (any count) and 0', () => {
      expect(parseFullSyncInvocation({ allowDeletes: true })).toEqual({ kind: 'sync', request: { dryRun: true, allowDeletes: true } });
      expect(parseFullSyncInvocation({ allowDeletes: 0 })).toEqual({ kind: 'sync', request: { dryRun: true, allowDeletes: 0 } });
    });
  });

  describe('the held list', () => {
    it('is {"held": true}', () => {
      expect(parseFullSyncInvocation({ held: true })).toEqual({ kind: 'held' });
    });
  });

  describe('a release', () => {
    it('of everyone is {"release": "all"}', () => {
      expect(parseFullSyncInvocation({ release: 'all' })).toEqual({ kind: 'release', release: 'all' });
    });

    it('of some people is a list of their externalIds, in the order given', () => {
      expect(parseFullSyncInvocation({ release: ['a', 'b'] })).toEqual({ kind: 'release', release: ['a', 'b'] });
      expect(parseFullSyncInvocation({ release: ['file:e1001'] })).toEqual({ kind: 'release', release: ['file:e1001'] });
    });
  });

  describe('an id migration', () => {
    it('is {"migrateIds": "<source>"}, a dry run unless it says otherwise', () => {
      expect(parseFullSyncInvocation({ migrateIds: 'lark' })).toEqual({ kind: 'migrate-ids', source: 'lark', dryRun: true });
      expect(parseFullSyncInvocation({ migrateIds: 'lark', dryRun: false })).toEqual({ kind: 'migrate-ids', source: 'lark', dryRun: false });
    });

    it.each([
      ['an unknown source', { migrateIds: 'okta2' }, /migrateIds/],
      ['another key beside it', { migrateIds: 'lark', sources: ['lark'] }, /sources/],
    ])('refuses %s', (_name, raw, key) => {
      expect(String(refusal(raw))).toMatch(key);
    });
  });

  describe('refuses', () => {
    it.each([
      ['an empty release list', { release: [] }, /release/],
      ['an empty release string', { release: '' }, /release/],
      ['a release of an empty id', { release: [''] }, /release/],
      ['a release that is neither a list nor "all"', { release: 'some' }, /release/],
      ['a release of a non-string id', { release: [42] }, /release/],
      ['release: null', { release: null }, /release/],
      ['a release with a sync field', { release: 'all', dryRun: true }, /dryRun/],
      ['held with another key', { held: true, extra: 1 }, /extra/],
      ['held with a sync field', { held: true, dryRun: false }, /dryRun/],
      ['held and release together', { held: true, release: 'all' }, /release/],
      ['held: "yes"', { held: 'yes' }, /held/],
      ['held: false', { held: false }, /held/],
      ['held: null', { held: null }, /held/],
      ['dryRun: "no"', { dryRun: 'no' }, /dryRun/],
      ['an unknown key', { dryrun: false }, /dryrun/],
      ['a misspelt allowDeletes', { allowDelete: 3 }, /allowDelete/],
      ['a negative allowDeletes', { allowDeletes: -1 }, /allowDeletes/],
      ['a fractional allowDeletes', { allowDeletes: 1.5 }, /allowDeletes/],
      ['a source that does not exist', { sources: ['msn'] }, /sources/],
      ['a string event', 'held', /expected object/],
      ['an array event', ['file:e1001'], /expected object/],
    ])('%s', (_name, raw, names) => {
      expect(refusal(raw)).toMatchObject({ name: 'ZodError', message: expect.stringMatching(names) });
    });
  });
});
