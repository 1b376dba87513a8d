/**
 * The incremental entrance (what `push` runs): for a batch of changes, read each named entity's
 * current state at its source and in RAM, plan for exactly those entities, settle the plan with the
 * deletion safeguard, apply. Level-based, so duplicates, redeliveries and reordering converge.
 * Typical cost per changed user: one RAM lookup (by externalId) and one write; a name taken by someone
 * we could not see costs one more lookup; a person found absent is read once more before anyone acts.
 *
 * A person whose read fails is left out of the plan (never treated as gone) and reported: a final
 * failure is logged with what to do, a retryable one makes the caller retry the batch.
 */
import { NotVisibleError } from '../core/errors';
import { mapIdentities } from '../core/mapping';
import type { Change, Department, Identity, RamUser, SourceName } from '../core/model';
import { externalIdOf } from '../core/model';
import { type Plan, buildPlan } from '../core/plan';
import type { ProvisioningLog, RamTarget, Source, StateStore } from '../core/ports';
import type { SyncPath } from '../core/safeguard';
import { type ApplyResult, applyPlan, summarizeOutcomes } from './apply';
import { type StepFailure, describeFailure } from './failure';
import type { SyncSettings } from './fullSync';
import { HeldList } from './heldList';
import { checkIdentifierTypes } from './identifiers';
import { ManagedCount } from './managedCount';
import { rekeyRenamed } from './rekey';
import { SuspensionStore } from './suspension';

export interface ChangeSyncInput {
  changes: Change[];
  sources: Source[];
  target: RamTarget;
  state: StateStore;
  settings: SyncSettings;
  runId: string;
  log: ProvisioningLog;
  /** The queue message id, logged with every step. */
  changeId?: string;
  /** The path this runs for, named on the held list. Default push. */
  path?: SyncPath;
  /**
   * externalIds an operator released: their held deprovisions apply, uncounted, and an answer that
   * only says "not visible" counts as their absence (the operator confirmed it).
   */
  release?: ReadonlySet<string>;
}

/** A change whose person could not be read: nothing was planned for them. */
export interface UnreadChange {
  change: Change;
  externalId: string;
  failure: StepFailure;
}

export interface ChangeSyncReport {
  plan: Plan;
  result: ApplyResult;
  /** Changes naming a source that is not configured here: logged and dropped. */
  ignored: Change[];
  unread: UnreadChange[];
}

export async function syncChanges(input: ChangeSyncInput): Promise<ChangeSyncReport> {
  const sources = new Map<SourceName, Source>(input.sources.map((s) => [s.name, s]));
  const unique = dedupe(input.changes);
  const ignored = unique.filter((c) => !sources.has(c.source));
  const userChanges = unique.filter((c) => c.kind === 'user' && sources.has(c.source));

  await checkIdentifierTypes(input.sources.filter((s) => userChanges.some((c) => c.source === s.name)), input.state, { record: true });
  await rekeyRenamed(userChanges, { ...input, changeId: input.changeId });
  const read = await readPeople(userChanges, sources, input.release ?? new Set());
  const departments = await departmentsOf(read.identities, sources, input.settings, userChanges);
  const unread = [...read.unread, ...departments.unread];
  const unreadIds = new Set(unread.map((u) => u.externalId));
  const identities = read.identities.filter((p) => !unreadIds.has(externalIdOf(p.source, p.sourceId)));
  for (const u of unread) logUnread(u, input);

  // Only people whose state we know are planned: someone we could not read is never "gone".
  const externalIds = userChanges.map((c) => externalIdOf(c.source, c.sourceId)).filter((id) => !unreadIds.has(id));
  const actual = (await Promise.all(externalIds.map((id) => input.target.findUserByExternalId(id))))
    .filter((u): u is RamUser => u !== undefined);

  let report = await planAndApply(input, { identities, departments: departments.found, actual, externalIds });
  // A name held by a RAM user we could not see (console-made, another source): look it up, re-plan once.
  const taken = report.result.outcomes.filter((o) => o.status === 'failed' && o.failure?.code === 'uniqueness' && o.step.kind === 'user');
  if (taken.length > 0) {
    const holders = await Promise.all(taken.map((o) => input.target.findUserByUserName(o.step.kind === 'user' ? o.step.userName : '')));
    const retryIds = taken.map((o) => (o.step.kind === 'user' ? o.step.externalId : ''));
    const again = await planAndApply(input, {
      identities: identities.filter((p) => retryIds.includes(externalIdOf(p.source, p.sourceId))),
      departments: departments.found,
      actual: [...actual, ...holders.filter((u): u is RamUser => u !== undefined)],
      externalIds: retryIds,
    });
    const kept = report.result.outcomes.filter((o) => !taken.includes(o));
    const outcomes = [...kept, ...again.result.outcomes.filter((o) => o.step.kind === 'user')];
    report = { plan: report.plan, result: { outcomes, summary: summarizeOutcomes(outcomes) } };
  }
  return { ...report, ignored, unread };
}

/**
 * Each person, read on their own. Absence is proven, never inferred: only the source's "no such
 * user" counts, read twice; "not visible" counts only with a verified deletion event for that very
 * person or an operator's release. Any failure leaves the person unread.
 */
async function readPeople(changes: Change[], sources: Map<SourceName, Source>, release: ReadonlySet<string>) {
  const identities: Identity[] = [];
  const unread: UnreadChange[] = [];
  await Promise.all(changes.map(async (change) => {
    const source = sources.get(change.source)!;
    const externalId = externalIdOf(change.source, change.sourceId);
    try {
      const person = await readPerson(source, change, release.has(externalId));
      if (person) identities.push(person);
    } catch (error) {
      unread.push({ change, externalId, failure: describeFailure(error) });
    }
  }));
  return { identities, unread };
}

async function readPerson(source: Source, change: Change, released: boolean): Promise<Identity | undefined> {
  let first: Identity | undefined;
  try {
    first = await source.getUser(change.sourceId);
  } catch (error) {
    const proven = released || (source.deletionEvents?.has(change.reason) ?? false);
    if (error instanceof NotVisibleError && proven) return undefined;
    throw error;
  }
  // Absent: before anyone is deprovisioned on it, read once more; a read that fails is an error.
  return first ?? source.getUser(change.sourceId);
}

interface Snapshot {
  identities: Identity[];
  departments: Department[];
  actual: RamUser[];
  externalIds: string[];
}

async function planAndApply(input: ChangeSyncInput, snap: Snapshot): Promise<{ plan: Plan; result: ApplyResult }> {
  const { rules, policy, safeguard } = input.settings;
  const suspensions = new SuspensionStore(input.state);
  const held = new HeldList(input.state);
  const records = await Promise.all(snap.externalIds.map((id) => suspensions.get(id)));
  const suspended = new Set(records.filter((r) => r?.complete).map((r) => r!.externalId));
  const groups = rules.groups.length ? await readMemberships(input.target, snap.actual, rules.groups.map((r) => r.group)) : undefined;

  const { mapped, actual } = await mapSeeingHolders(input.target, snap, rules);
  const covered = new Set(snap.externalIds);
  const plan = await held.settle(buildPlan({
    desired: mapped.desired, actual, coverage: { kind: 'externalIds', externalIds: snap.externalIds },
    policy, suspended, groupRules: rules.groups, actualGroups: groups?.existing, actualMembers: groups?.members,
    conflicts: mapped.conflicts,
  }), {
    rules: safeguard, mode: 'each', release: input.release, covered: (id) => covered.has(id),
    // Before any full sync has counted our users, only the count limit can apply to a push.
    managed: (await new ManagedCount(input.state).get()) ?? Number.POSITIVE_INFINITY,
    origin: { path: input.path ?? 'push', runId: input.runId, changeId: input.changeId },
  });
  const result = await applyPlan(plan, {
    target: input.target, state: input.state, log: input.log, runId: input.runId,
    changeIdFor: () => input.changeId,
  });
  await held.afterApply(result.outcomes);
  return { plan, result };
}

/**
 * Maps the people, then, for anyone the mapping would rename, looks up who holds the wanted name
 * and maps again: a person kept on a suffixed name must not try (and fail) a rename on every push.
 * Creates stay optimistic; a taken name there costs one failed write and one lookup, once.
 */
async function mapSeeingHolders(target: RamTarget, snap: Snapshot, rules: SyncSettings['rules']) {
  const map = (actual: RamUser[]) => mapIdentities({ identities: snap.identities, departments: snap.departments, rules, actual });
  let mapped = map(snap.actual);
  const current = new Map(snap.actual.map((u) => [u.externalId, u]));
  const renames = mapped.desired.filter((d) => {
    const have = current.get(d.externalId);
    return have !== undefined && have.userName.toLowerCase() !== d.userName;
  });
  if (renames.length === 0) return { mapped, actual: snap.actual };
  const holders = (await Promise.all(renames.map((d) => target.findUserByUserName(d.userName))))
    .filter((u): u is RamUser => u !== undefined && !current.has(u.externalId));
  const actual = [...snap.actual, ...holders];
  if (holders.length > 0) mapped = map(actual);
  return { mapped, actual };
}

/** Memberships of the mapped groups for just these users: one ListGroupsForUser each, one ListGroups. */
async function readMemberships(target: RamTarget, users: RamUser[], mapped: string[]) {
  const existing = [];
  for await (const group of target.listGroups()) existing.push(group);
  const members = new Map<string, Set<string>>(mapped.map((g) => [g, new Set<string>()]));
  const lowerToMapped = new Map(mapped.map((g) => [g.toLowerCase(), g]));
  await Promise.all(users.map(async (user) => {
    for (const group of await target.listGroupsForUser(user.userName)) {
      const name = lowerToMapped.get(group.toLowerCase());
      if (name) members.get(name)!.add(user.userName.toLowerCase());
    }
  }));
  return { existing, members };
}

/**
 * The people's departments and their ancestors: enough for scope and group rules by id or name.
 * A department that cannot be read (hidden from the app, an API failure) leaves its people unread:
 * without it, scope rules might wrongly find them out of scope.
 */
async function departmentsOf(
  people: Identity[], sources: Map<SourceName, Source>, settings: SyncSettings, changes: Change[],
): Promise<{ found: Department[]; unread: UnreadChange[] }> {
  const { scope, groups } = settings.rules;
  if (!groups.length && !scope.includeDepartments.length && !scope.excludeDepartments.length) return { found: [], unread: [] };
  const found = new Map<string, Department>();
  const failed = new Map<string, StepFailure>();
  let frontier = people.flatMap((p) => p.departmentIds.map((id) => ({ source: p.source, id })));
  while (frontier.length > 0) {
    const fresh = frontier.filter(({ source, id }) => !found.has(`${source}:${id}`) && !failed.has(`${source}:${id}`));
    const next: typeof frontier = [];
    await Promise.all(fresh.map(async ({ source, id }) => {
      try {
        const department = await sources.get(source)!.getDepartment(id);
        if (!department) return;
        found.set(`${source}:${id}`, department);
        if (department.parentId) next.push({ source, id: department.parentId });
      } catch (error) {
        failed.set(`${source}:${id}`, describeFailure(error));
      }
    }));
    frontier = next;
  }
  if (failed.size === 0) return { found: [...found.values()], unread: [] };
  const unread: UnreadChange[] = [];
  const changeOf = new Map(changes.map((c) => [externalIdOf(c.source, c.sourceId), c]));
  for (const person of people) {
    const failure = failedAncestor(person, found, failed);
    const externalId = externalIdOf(person.source, person.sourceId);
    if (failure) unread.push({ change: changeOf.get(externalId)!, externalId, failure });
  }
  return { found: [...found.values()], unread };
}

function failedAncestor(person: Identity, found: Map<string, Department>, failed: Map<string, StepFailure>): StepFailure | undefined {
  for (const start of person.departmentIds) {
    const seen = new Set<string>();
    for (let id: string | undefined = start; id !== undefined && !seen.has(id); id = found.get(`${person.source}:${id}`)?.parentId) {
      seen.add(id);
      const failure = failed.get(`${person.source}:${id}`);
      if (failure) return failure;
    }
  }
  return undefined;
}

function logUnread(u: UnreadChange, input: ChangeSyncInput): void {
  input.log({
    runId: input.runId, changeId: input.changeId, source: u.change.source, externalId: u.externalId,
    action: 'read', status: 'failed', reason: u.failure.reason, recommendedAction: u.failure.recommendedAction,
    retryable: u.failure.retryable,
  });
}

function dedupe(changes: Change[]): Change[] {
  const seen = new Map<string, Change>();
  for (const change of changes) seen.set(`${change.source}\u0000${change.kind}\u0000${change.sourceId}`, change);
  return [...seen.values()];
}
