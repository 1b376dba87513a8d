/**
 * What `full-sync` may be invoked with: a sync request (the default, a dry run unless it says
 * otherwise), the reconcile timer's event (a sync that applies), `{"held": true}`,
 * `{"release": [...] | "all"}` or `{"migrateIds": "<source>"}`.
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

    it('takes report: true (the plan\'s steps for the plan report), and leaves a false one out', () => {
      expect(parseFullSyncInvocation({ dryRun: true, report: true })).toEqual({ kind: 'sync', request: { dryRun: true, report: true } });
      expect(parseFullSyncInvocation({ report: false })).toEqual({ kind: 'sync', request: { dryRun: true } });
      expect(() => parseFullSyncInvocation({ report: 'yes' })).toThrow(/report/);
    });

    it('takes allowDeletes: true (any count) and 0', () => {
      expect(parseFullSyncInvocation({ allowDeletes: true })).toEqual({ kind: 'sync', request: { dryRun: true, allowDeletes: true } });
      expect(parseFullSyncInvocation({ allowDeletes: 0 })).toEqual({ kind: 'sync', request: { dryRun: true, allowDeletes: 0 } });
    });
  });

  describe("the reconcile timer's event", () => {
    const tick = { triggerTime: '2026-12-06T19:00:00Z', triggerName: 'reconcile' };

    it('is a sync that applies, every source, naming the trigger', () => {
      expect(parseFullSyncInvocation(tick)).toEqual({
        kind: 'reconcile', request: { dryRun: false }, trigger: { name: 'reconcile', time: '2026-12-06T19:00:00Z' },
      });
      expect(parseFullSyncInvocation({ ...tick, payload: '' })).toMatchObject({ kind: 'reconcile', request: { dryRun: false } });
    });

    it('takes the sources to reconcile from the payload, as JSON', () => {
      expect(parseFullSyncInvocation({ ...tick, payload: '{"sources":["ad","file"]}' }))
        .toMatchObject({ kind: 'reconcile', request: { dryRun: false, sources: ['ad', 'file'] } });
    });

    it('leaves a manual {} what it was: a dry run', () => {
      expect(parseFullSyncInvocation({})).toEqual({ kind: 'sync', request: { dryRun: true } });
    });

    it.each([
      ['a payload that is not JSON', { ...tick, payload: 'awesome-fc' }, /payload: must be empty or JSON/],
      ['a payload that is not an object', { ...tick, payload: '3' }, /payload: must be an object/],
      ['a dry run in the payload', { ...tick, payload: '{"dryRun":true}' }, /payload\.dryRun: a timer run always applies/],
      ['allowDeletes in the payload', { ...tick, payload: '{"allowDeletes":5}' }, /payload\.allowDeletes: a timer run never lifts the deletion safeguard/],
      ['an unknown source in the payload', { ...tick, payload: '{"sources":["msn"]}' }, /payload\.sources\.0/],
      ['an empty list of sources', { ...tick, payload: '{"sources":[]}' }, /payload\.sources/],
      ['an unknown option in the payload', { ...tick, payload: '{"source":"ad"}' }, /payload: unknown key "source"/],
      ['a payload that is not a string', { ...tick, payload: { sources: ['ad'] } }, /payload/],
      ['a trigger time that is not a time', { ...tick, triggerTime: 'tomorrow' }, /triggerTime: must be an ISO time/],
      ['a timer event without its name', { triggerTime: tick.triggerTime }, /triggerName/],
      ['a timer event with a sync field', { ...tick, dryRun: false }, /dryRun/],
    ])('refuses %s, explaining why', (_name, raw, why) => {
      const error = refusal(raw) as { name: string; issues: { path: PropertyKey[]; message: string }[] };
      expect(error.name).toBe('InvalidMessageError');
      expect(error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')).toMatch(why);
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

  describe("push's failed list", () => {
    it('is {"failed": true}, and a retry names keys or all', () => {
      expect(parseFullSyncInvocation({ failed: true })).toEqual({ kind: 'failed' });
      expect(parseFullSyncInvocation({ retryFailed: 'all' })).toEqual({ kind: 'retry-failed', keys: 'all' });
      expect(parseFullSyncInvocation({ retryFailed: ['file:a1'] })).toEqual({ kind: 'retry-failed', keys: ['file:a1'] });
    });

    it('refuses a retry of nothing and anything beside it', () => {
      expect(() => parseFullSyncInvocation({ retryFailed: [] })).toThrow();
      expect(() => parseFullSyncInvocation({ failed: true, dryRun: true })).toThrow();
      expect(() => parseFullSyncInvocation({ failed: false })).toThrow();
    });
  });

  describe('dropping the unfinished full sync', () => {
    it('is {"discardUnfinished": true}', () => {
      expect(parseFullSyncInvocation({ discardUnfinished: true })).toEqual({ kind: 'discard-unfinished' });
    });

    it.each([
      ['false', { discardUnfinished: false }, /discardUnfinished: must be true/],
      ['a string', { discardUnfinished: 'yes' }, /discardUnfinished: must be true/],
      ['a sync field beside it', { discardUnfinished: true, dryRun: false }, /dryRun/],
    ])('refuses %s', (_name, raw, why) => {
      expect(String(refusal(raw))).toMatch(why);
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
      ['a string event', 'held', /must be an object/],
      ['an array event', ['file:e1001'], /must be an object/],
    ])('%s', (_name, raw, names) => {
      expect(refusal(raw)).toMatchObject({ name: 'InvalidMessageError', message: expect.stringMatching(names) });
    });
  });
});
