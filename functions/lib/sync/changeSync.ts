/**
 * The incremental entrance (what `push` runs): for a batch of changes, read each named entity's
 * current state at its source and in RAM, plan for exactly those entities, apply. Level-based, so
 * duplicates, redeliveries and reordering converge. Typical cost per changed user: one RAM lookup
 * (by externalId) and one write; a name taken by someone we could not see costs one more lookup.
 */
import { mapIdentities } from '../core/mapping';
import type { Change, Department, Identity, RamUser, SourceName } from '../core/model';
import { externalIdOf } from '../core/model';
import { type Plan, buildPlan } from '../core/plan';
import type { ProvisioningLog, RamTarget, Source, StateStore } from '../core/ports';
import { applySafeguard } from '../core/safeguard';
import { type ApplyResult, applyPlan, summarizeOutcomes } from './apply';
import type { SyncSettings } from './fullSync';
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
  allowDeletes?: number | boolean;
}

export interface ChangeSyncReport {
  plan: Plan;
  result: ApplyResult;
  /** Changes naming a source that is not configured here: logged and dropped. */
  ignored: Change[];
}

export async function syncChanges(input: ChangeSyncInput): Promise<ChangeSyncReport> {
  const sources = new Map<SourceName, Source>(input.sources.map((s) => [s.name, s]));
  const unique = dedupe(input.changes);
  const ignored = unique.filter((c) => !sources.has(c.source));
  const userChanges = unique.filter((c) => c.kind === 'user' && sources.has(c.source));

  await rekeyRenamed(userChanges, { ...input, changeId: input.changeId });
  const identities = (await Promise.all(userChanges.map((c) => sources.get(c.source)!.getUser(c.sourceId))))
    .filter((p): p is Identity => p !== undefined);
  const departments = await departmentsOf(identities, sources, input.settings);
  const externalIds = userChanges.map((c) => externalIdOf(c.source, c.sourceId));
  const actual = (await Promise.all(externalIds.map((id) => input.target.findUserByExternalId(id))))
    .filter((u): u is RamUser => u !== undefined);

  let report = await planAndApply(input, { identities, departments, actual, externalIds });
  // A name held by a RAM user we could not see (console-made, another source): look it up, re-plan once.
  const taken = report.result.outcomes.filter((o) => o.status === 'failed' && o.failure?.code === 'uniqueness' && o.step.kind === 'user');
  if (taken.length > 0) {
    const holders = await Promise.all(taken.map((o) => input.target.findUserByUserName(o.step.kind === 'user' ? o.step.userName : '')));
    const retryIds = taken.map((o) => (o.step.kind === 'user' ? o.step.externalId : ''));
    const again = await planAndApply(input, {
      identities: identities.filter((p) => retryIds.includes(externalIdOf(p.source, p.sourceId))),
      departments,
      actual: [...actual, ...holders.filter((u): u is RamUser => u !== undefined)],
      externalIds: retryIds,
    });
    const kept = report.result.outcomes.filter((o) => !taken.includes(o));
    const outcomes = [...kept, ...again.result.outcomes.filter((o) => o.step.kind === 'user')];
    report = { plan: report.plan, result: { outcomes, summary: summarizeOutcomes(outcomes) } };
  }
  return { ...report, ignored };
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
  const records = await Promise.all(snap.externalIds.map((id) => suspensions.get(id)));
  const suspended = new Set(records.filter((r) => r?.complete).map((r) => r!.externalId));
  const groups = rules.groups.length ? await readMemberships(input.target, snap.actual, rules.groups.map((r) => r.group)) : undefined;

  const { mapped, actual } = await mapSeeingHolders(input.target, snap, rules);
  const plan = applySafeguard(buildPlan({
    desired: mapped.desired, actual, coverage: { kind: 'externalIds', externalIds: snap.externalIds },
    policy, suspended, groupRules: rules.groups, actualGroups: groups?.existing, actualMembers: groups?.members,
    conflicts: mapped.conflicts,
  }), safeguard, {
    allowDeletes: input.allowDeletes,
    // Before any full sync has counted our users, only the count limit can apply to a push.
    managedTotal: (await new ManagedCount(input.state).get()) ?? Number.POSITIVE_INFINITY,
  });
  const result = await applyPlan(plan, {
    target: input.target, state: input.state, log: input.log, runId: input.runId,
    changeIdFor: () => input.changeId,
  });
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

/** The people's departments and their ancestors: enough for scope and group rules by id or name. */
async function departmentsOf(people: Identity[], sources: Map<SourceName, Source>, settings: SyncSettings): Promise<Department[]> {
  const { scope, groups } = settings.rules;
  if (!groups.length && !scope.includeDepartments.length && !scope.excludeDepartments.length) return [];
  const found = new Map<string, Department>();
  let frontier = people.flatMap((p) => p.departmentIds.map((id) => ({ source: p.source, id })));
  while (frontier.length > 0) {
    const fresh = frontier.filter(({ source, id }) => !found.has(`${source}:${id}`));
    const next: typeof frontier = [];
    await Promise.all(fresh.map(async ({ source, id }) => {
      const department = await sources.get(source)!.getDepartment(id);
      if (!department) return;
      found.set(`${source}:${id}`, department);
      if (department.parentId) next.push({ source, id: department.parentId });
    }));
    frontier = next;
  }
  return [...found.values()];
}

function dedupe(changes: Change[]): Change[] {
  const seen = new Map<string, Change>();
  for (const change of changes) seen.set(`${change.source}\u0000${change.kind}\u0000${change.sourceId}`, change);
  return [...seen.values()];
}
