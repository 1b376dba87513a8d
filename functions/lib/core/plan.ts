/**
 * Planning: from the users people should have and the users RAM holds, the steps that make them equal.
 * Pure and level-based: the same inputs always give the same plan, whatever happened before.
 */
import type { NameConflict } from './mapping';
import { type DesiredUser, type RamGroup, type RamUser, type SourceName, parseExternalId } from './model';
import type { DeprovisionMode, DeprovisionPolicy, GroupRule } from './rules';

export const USER_ACTION = {
  create: 'create', update: 'update', delete: 'delete', suspend: 'suspend', restore: 'restore', noop: 'noop',
} as const;
export type UserAction = (typeof USER_ACTION)[keyof typeof USER_ACTION];

export interface AttributeDiff {
  field: 'userName' | 'displayName';
  from: string;
  to: string;
}

export interface UserStep {
  kind: 'user';
  action: UserAction;
  externalId: string;
  source: SourceName;
  sourceId: string;
  /** The name the user has after the step (for a delete: its current name). */
  userName: string;
  /** SCIM id of the existing RAM user; absent for a create. */
  ramId?: string;
  displayName: string;
  diff: AttributeDiff[];
  groups: { add: string[]; remove: string[] };
  reason: string;
  /** Held by the deletion safeguard: on the held list, not applied until released. */
  staged?: boolean;
  /** Why it was staged. */
  stagedReason?: string;
  /** A staged create: the held person whose place it would take. */
  mirrorOf?: string;
  /** A create for someone disabled under the suspend policy: suspended right after. */
  thenSuspend?: boolean;
}

export interface GroupStep {
  kind: 'group';
  action: 'create' | 'noop';
  groupName: string;
  comments?: string;
  reason: string;
}

export type Step = UserStep | GroupStep;

/** Which actual RAM users the desired list speaks for: a missing one of these is gone at the source. */
export type Coverage =
  | { kind: 'sources'; sources: SourceName[] }
  | { kind: 'externalIds'; externalIds: string[] };

export interface PlanInput {
  desired: Iterable<DesiredUser>;
  actual: Iterable<RamUser>;
  coverage: Coverage;
  policy: DeprovisionPolicy;
  /** externalIds with a complete suspension record. */
  suspended?: ReadonlySet<string>;
  /** Group rules (only their groups are managed), the RAM groups that exist, and their members' userNames. */
  groupRules?: GroupRule[];
  actualGroups?: Iterable<RamGroup>;
  actualMembers?: ReadonlyMap<string, ReadonlySet<string>>;
  conflicts?: NameConflict[];
}

export interface PlanSummary {
  create: number; update: number; delete: number; suspend: number; restore: number; noop: number;
  groupCreate: number; staged: number;
}

export interface Plan {
  steps: Step[];
  conflicts: NameConflict[];
  summary: PlanSummary;
  /** Users with our externalId that the plan covers: the base of the safeguard's percentage. */
  managed: number;
  safeguard?: SafeguardVerdict;
}

export interface SafeguardVerdict {
  /** Some of this plan's deprovisions were staged. */
  held: boolean;
  deprovisions: number;
  /** Deprovisions staged, and creates staged with them. */
  staged: number;
  stagedCreates: number;
  /** Deprovisions counted in the window after this plan, and the window's length. */
  spentInWindow: number;
  windowMinutes: number;
  /** Everyone on the held list after this plan. */
  heldTotal: number;
  /** The percentage's base; Infinity when no full sync has counted the managed users yet. */
  managed: number;
  maxDeletes: number;
  maxDeletePercent: number;
  allowed?: number | 'all';
  reason: string;
}

const lower = (s: string) => s.toLowerCase();

/** Builds the plan. Users without our externalId, or of sources the coverage omits, never appear. */
export function buildPlan(input: PlanInput): Plan {
  const covers = coveragePredicate(input.coverage);
  const managedGroups = new Set((input.groupRules ?? []).map((r) => r.group));
  const members = input.actualMembers ?? new Map<string, ReadonlySet<string>>();
  const suspended = input.suspended ?? new Set<string>();

  const actualByExternalId = new Map<string, RamUser>();
  for (const user of input.actual) {
    if (user.externalId && covers(user.externalId)) actualByExternalId.set(user.externalId, user);
  }
  const managed = actualByExternalId.size;

  const steps: Step[] = groupSteps(input.groupRules ?? [], input.actualGroups ?? []);
  const seen = new Set<string>();
  for (const want of input.desired) {
    seen.add(want.externalId);
    const have = actualByExternalId.get(want.externalId);
    steps.push(planPerson(want, have, { policy: input.policy, suspended, managedGroups, members }));
  }
  for (const [externalId, have] of actualByExternalId) {
    if (seen.has(externalId)) continue;
    steps.push(planAbsent(have, externalId, input.policy.deleted, { suspended, managedGroups, members }));
  }
  return { steps, conflicts: input.conflicts ?? [], summary: summarize(steps), managed };
}

interface Context {
  policy: DeprovisionPolicy;
  suspended: ReadonlySet<string>;
  managedGroups: ReadonlySet<string>;
  members: ReadonlyMap<string, ReadonlySet<string>>;
}

function planPerson(want: DesiredUser, have: RamUser | undefined, ctx: Context): UserStep {
  const base = {
    kind: 'user' as const, externalId: want.externalId, source: want.source, sourceId: want.sourceId,
    userName: want.userName, displayName: want.displayName,
  };
  const disabled = want.status === 'disabled';
  if (!have) {
    if (disabled && ctx.policy.disabled === 'delete') {
      return { ...base, action: 'noop', diff: [], groups: none(), reason: 'disabled at the source, policy delete: nothing to create' };
    }
    // The end state of a disabled person under `suspend` is "account kept, no access", however the
    // events arrived: so one seen first while disabled is created, then suspended.
    const suspend = disabled && ctx.policy.disabled === 'suspend' && !ctx.suspended.has(want.externalId);
    return {
      ...base, action: 'create', diff: [], groups: { add: [...want.groups].sort(), remove: [] },
      ...(suspend ? { thenSuspend: true } : {}),
      reason: !disabled ? 'new at the source'
        : suspend ? 'new at the source, disabled: created without access (policy suspend)'
          : 'new at the source, disabled (policy none)',
    };
  }
  if (disabled && ctx.policy.disabled === 'delete') {
    return deprovisionStep(have, want.externalId, 'delete', 'disabled at the source', ctx, base);
  }
  const diff = attributeDiff(have, want);
  const groups = membershipDiff(have.userName, want.groups, ctx);
  const wasSuspended = ctx.suspended.has(want.externalId);
  const changed = diff.length > 0 || groups.add.length > 0 || groups.remove.length > 0;
  if (disabled && ctx.policy.disabled === 'suspend') {
    // A suspended account is still kept in step, so it ends the same whatever order events came in.
    const action: UserAction = !wasSuspended ? 'suspend' : changed ? 'update' : 'noop';
    const why = !wasSuspended ? 'disabled at the source; policy suspend' : changed ? 'disabled (suspended); attributes changed' : 'disabled at the source; already suspended';
    return { ...base, ramId: have.id, action, diff, groups, reason: why };
  }
  const action: UserAction = wasSuspended ? 'restore' : changed ? 'update' : 'noop';
  const reasons = [
    wasSuspended ? 'enabled again at the source: restore what suspension changed' : '',
    diff.length ? `${diff.map((d) => d.field).join(', ')} changed` : '',
    groups.add.length || groups.remove.length ? 'group membership changed' : '',
  ].filter(Boolean);
  return { ...base, ramId: have.id, action, diff, groups, reason: reasons.join('; ') || 'in step' };
}

function planAbsent(have: RamUser, externalId: string, mode: DeprovisionMode, ctx: Omit<Context, 'policy'>): UserStep {
  const parsed = parseExternalId(externalId)!;
  const base = {
    kind: 'user' as const, externalId, source: parsed.source, sourceId: parsed.sourceId,
    userName: have.userName, displayName: have.displayName,
  };
  return deprovisionStep(have, externalId, mode, 'absent at the source (left, deleted or out of scope)', ctx, base);
}

function deprovisionStep(
  have: RamUser, externalId: string, mode: DeprovisionMode, why: string,
  ctx: Pick<Context, 'suspended' | 'managedGroups' | 'members'>,
  base: Omit<UserStep, 'action' | 'diff' | 'groups' | 'reason' | 'ramId'>,
): UserStep {
  const step = { ...base, userName: have.userName, ramId: have.id, diff: [] as AttributeDiff[] };
  if (mode === 'none') return { ...step, action: 'noop', groups: none(), reason: `${why}; deprovision policy is none` };
  if (mode === 'suspend') {
    if (ctx.suspended.has(externalId)) return { ...step, action: 'noop', groups: none(), reason: `${why}; already suspended` };
    return { ...step, action: 'suspend', groups: none(), reason: `${why}; policy suspend` };
  }
  return { ...step, action: 'delete', groups: membershipDiff(have.userName, [], ctx), reason: `${why}; policy delete` };
}

function attributeDiff(have: RamUser, want: DesiredUser): AttributeDiff[] {
  const diff: AttributeDiff[] = [];
  // RAM names are case-insensitive: a case-only difference is not worth a rename.
  if (lower(have.userName) !== lower(want.userName)) diff.push({ field: 'userName', from: have.userName, to: want.userName });
  if (have.displayName !== want.displayName) diff.push({ field: 'displayName', from: have.displayName, to: want.displayName });
  return diff;
}

function membershipDiff(userName: string, wanted: string[], ctx: Pick<Context, 'managedGroups' | 'members'>) {
  const name = lower(userName);
  const want = new Set(wanted.filter((g) => ctx.managedGroups.has(g)));
  const add: string[] = [];
  const remove: string[] = [];
  for (const group of ctx.managedGroups) {
    const isMember = ctx.members.get(group)?.has(name) ?? false;
    if (want.has(group) && !isMember) add.push(group);
    if (!want.has(group) && isMember) remove.push(group);
  }
  return { add: add.sort(), remove: remove.sort() };
}

function groupSteps(rules: GroupRule[], actualGroups: Iterable<RamGroup>): GroupStep[] {
  const existing = new Set([...actualGroups].map((g) => lower(g.groupName)));
  const byName = new Map<string, GroupRule>();
  for (const rule of rules) if (!byName.has(rule.group)) byName.set(rule.group, rule);
  return [...byName.values()].sort((a, b) => a.group.localeCompare(b.group)).map((rule) =>
    existing.has(lower(rule.group))
      ? { kind: 'group', action: 'noop', groupName: rule.group, reason: 'exists' }
      : { kind: 'group', action: 'create', groupName: rule.group, comments: rule.comments, reason: `mapped from department ${rule.department}` });
}

function coveragePredicate(coverage: Coverage): (externalId: string) => boolean {
  if (coverage.kind === 'externalIds') {
    const ids = new Set(coverage.externalIds);
    return (externalId) => ids.has(externalId);
  }
  const sources = new Set<string>(coverage.sources);
  return (externalId) => {
    const parsed = parseExternalId(externalId);
    return parsed !== undefined && sources.has(parsed.source);
  };
}

const none = () => ({ add: [] as string[], remove: [] as string[] });

export function summarize(steps: Step[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, suspend: 0, restore: 0, noop: 0, groupCreate: 0, staged: 0 };
  for (const step of steps) {
    if (step.kind === 'group') {
      if (step.action === 'create') s.groupCreate++;
      continue;
    }
    if (step.staged) s.staged++;
    else s[step.action]++;
  }
  return s;
}

/** Steps that take access away: what the deletion safeguard counts. */
export function isDeprovision(step: Step): step is UserStep {
  return step.kind === 'user' && (step.action === 'delete' || step.action === 'suspend');
}

/**
 * Plans made one after another in one invocation (a push's people, then a department's members in
 * chunks) as one: steps and conflicts together, the safeguard's counts added up, the window and the
 * held list as the last plan left them.
 */
export function mergePlans(plans: Plan[]): Plan {
  if (plans.length === 1) return plans[0]!;
  const steps = plans.flatMap((p) => p.steps);
  const verdicts = plans.map((p) => p.safeguard).filter((v): v is SafeguardVerdict => v !== undefined);
  const last = verdicts.at(-1);
  return {
    steps,
    conflicts: plans.flatMap((p) => p.conflicts),
    summary: summarize(steps),
    managed: Math.max(0, ...plans.map((p) => p.managed)),
    ...(last && {
      safeguard: {
        ...last,
        held: verdicts.some((v) => v.held),
        deprovisions: verdicts.reduce((n, v) => n + v.deprovisions, 0),
        staged: verdicts.reduce((n, v) => n + v.staged, 0),
        stagedCreates: verdicts.reduce((n, v) => n + v.stagedCreates, 0),
      },
    }),
  };
}
