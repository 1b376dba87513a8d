/**
 * The engine's two entrances as data: a queue batch for `push`, a manual request or FC's timer event
 * for `full-sync`. Parsed strictly: a malformed message is a final error (retrying cannot fix it),
 * an `InvalidMessageError` naming each bad path and its rule. A batch ignores keys it does not know
 * (an older push reads a newer batch); an invocation refuses them (a typo must not run a sync).
 */
import { CHANGE_KIND, type Change, type ChangeBatch, SOURCE_NAMES, type SourceName } from '../core/model';
import { ShapeCheck } from './shape';

const KINDS = [CHANGE_KIND.user, CHANGE_KIND.department] as const;

function change(check: ShapeCheck, raw: unknown, at: (string | number)[]): Change | undefined {
  const o = check.object(raw, at);
  if (!o) return undefined;
  const source = check.oneOf(o.source, [...at, 'source'], SOURCE_NAMES);
  const kind = check.oneOf(o.kind, [...at, 'kind'], KINDS);
  const sourceId = check.text(o.sourceId, [...at, 'sourceId'], { nonEmpty: true });
  const reason = check.text(o.reason, [...at, 'reason']);
  let hint: Record<string, string> | undefined;
  if (o.hint !== undefined) {
    const h = check.object(o.hint, [...at, 'hint']);
    if (h) for (const [key, value] of Object.entries(h)) check.text(value, [...at, 'hint', key]);
    hint = h as Record<string, string> | undefined;
  }
  if (source === undefined || kind === undefined || sourceId === undefined || reason === undefined) return undefined;
  return { source, kind, sourceId, reason, ...(hint !== undefined && { hint: { ...hint } }) };
}

/** `{ v: 1, id, emittedAt, changes: [{ source, kind, sourceId, reason, hint? }] }`. */
export function parseChangeBatch(raw: unknown): ChangeBatch {
  const check = new ShapeCheck();
  const o = check.object(raw, []);
  const batch = o && {
    v: o.v === 1 ? 1 : check.fail(['v'], 'must be 1'),
    id: check.text(o.id, ['id'], { nonEmpty: true }),
    emittedAt: check.text(o.emittedAt, ['emittedAt']),
    changes: check.list(o.changes, ['changes'], (v, at) => change(check, v, at)),
  };
  check.throwIfAny();
  return batch as ChangeBatch;
}

/**
 * `{ "dryRun": true|false, "sources": [...], "allowDeletes": N, "report": true }`; a run is a dry run
 * unless it says otherwise.
 */
export interface FullSyncRequest {
  dryRun: boolean;
  sources?: SourceName[];
  /** How many deprovisions the safeguard lets through this once; true for any number. */
  allowDeletes?: number | boolean;
  /** Answer the plan's steps (and outcomes) too, for the plan report (`npm run sync -- --html … --remote`). */
  report?: boolean;
}

export function parseFullSyncRequest(raw: unknown): FullSyncRequest {
  const check = new ShapeCheck();
  const o = check.object(raw ?? {}, [], ['dryRun', 'sources', 'allowDeletes', 'report']) ?? {};
  const request: FullSyncRequest = { dryRun: check.flag(o.dryRun, ['dryRun'], true) };
  if (check.flag(o.report, ['report'], false)) request.report = true;
  if (o.sources !== undefined) {
    const sources = check.list(o.sources, ['sources'], (v, at) => check.oneOf(v, at, SOURCE_NAMES));
    if (sources) request.sources = sources;
  }
  const allow = o.allowDeletes;
  if (typeof allow === 'boolean' || (Number.isInteger(allow) && (allow as number) >= 0)) request.allowDeletes = allow as number | boolean;
  else if (allow !== undefined) check.fail(['allowDeletes'], 'must be a whole number of at least 0, or true or false');
  check.throwIfAny();
  return request;
}

/** `"all"` or one or more non-empty ids: what a release or a retry names. */
function idsOrAll(check: ShapeCheck, value: unknown, key: string): string[] | 'all' | undefined {
  if (value === 'all') return 'all';
  if (!Array.isArray(value) || value.length === 0) return check.fail([key], 'must be "all" or a list of one or more ids');
  return check.list(value, [key], (v, at) => check.text(v, at, { nonEmpty: true }));
}

/** An object holding only `key`, whose value passes `read`. */
function only<T>(raw: unknown, key: string, read: (check: ShapeCheck, value: unknown) => T | undefined): T {
  const check = new ShapeCheck();
  const o = check.object(raw, [], [key]);
  const value = o && read(check, o[key]);
  check.throwIfAny();
  return value as T;
}

const isTrue = (check: ShapeCheck, value: unknown, key: string) => (value === true ? true : check.fail([key], 'must be true'));

/** `{ "migrateIds": "lark", "dryRun": true|false }`: re-link a source's RAM users to its configured kind of id. */
function parseMigrateRequest(raw: unknown): { source: SourceName; dryRun: boolean } {
  const check = new ShapeCheck();
  const o = check.object(raw, [], ['migrateIds', 'dryRun']) ?? {};
  const source = check.oneOf(o.migrateIds, ['migrateIds'], SOURCE_NAMES);
  const dryRun = check.flag(o.dryRun, ['dryRun'], true);
  check.throwIfAny();
  return { source: source!, dryRun };
}

/**
 * The reconcile timer's options, the trigger's `payload` string as JSON: `{"sources": ["ad"]}` or
 * nothing (every source). A scheduled run always applies under the safeguard, so it cannot be told
 * to dry-run or to allow deletions: nobody would be there to read the one or answer for the other.
 */
function timerSources(check: ShapeCheck, payload: unknown): SourceName[] | undefined {
  if (typeof payload !== 'string') return check.fail(['payload'], 'must be text');
  if (payload.trim() === '') return undefined;
  let options: unknown;
  try {
    options = JSON.parse(payload);
  } catch {
    return check.fail(['payload'], 'must be empty or JSON such as {"sources":["ad"]}');
  }
  const o = check.object(options, ['payload'], ['sources', 'dryRun', 'allowDeletes']);
  if (!o) return undefined;
  if (o.dryRun !== undefined) check.fail(['payload', 'dryRun'], 'a timer run always applies; invoke full-sync by hand for a dry run');
  if (o.allowDeletes !== undefined) {
    check.fail(['payload', 'allowDeletes'], 'a timer run never lifts the deletion safeguard; release held people with {"release": [...]}');
  }
  if (o.sources === undefined) return undefined;
  return check.list(o.sources, ['payload', 'sources'], (v, at) => check.oneOf(v, at, SOURCE_NAMES), { nonEmpty: true });
}

/** FC's timer event (reference/fc.md §2.3). */
function parseTimerEvent(raw: unknown): { sources?: SourceName[]; name: string; time: string } {
  const check = new ShapeCheck();
  const o = check.object(raw, [], ['triggerTime', 'triggerName', 'payload']) ?? {};
  const time = check.text(o.triggerTime, ['triggerTime']);
  if (time !== undefined && Number.isNaN(Date.parse(time))) check.fail(['triggerTime'], 'must be an ISO time');
  const name = check.text(o.triggerName, ['triggerName'], { nonEmpty: true });
  const sources = o.payload === undefined ? undefined : timerSources(check, o.payload);
  check.throwIfAny();
  return { name: name!, time: time!, ...(sources && { sources }) };
}

/**
 * What `full-sync` may be invoked with: a sync (the default), the reconcile timer's event, the held
 * list, a release, push's failed list or a retry of it, an id migration, or `{"discardUnfinished": true}`
 * (drop the unfinished full sync, so the next one plans afresh).
 */
export type FullSyncInvocation =
  | { kind: 'sync'; request: FullSyncRequest }
  | { kind: 'reconcile'; request: FullSyncRequest; trigger: { name: string; time: string } }
  | { kind: 'held' }
  | { kind: 'release'; release: string[] | 'all' }
  | { kind: 'failed' }
  | { kind: 'retry-failed'; keys: string[] | 'all' }
  | { kind: 'migrate-ids'; source: SourceName; dryRun: boolean }
  | { kind: 'discard-unfinished' };

export function parseFullSyncInvocation(raw: unknown): FullSyncInvocation {
  const value = raw ?? {};
  const has = (key: string) => typeof value === 'object' && value !== null && key in value;
  if (has('held')) {
    only(value, 'held', (check, v) => isTrue(check, v, 'held'));
    return { kind: 'held' };
  }
  if (has('release')) return { kind: 'release', release: only(value, 'release', (check, v) => idsOrAll(check, v, 'release')) };
  if (has('failed')) {
    only(value, 'failed', (check, v) => isTrue(check, v, 'failed'));
    return { kind: 'failed' };
  }
  if (has('discardUnfinished')) {
    only(value, 'discardUnfinished', (check, v) => isTrue(check, v, 'discardUnfinished'));
    return { kind: 'discard-unfinished' };
  }
  if (has('retryFailed')) return { kind: 'retry-failed', keys: only(value, 'retryFailed', (check, v) => idsOrAll(check, v, 'retryFailed')) };
  if (has('triggerTime') || has('triggerName') || has('payload')) {
    const event = parseTimerEvent(value);
    return {
      kind: 'reconcile',
      request: { dryRun: false, ...(event.sources && { sources: event.sources }) },
      trigger: { name: event.name, time: event.time },
    };
  }
  if (has('migrateIds')) {
    const request = parseMigrateRequest(value);
    return { kind: 'migrate-ids', source: request.source, dryRun: request.dryRun };
  }
  return { kind: 'sync', request: parseFullSyncRequest(value) };
}
