/**
 * Changing the kind of id a source links people by (Lark's LARK_USER_ID_TYPE, union_id → open_id)
 * without anyone losing their RAM user. push and full-sync refuse to plan while the configured kind
 * differs from the recorded one (identifiers.ts); this is what lets them plan again.
 *
 * Rules:
 * 1. Every RAM user linked to the source (`<source>:<id>`) is looked up at the source by its id of
 *    the recorded kind and re-linked to its id of the configured kind: a SCIM PUT of the externalId,
 *    keeping the user's id, userName and displayName (as rekey.ts does for a renamed WeCom userid).
 *    Its suspension record and its place in the safeguard's ledger (held entry, deletion-window
 *    entry, creates waiting as its mirror) follow it.
 * 2. Nothing is guessed: a person the source does not answer for (no such user, not visible, the
 *    new id withheld by a missing field scope), or whose new id already links another RAM user, is
 *    left as is and reported with the reason.
 * 3. Resumable: a RAM user whose id is already of the new kind (an earlier run re-linked it) is
 *    recognised by looking it up by the new kind, and what an interrupted run left under its old id
 *    (suspension record, ledger entries) is moved then. Held creates keyed by an old id are not
 *    moved: they are derived again by the next plan, under the new id.
 * 4. The new kind is recorded only once every RAM user of the source carries it (checked by listing
 *    RAM again, so a user linked by the old kind meanwhile is not missed). Until then the record says
 *    the migration is half done and push and full-sync refuse to plan with either kind: nobody is
 *    created twice, nobody deprovisioned as "gone". Run again with the new kind configured, it goes
 *    on; with the old kind configured, it takes everyone back.
 * 5. A dry run asks the source and reads RAM and the state store; it writes nothing.
 */
import { type RamUser, type SourceName, externalIdOf, parseExternalId } from '../core/model';
import type { ProvisioningLog, ProvisioningLogLine, RamTarget, Source, StateStore } from '../core/ports';
import { ClassifiedError, migrateCommand } from '../core/errors';
import { describeFailure } from './failure';
import { FullSyncRuns } from './fullSyncRun';
import { HeldList } from './heldList';
import { type IdentifierRecord, identifierKey } from './identifiers';
import { forEachConcurrent } from '../core/pool';
import { SuspensionStore } from './suspension';

/** Lookups in flight at the source: well under Lark's per-app rate limit, yet not one at a time. */
const CONCURRENCY = 4;

export interface MigrationEngine {
  sources: Source[];
  target: RamTarget;
  state: StateStore;
}

export interface MigrationRun {
  runId: string;
  log: ProvisioningLog;
  dryRun: boolean;
  now?: () => Date;
}

export interface MigratedPerson {
  userName: string;
  /** The externalId the RAM user carried when the run began. */
  externalId: string;
  /** The externalId it carries now (in a dry run: would carry); absent when it failed. */
  newExternalId?: string;
  status: 'relinked' | 'planned' | 'unchanged' | 'failed';
  reason: string;
  recommendedAction?: string;
}

export interface MigrationFailure {
  externalId: string;
  userName: string;
  reason: string;
  recommendedAction?: string;
}

export interface MigrationReport {
  runId: string;
  source: SourceName;
  /** The kind recorded when the run began, and the configured one. */
  from: string;
  to: string;
  dryRun: boolean;
  /** RAM users re-linked (in a dry run: that would be). */
  relinked: number;
  /** Already linked by the new kind: an earlier run re-linked them, or the id is the same in both. */
  unchanged: number;
  failed: MigrationFailure[];
  /** Every RAM user of the source, in externalId order. */
  people: MigratedPerson[];
  /** Whether the configured kind is recorded now (push and full-sync plan again). */
  recorded: boolean;
}


interface TranslatingSource {
  name: SourceName;
  identifier: { type: string; variable?: string };
  translateId(sourceId: string, from: string, to: string): Promise<string | undefined>;
}

/** What the source says about one RAM user's id. */
type Lookup =
  | { kind: 'translated'; id: string }
  | { kind: 'migrated'; previous: string }
  | { kind: 'failed'; reason: string; recommendedAction?: string };

/**
 * Re-links every RAM user of `sourceName` from the recorded kind of id to the configured one.
 *
 * @example
 * const report = await migrateIdentifiers(runtime, 'lark', { runId, log, dryRun: false });
 * // { from: 'union_id', to: 'open_id', relinked: 212, unchanged: 0, failed: [], recorded: true, … }
 */
export async function migrateIdentifiers(engine: MigrationEngine, sourceName: string, run: MigrationRun): Promise<MigrationReport> {
  const source = translatingSource(engine.sources, sourceName);
  const to = source.identifier.type;
  const recorded = await engine.state.get<IdentifierRecord>(identifierKey(source.name));
  if (!recorded) {
    throw new Error(`no kind of id is recorded for ${source.name} yet (its first sync records it): there is nothing to migrate`);
  }
  // Half done, a migration goes on to its target, or (configured with the kind it started from) back.
  const from = recorded.migratingTo === undefined || to !== recorded.type ? recorded.type : recorded.migratingTo;
  const report: MigrationReport = {
    runId: run.runId, source: source.name, from, to, dryRun: run.dryRun, relinked: 0, unchanged: 0, failed: [], people: [],
    recorded: from === to && recorded.migratingTo === undefined,
  };
  if (report.recorded) return report;
  // An unfinished full sync was planned with the old kind of id: continued after the re-link, its
  // steps would name people by ids RAM no longer holds. It is finished or discarded first.
  const unfinished = await new FullSyncRuns(engine.state).current();
  if (!run.dryRun && unfinished?.sources.includes(source.name)) throw new UnfinishedFullSyncError(source.name, unfinished);
  // From the first re-link on, people are linked by both kinds: no run may plan until this is done.
  if (!run.dryRun) {
    await engine.state.put<IdentifierRecord>(identifierKey(source.name), { type: from, since: recorded.since, migratingTo: to });
  }

  const users = await usersOf(engine.target, source.name);
  const lookups = new Map<string, Lookup>();
  await forEachConcurrent(users, CONCURRENCY, async (user) => {
    lookups.set(user.id, await lookUp(source, parseExternalId(user.externalId)!.sourceId, from, to));
  });
  const linked = new Map(users.map((u) => [u.externalId!, u]));
  for (const user of users) {
    const person = await settle(engine, source, user, lookups.get(user.id)!, linked, run);
    report.people.push(person);
    logPerson(run, source.name, person);
  }
  for (const { status, newExternalId: _, ...failure } of report.people) if (status === 'failed') report.failed.push(failure);
  report.relinked = report.people.filter((p) => p.status === 'relinked' || p.status === 'planned').length;
  report.unchanged = report.people.filter((p) => p.status === 'unchanged').length;
  if (run.dryRun || report.failed.length > 0) return report;

  const settled = new Set(report.people.map((p) => p.newExternalId));
  for (const late of (await usersOf(engine.target, source.name)).filter((u) => !settled.has(u.externalId))) {
    report.failed.push({
      externalId: late.externalId!, userName: late.userName,
      reason: 'linked while the migration ran (something still configured with the old kind of id?)',
      recommendedAction: `run \`${migrateCommand(source.name)}\` again`,
    });
  }
  if (report.failed.length > 0) return report;
  await engine.state.put<IdentifierRecord>(identifierKey(source.name), { type: to, since: (run.now?.() ?? new Date()).toISOString() });
  report.recorded = true;
  return report;
}

function translatingSource(sources: Source[], name: string): TranslatingSource {
  const source = sources.find((s) => s.name === name);
  if (!source) throw new Error(`${name} is not configured here (configured: ${sources.map((s) => s.name).join(', ') || 'none'})`);
  if (!source.translateId || !source.identifier) {
    throw new Error(`${name} links people by one kind of id only: there is nothing to migrate`);
  }
  return { name: source.name, identifier: source.identifier, translateId: source.translateId.bind(source) };
}

async function usersOf(target: RamTarget, source: SourceName): Promise<RamUser[]> {
  const users: RamUser[] = [];
  for await (const user of target.listUsers()) if (parseExternalId(user.externalId)?.source === source) users.push(user);
  return users.sort((a, b) => (a.externalId! < b.externalId! ? -1 : a.externalId! > b.externalId! ? 1 : 0));
}

async function lookUp(source: TranslatingSource, id: string, from: string, to: string): Promise<Lookup> {
  let failure: unknown;
  try {
    const translated = await source.translateId(id, from, to);
    if (translated !== undefined) return { kind: 'translated', id: translated };
  } catch (error) {
    failure = error;
  }
  // Not anyone's id of the old kind: perhaps already of the new one (an earlier run re-linked them).
  try {
    const previous = await source.translateId(id, to, from);
    if (previous !== undefined) return { kind: 'migrated', previous };
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) {
    const { reason, recommendedAction } = describeFailure(failure);
    return { kind: 'failed', reason, recommendedAction };
  }
  return {
    kind: 'failed',
    reason: `${source.name} has no person with ${from} (nor ${to}) ${id}: they left, or were deleted`,
    recommendedAction: `their RAM user belongs to nobody at ${source.name} now: delete it (RAM console), ` +
      `then run \`${migrateCommand(source.name)}\` again`,
  };
}

/** Carries out (or, in a dry run, describes) what the lookup decided for one RAM user. */
async function settle(
  engine: MigrationEngine, source: TranslatingSource, user: RamUser, lookup: Lookup, linked: Map<string, RamUser>, run: MigrationRun,
): Promise<MigratedPerson> {
  const old = user.externalId!;
  const base = { userName: user.userName, externalId: old };
  if (lookup.kind === 'failed') return { ...base, status: 'failed', reason: lookup.reason, recommendedAction: lookup.recommendedAction };
  if (lookup.kind === 'migrated') {
    const moved = await moveState(engine, externalIdOf(source.name, lookup.previous), old, !run.dryRun);
    const reason = `already linked by ${source.identifier.type}${movedNote(moved, run.dryRun)}`;
    return { ...base, newExternalId: old, status: 'unchanged', reason };
  }
  const next = externalIdOf(source.name, lookup.id);
  if (next === old) return { ...base, newExternalId: old, status: 'unchanged', reason: 'the id is the same in both kinds' };
  const other = linked.get(next);
  if (other && other.id !== user.id) {
    return {
      ...base, status: 'failed',
      reason: `${next} already links RAM user ${other.userName}: two RAM users would belong to one person`,
      recommendedAction: `keep one of ${user.userName} and ${other.userName} (delete the other, or clear its externalId), ` +
        `then run \`${migrateCommand(source.name)}\` again`,
    };
  }
  if (run.dryRun) {
    const moved = await moveState(engine, old, next, false);
    return { ...base, newExternalId: next, status: 'planned', reason: `would re-link from ${old}${movedNote(moved, true)}` };
  }
  try {
    await engine.target.replaceUser(user.id, { userName: user.userName, displayName: user.displayName, externalId: next });
    linked.delete(old);
    linked.set(next, { ...user, externalId: next });
    const moved = await moveState(engine, old, next, true);
    return { ...base, newExternalId: next, status: 'relinked', reason: `re-linked from ${old}${movedNote(moved, false)}` };
  } catch (error) {
    const { reason, recommendedAction } = describeFailure(error);
    return { ...base, status: 'failed', reason, recommendedAction: recommendedAction ?? `run \`${migrateCommand(source.name)}\` again` };
  }
}

/**
 * Moves what the state store keeps under `from` to `to` (the suspension record, the person's place in
 * the safeguard's ledger); answers what there is to move. Idempotent: nothing under `from`, nothing to do.
 */
async function moveState(engine: MigrationEngine, from: string, to: string, write: boolean): Promise<string[]> {
  const suspensions = new SuspensionStore(engine.state);
  const suspended = write ? await suspensions.move(from, to) : (await suspensions.get(from)) !== undefined;
  return [...(suspended ? ['suspension record'] : []), ...await new HeldList(engine.state).rekey(from, to, { write })];
}

const movedNote = (moved: string[], dryRun: boolean) =>
  (moved.length === 0 ? '' : ` (${dryRun ? 'would move' : 'moved'} its ${moved.join(', ')})`);

function logPerson(run: MigrationRun, source: SourceName, p: MigratedPerson): void {
  const status: ProvisioningLogLine['status'] =
    p.status === 'relinked' ? 'succeeded' : p.status === 'unchanged' ? 'skipped' : p.status;
  run.log({
    runId: run.runId, source, externalId: p.newExternalId ?? p.externalId, userName: p.userName, action: 'relink', status,
    reason: p.reason,
    ...(p.recommendedAction && { recommendedAction: p.recommendedAction }),
  });
}

/** A migration asked for while a full sync planned with the old kind of id is unfinished: final, explained. */
export class UnfinishedFullSyncError extends ClassifiedError {
  readonly retryable = false;
  constructor(source: string, unfinished: { runId: string; next: number; total: number }) {
    super({
      code: 'UnfinishedFullSync',
      reason: `an unfinished full sync (run ${unfinished.runId}, ${unfinished.next}/${unfinished.total} steps) was planned with ${source}'s old kind of id`,
      recommendedAction: 'let it finish (npm run sync continues it) or drop it (npm run sync -- --discard-unfinished [--remote]), then migrate',
    });
  }
}
