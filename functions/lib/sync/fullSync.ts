/**
 * The one-click push: read everyone from the sources, read RAM, plan, hold mass deprovisions,
 * and (unless a dry run) apply. The same plan → apply engine serves push.
 */
import { mapIdentities } from '../core/mapping';
import type { Department, Identity } from '../core/model';
import { type Plan, buildPlan } from '../core/plan';
import type { ProvisioningLog, RamTarget, Source, StateStore } from '../core/ports';
import type { DeprovisionPolicy, MappingRules, SafeguardRules } from '../core/rules';
import { applySafeguard } from '../core/safeguard';
import { type ApplyResult, type StepOutcome, applyPlan } from './apply';
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
}

export interface FullSyncRun extends FullSyncInput {
  dryRun: boolean;
  runId: string;
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

/** Plans without writing anything. A source that cannot be listed aborts the plan: it never looks like "everyone left". */
export async function planFullSync(input: FullSyncInput): Promise<Plan> {
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
  return applySafeguard(plan, safeguard, { allowDeletes: input.allowDeletes });
}

export async function runFullSync(run: FullSyncRun): Promise<FullSyncReport> {
  const plan = await planFullSync(run);
  run.onPlan?.(plan);
  if (run.dryRun) {
    for (const step of plan.steps) {
      if (step.action === 'noop') continue;
      run.log({
        runId: run.runId, action: step.kind === 'group' ? `group-${step.action}` : step.action, status: 'planned',
        reason: step.reason,
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
  const { created, deleted } = result.summary;
  await new ManagedCount(run.state).put(plan.managed + created - deleted);
  return { runId: run.runId, dryRun: false, plan, result };
}
