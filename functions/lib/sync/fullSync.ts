/**
 * The one-click push: read everyone from the sources, read RAM, plan, settle the plan with the
 * deletion safeguard (the same budget and held list as push), and (unless a dry run) apply.
 * The same plan → apply engine serves push.
 */
import { mapIdentities } from '../core/mapping';
import { type Department, type Identity, parseExternalId } from '../core/model';
import { type Plan, buildPlan } from '../core/plan';
import type { ProvisioningLog, RamTarget, Source, StateStore } from '../core/ports';
import type { DeprovisionPolicy, MappingRules, SafeguardRules } from '../core/rules';
import { type SyncPath } from '../core/safeguard';
import { type ApplyResult, type StepOutcome, applyPlan, stagedReason } from './apply';
import { HeldList } from './heldList';
import { checkIdentifierTypes } from './identifiers';
import { ManagedCount } from './managedCount';
import { readRamState } from './ramState';
import { SuspensionStore } from './suspension';

export interface SyncSettings {
  rules: MappingRules;
  policy: DeprovisionPolicy;
  safeguard: SafeguardRules;
}

export interface FullSyncInput {
  sources: Source[];
  target: RamTarget;
  state: StateStore;
  settings: SyncSettings;
  /** Releases a held plan: a number allows at most that many deprovisions, `true` any. */
  allowDeletes?: number | boolean;
  /** A dry run reads the held list and the window but records nothing. */
  dryRun: boolean;
  runId: string;
  /** The path this runs for, named on the held list. Default full-sync. */
  path?: SyncPath;
}

export interface FullSyncRun extends FullSyncInput {
  log: ProvisioningLog;
  concurrency?: number;
  onPlan?: (plan: Plan) => void;
  onStep?: (outcome: StepOutcome) => void;
}

export interface FullSyncReport {
  runId: string;
  dryRun: boolean;
  plan: Plan;
  result?: ApplyResult;
}

/**
 * Plans, and settles the plan with the safeguard (recorded unless a dry run). A source that cannot be
 * listed aborts the plan: it never looks like "everyone left".
 */
export async function planFullSync(input: FullSyncInput, held = new HeldList(input.state)): Promise<Plan> {
  await checkIdentifierTypes(input.sources, input.state, { record: !input.dryRun });
  const identities: Identity[] = [];
  const departments: Department[] = [];
  for (const source of input.sources) {
    for await (const department of source.listDepartments()) departments.push(department);
    for await (const identity of source.listUsers()) identities.push(identity);
  }
  const { rules, policy, safeguard } = input.settings;
  const [ram, suspended] = await Promise.all([
    readRamState(input.target, rules.groups),
    new SuspensionStore(input.state).completed(),
  ]);
  const mapped = mapIdentities({ identities, departments, rules, actual: ram.users });
  const plan = buildPlan({
    desired: mapped.desired,
    actual: ram.users,
    coverage: { kind: 'sources', sources: input.sources.map((s) => s.name) },
    policy,
    suspended,
    groupRules: rules.groups,
    actualGroups: ram.groups,
    actualMembers: ram.members,
    conflicts: mapped.conflicts,
  });
  const sources = new Set<string>(input.sources.map((s) => s.name));
  return held.settle(plan, {
    rules: safeguard, mode: 'all', managed: plan.managed, allowDeletes: input.allowDeletes,
    covered: (externalId) => sources.has(parseExternalId(externalId)?.source ?? ''),
    origin: { path: input.path ?? 'full-sync', runId: input.runId },
  }, input.dryRun);
}

export async function runFullSync(run: FullSyncRun): Promise<FullSyncReport> {
  const held = new HeldList(run.state);
  const plan = await planFullSync(run, held);
  run.onPlan?.(plan);
  if (run.dryRun) {
    for (const step of plan.steps) {
      if (step.action === 'noop') continue;
      run.log({
        runId: run.runId, action: step.kind === 'group' ? `group-${step.action}` : step.action, status: 'planned',
        reason: step.kind === 'user' && step.staged ? stagedReason(step) : step.reason,
        ...(step.kind === 'user'
          ? { source: step.source, externalId: step.externalId, userName: step.userName }
          : { groupName: step.groupName }),
      });
    }
    return { runId: run.runId, dryRun: true, plan };
  }
  const result = await applyPlan(plan, {
    target: run.target, state: run.state, log: run.log, runId: run.runId,
    concurrency: run.concurrency, onStep: run.onStep,
  });
  await held.afterApply(result.outcomes);
  const { created, deleted } = result.summary;
  await new ManagedCount(run.state).put(plan.managed + created - deleted);
  return { runId: run.runId, dryRun: false, plan, result };
}
