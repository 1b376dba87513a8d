/**
 * The incremental entrance (what `push` runs): for a batch of changes, read each named entity's
 * current state at its source and in RAM, plan for exactly those entities, settle the plan with the
 * deletion safeguard, apply. Level-based, so duplicates, redeliveries and reordering converge.
 * Typical cost per changed user: one RAM lookup (by externalId) and one write; a name taken by someone
 * we could not see costs one more lookup; a person found absent is read once more before anyone acts.
 *
 * A department change re-plans everyone in the department and below it, from the source's listing,
 * in chunks. Each person's read → plan → apply holds their lease (personLocks.ts), so two instances
 * never plan one person from two reads.
 *
 * A person whose read fails is left out of the plan (never treated as gone) and reported: a final
 * failure is logged with what to do, a retryable one makes the caller retry that change (push.ts).
 *
 * Bursts are coalesced: duplicates within a batch are read once (dedupeChanges), and a person's
 * change emitted before a read of them that push already applied in full is skipped as `coalesced`
 * (see personLocks.ts for the rule and why it cannot skip a newer change).
 */
import { NotVisibleError } from '../core/errors';
import { mapIdentities } from '../core/mapping';
import { CHANGE_KIND, type Change, type Department, type Identity, type RamUser, type SourceName, dedupeChanges, externalIdOf } from '../core/model';
import { type Plan, buildPlan, mergePlans, summarize } from '../core/plan';
import type { ProvisioningLog, RamTarget, Source, StateStore } from '../core/ports';
import type { SyncPath } from '../core/safeguard';
import type { Leases } from '../state/lease';
import { type ApplyResult, type StepOutcome, applyPlan, summarizeOutcomes } from './apply';
import { type StepFailure, describeFailure } from './failure';
import type { SyncSettings } from './fullSync';
import { HeldList } from './heldList';
import { checkIdentifierTypes } from './identifiers';
import { ManagedCount } from './managedCount';
import { type PersonLocks, coveredPeople, lockPeople, personBusy, personLeases, recordCovered } from './personLocks';
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
  /** The per-person leases (one push at a time per person); default a fresh owner on `state`. */
  leases?: Leases;
  /** How long to wait for a person another instance is applying; default PERSON_LEASE_WAIT_MS. */
  lockWaitMs?: number;
  /**
   * When the changes were emitted (ms since the epoch, the batch's `emittedAt`): a person read and
   * applied since then is not read again (coalescing). Without it, nothing is coalesced.
   */
  emittedAt?: number;
  /** Wall clock for coalescing records; default Date.now. */
  now?: () => number;
}

/** A change whose person (or department) could not be read: nothing was planned for them. */
export interface UnreadChange {
  change: Change;
  /** The person's externalId, or for a department change its key (`departmentKey`). */
  externalId: string;
  subject: 'person' | 'department';
  failure: StepFailure;
}

/** A department change and the people it re-planned. */
export interface DepartmentResync {
  change: Change;
  /** Present members re-planned (people also named by their own change are counted there). */
  members: string[];
  /** The department is gone (vendors delete only empty departments): nobody to re-plan. */
  deleted?: boolean;
  /** The source cannot list a department's members: the reconcile full sync covers it. */
  unsupported?: boolean;
}

export interface ChangeSyncReport {
  plan: Plan;
  result: ApplyResult;
  /** Changes naming a source that is not configured here: logged and dropped. */
  ignored: Change[];
  unread: UnreadChange[];
  departments: DepartmentResync[];
  /** Person changes skipped because a read begun after they were emitted was already applied. */
  coalesced: Change[];
}

/** People planned together when a department is re-planned: bounds memory and the RAM lookups in flight. */
export const DEPARTMENT_CHUNK = 200;

/** The key a department change is recorded under (failed list, unread). */
export const departmentKey = (change: Pick<Change, 'source' | 'sourceId'>) => `${change.source}:department:${change.sourceId}`;

export async function syncChanges(input: ChangeSyncInput): Promise<ChangeSyncReport> {
  const sources = new Map<SourceName, Source>(input.sources.map((s) => [s.name, s]));
  const unique = dedupeChanges(input.changes);
  const ignored = unique.filter((c) => !sources.has(c.source));
  const known = unique.filter((c) => sources.has(c.source));
  const userChanges = known.filter((c) => c.kind === CHANGE_KIND.user);
  const departmentChanges = known.filter((c) => c.kind === CHANGE_KIND.department);

  await checkIdentifierTypes(input.sources.filter((s) => known.some((c) => c.source === s.name)), input.state, { record: true });
  const leases = input.leases ?? personLeases(input.state);
  const reports: PeopleReport[] = [];
  const coalesced: Change[] = [];
  const now = input.now ?? Date.now;
  await underLocks(input, leases, userChanges, async (locked, busy) => {
    const skip = await coalesce(input, locked);
    coalesced.push(...skip);
    const fresh = locked.filter((c) => !skip.includes(c));
    const readAt = now();
    await rekeyRenamed(fresh, { ...input, changeId: input.changeId });
    const read = await readPeople(fresh, sources, input.release ?? new Set());
    const report = await settlePeople(input, sources, userChanges.filter((c) => !skip.includes(c)), { ...read, unread: [...read.unread, ...busy] });
    reports.push(report);
    if (input.emittedAt !== undefined) await recordCovered(input.state, fullyApplied(report, fresh), readAt);
  });

  // A department's members, in chunks, as the listing yields them; someone named by their own change was read above.
  const named = new Set(userChanges.map((c) => externalIdOf(c.source, c.sourceId)));
  const departments: DepartmentResync[] = [];
  for (const change of departmentChanges) {
    departments.push(await resyncDepartment(input, sources, leases, change, named, reports));
  }
  const outcomes = reports.flatMap((r) => r.result.outcomes);
  return {
    plan: mergePlans(reports.map((r) => r.plan)),
    result: { outcomes, summary: summarizeOutcomes(outcomes) },
    ignored,
    unread: reports.flatMap((r) => r.unread),
    departments,
    coalesced,
  };
}

/** The locked changes a fully applied read, begun after they were emitted, already covers; each logged as `coalesced`. */
async function coalesce(input: ChangeSyncInput, locked: Change[]): Promise<Change[]> {
  if (input.emittedAt === undefined || locked.length === 0) return [];
  const covered = await coveredPeople(input.state, locked.map((c) => externalIdOf(c.source, c.sourceId)), input.emittedAt);
  const skip = locked.filter((c) => covered.has(externalIdOf(c.source, c.sourceId)));
  for (const change of skip) {
    input.log({
      runId: input.runId, changeId: input.changeId, source: change.source, externalId: externalIdOf(change.source, change.sourceId),
      action: 'coalesced', status: 'skipped', reason: `${change.reason}: already applied by a read that began after this change was emitted`,
    });
  }
  return skip;
}

/**
 * People whose read was planned and applied with nothing failed or held: only for them may a later
 * push skip an older change. A failed group step leaves everyone out (memberships may be missing);
 * someone kept off a wanted name is left out too (their plan depends on who holds it).
 */
function fullyApplied(report: PeopleReport, changes: Change[]): string[] {
  const settled = (o: StepOutcome) => o.status === 'succeeded' || (o.status === 'skipped' && o.step.action === 'noop');
  if (report.result.outcomes.some((o) => o.step.kind === 'group' && !settled(o))) return [];
  const unsettled = new Set([
    ...report.unread.map((u) => u.externalId),
    ...report.result.outcomes.flatMap((o) => (o.step.kind === 'user' && !settled(o) ? [o.step.externalId] : [])),
    ...report.plan.conflicts.flatMap((c) => c.renamed.map((r) => r.externalId)),
  ]);
  return [...new Set(changes.map((c) => externalIdOf(c.source, c.sourceId)))].filter((id) => !unsettled.has(id));
}

interface PeopleReport {
  plan: Plan;
  result: ApplyResult;
  unread: UnreadChange[];
}

/**
 * Plans and applies for people already read (by id, or from a department listing): their
 * departments, their RAM users (each looked up on its own), then the plan, the safeguard and apply.
 */
async function settlePeople(
  input: ChangeSyncInput, sources: Map<SourceName, Source>, changes: Change[], read: { identities: Identity[]; unread: UnreadChange[] },
): Promise<PeopleReport> {
  const departments = await departmentsOf(read.identities, sources, input.settings, changes);
  const lookups = await lookUpRamUsers(input.target, changes.filter((c) => !read.unread.some((u) => u.change === c)));
  const unread = [...read.unread, ...departments.unread, ...lookups.unread];
  const unreadIds = new Set(unread.map((u) => u.externalId));
  const identities = read.identities.filter((p) => !unreadIds.has(externalIdOf(p.source, p.sourceId)));
  for (const u of unread) logUnread(u, input);

  // Only people whose state we know are planned: someone we could not read is never "gone".
  const externalIds = changes.map((c) => externalIdOf(c.source, c.sourceId)).filter((id) => !unreadIds.has(id));
  const actual = lookups.found.filter((u) => !unreadIds.has(u.externalId!));

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
  return { ...report, unread };
}

/** Each person's RAM user, looked up on its own: one failed lookup leaves only that person unplanned. */
async function lookUpRamUsers(target: RamTarget, changes: Change[]): Promise<{ found: RamUser[]; unread: UnreadChange[] }> {
  const found: RamUser[] = [];
  const unread: UnreadChange[] = [];
  await Promise.all(changes.map(async (change) => {
    const externalId = externalIdOf(change.source, change.sourceId);
    try {
      const user = await target.findUserByExternalId(externalId);
      if (user) found.push(user);
    } catch (error) {
      unread.push({ change, externalId, subject: 'person', failure: describeFailure(error) });
    }
  }));
  return { found, unread };
}

/**
 * A department created, renamed, moved or deleted: everyone in it and below it is planned again
 * from the source's listing (scope and group rules may now say otherwise about them). A deleted
 * department has nobody left (vendors delete only empty ones); its former members arrived as their
 * own changes. A listing that fails leaves the department change unread, to be retried whole.
 */
async function resyncDepartment(
  input: ChangeSyncInput, sources: Map<SourceName, Source>, leases: Leases, change: Change, named: Set<string>, reports: PeopleReport[],
): Promise<DepartmentResync> {
  const source = sources.get(change.source)!;
  const resync: DepartmentResync = { change, members: [] };
  const line = { runId: input.runId, changeId: input.changeId, source: change.source, departmentId: change.sourceId, action: 'resync-department' };
  if (!source.listDepartmentMembers) {
    input.log({ ...line, status: 'skipped', reason: `${change.reason}: ${source.name} cannot list a department's members; the reconcile full sync re-plans them` });
    return { ...resync, unsupported: true };
  }
  let chunk: Identity[] = [];
  const listedAt = Date.now();
  const settleChunk = async () => {
    const listed = new Map(chunk.map((p) => [externalIdOf(p.source, p.sourceId), p]));
    const changes = chunk.map((p): Change => ({ source: p.source, kind: CHANGE_KIND.user, sourceId: p.sourceId, reason: `department ${change.reason}` }));
    chunk = [];
    await underLocks(input, leases, changes, async (locked, busy, locks) => {
      // Someone another push applied after our listing began is read again: the listing may be older than what they applied.
      const stale = new Set(locks.releasedSince(listedAt));
      const reread = await readPeople(locked.filter((c) => stale.has(externalIdOf(c.source, c.sourceId))), sources, new Set());
      const fresh = locked.filter((c) => !stale.has(externalIdOf(c.source, c.sourceId))).map((c) => listed.get(externalIdOf(c.source, c.sourceId))!);
      reports.push(await settlePeople(input, sources, changes, { identities: [...fresh, ...reread.identities], unread: [...reread.unread, ...busy] }));
    });
  };
  try {
    const members = await source.listDepartmentMembers(change.sourceId);
    if (members === undefined) {
      input.log({ ...line, status: 'succeeded', reason: `${change.reason}: the department no longer exists; nobody is left in it to re-plan` });
      return { ...resync, deleted: true };
    }
    const seen = new Set<string>();
    for await (const person of members) {
      const externalId = externalIdOf(person.source, person.sourceId);
      if (seen.has(externalId)) continue;
      seen.add(externalId);
      resync.members.push(externalId);
      if (named.has(externalId)) continue;
      chunk.push(person);
      if (chunk.length >= DEPARTMENT_CHUNK) await settleChunk();
    }
    if (chunk.length > 0) await settleChunk();
  } catch (error) {
    const failure = describeFailure(error);
    const unread: UnreadChange = { change, externalId: departmentKey(change), subject: 'department', failure };
    logUnread(unread, input);
    reports.push({ plan: { steps: [], conflicts: [], summary: summarize([]), managed: 0 }, result: { outcomes: [], summary: summarizeOutcomes([]) }, unread: [unread] });
    return resync;
  }
  input.log({ ...line, status: 'succeeded', reason: `${change.reason}: ${resync.members.length} member(s) re-planned` });
  return resync;
}

/**
 * Runs `work` for the changes whose people this instance could lease (see personLocks.ts); people
 * another instance kept past the wait come back as retryable unread changes, retried later.
 */
async function underLocks(
  input: ChangeSyncInput, leases: Leases, changes: Change[],
  work: (locked: Change[], busy: UnreadChange[], locks: PersonLocks) => Promise<void>,
): Promise<void> {
  if (changes.length === 0) return;
  const locks = await lockPeople(input.state, changes.map((c) => externalIdOf(c.source, c.sourceId)), { leases, waitMs: input.lockWaitMs });
  try {
    const busy = new Set(locks.busy);
    const busyUnread = changes.filter((c) => busy.has(externalIdOf(c.source, c.sourceId)))
      .map((change): UnreadChange => ({ change, externalId: externalIdOf(change.source, change.sourceId), subject: 'person', failure: personBusy }));
    await work(changes.filter((c) => !busy.has(externalIdOf(c.source, c.sourceId))), busyUnread, locks);
  } finally {
    await locks.release();
  }
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
      unread.push({ change, externalId, subject: 'person', failure: describeFailure(error) });
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
    // Each department once: people of one department (and their common ancestors) name it many times.
    const fresh = [...new Map(frontier.map((d) => [`${d.source}:${d.id}`, d])).entries()]
      .filter(([key]) => !found.has(key) && !failed.has(key)).map(([, d]) => d);
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
    if (failure) unread.push({ change: changeOf.get(externalId)!, externalId, subject: 'person', failure });
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
  const subject = u.subject === 'person' ? { externalId: u.externalId } : { departmentId: u.change.sourceId };
  input.log({
    runId: input.runId, changeId: input.changeId, source: u.change.source, ...subject,
    action: u.subject === 'person' ? 'read' : 'resync-department', status: 'failed', reason: u.failure.reason, recommendedAction: u.failure.recommendedAction,
    retryable: u.failure.retryable,
  });
}
