/**
 * A resumed full sync's look before each write. The plan it resumes was made by an earlier
 * invocation: meanwhile that invocation may have been killed half-way through a step, and push may
 * have changed the person. So each step is checked against RAM as this invocation finds it (one
 * listing of RAM's users and mapped groups when it starts, as planning reads it: pages, never one
 * call per person) and, where the source decides whether the person should exist at all (creates and
 * deprovisions), against the source (one read of that person). It carries out only what is left:
 * - RAM already as the step leaves it (our interrupted write landed, or push did it): the writes that
 *   landed are not repeated, the rest (group memberships, a suspension) is finished;
 * - RAM as the plan found it: the step runs as planned;
 * - anything else (renamed, deleted or created by someone else since the plan), or a person who came
 *   back to (or left) the source: the plan is stale for them and the step is skipped; the next push or
 *   full sync settles them from fresh reads.
 */
import { IDENTITY_STATUS, type RamUser } from '../core/model';
import type { Step, UserStep } from '../core/plan';
import type { Source } from '../core/ports';
import type { StepOutcome } from './apply';
import type { RamSnapshot } from './ramState';
import type { SuspensionStore } from './suspension';

export interface RecheckContext {
  sources: readonly Source[];
  suspensions: SuspensionStore;
  /** RAM as this invocation found it, read once (readRamState) when the first step needs it. */
  ram: () => Promise<RamView>;
}

/** A RAM snapshot indexed for the re-check. */
export class RamView {
  private readonly byExternalId = new Map<string, RamUser>();
  private readonly byId = new Map<string, RamUser>();
  private readonly groups: Set<string>;

  constructor(private readonly snapshot: RamSnapshot) {
    for (const user of snapshot.users) {
      this.byId.set(user.id, user);
      if (user.externalId) this.byExternalId.set(user.externalId, user);
    }
    this.groups = new Set(snapshot.groups.map((g) => g.groupName.toLowerCase()));
  }

  user(step: UserStep): RamUser | undefined {
    return step.ramId ? this.byId.get(step.ramId) : this.byExternalId.get(step.externalId);
  }

  hasGroup(name: string): boolean {
    return this.groups.has(name.toLowerCase());
  }

  isMember(group: string, userName: string): boolean {
    return this.snapshot.members.get(group)?.has(userName.toLowerCase()) ?? false;
  }
}

const STALE = 'skipped: the plan is stale for this person';

export async function recheckStep(step: Step, ctx: RecheckContext): Promise<Step | StepOutcome> {
  if (step.kind === 'group') {
    if (step.action === 'noop') return step;
    return (await ctx.ram()).hasGroup(step.groupName)
      ? { step, status: 'succeeded', reason: `${step.reason}; found in RAM on resuming` }
      : step;
  }
  if (step.action === 'noop' || (step.staged && step.action !== 'suspend')) return step; // no writes
  switch (step.action) {
    case 'create':
      return recheckCreate(step, ctx);
    case 'delete':
      return recheckDelete(step, ctx);
    default:
      return recheckExisting(step, ctx);
  }
}

async function recheckCreate(step: UserStep, ctx: RecheckContext): Promise<UserStep | StepOutcome> {
  const identity = await sourceOf(step, ctx).getUser(step.sourceId);
  if (!identity || (identity.status !== IDENTITY_STATUS.active && !step.thenSuspend)) {
    return stale(step, 'no longer an active person at the source');
  }
  const ram = await ctx.ram();
  const user = ram.user(step);
  if (!user) return step;
  if (!sameAttributes(user, step.userName, step.displayName)) return stale(step, 'created in RAM with other values since the plan');
  // Created already (by this run before it was interrupted, or by push): finish groups and suspension.
  return {
    ...step, action: step.thenSuspend ? 'suspend' : 'update', ramId: user.id, diff: [], thenSuspend: false,
    groups: { add: step.groups.add.filter((g) => !ram.isMember(g, user.userName)), remove: [] },
  };
}

async function recheckExisting(step: UserStep, ctx: RecheckContext): Promise<UserStep | StepOutcome> {
  if (step.action === 'suspend' && !step.staged && await backAtSource(step, ctx)) return stale(step, 'active at the source again');
  const ram = await ctx.ram();
  const user = ram.user(step);
  if (!user) return stale(step, 'gone from RAM since the plan');
  const before = {
    userName: step.diff.find((d) => d.field === 'userName')?.from ?? step.userName,
    displayName: step.diff.find((d) => d.field === 'displayName')?.from ?? step.displayName,
  };
  const done = sameAttributes(user, step.userName, step.displayName);
  if (!done && !sameAttributes(user, before.userName, before.displayName)) return stale(step, 'changed in RAM since the plan');
  return {
    ...step, diff: done ? [] : step.diff,
    groups: {
      add: step.groups.add.filter((g) => !ram.isMember(g, user.userName)),
      remove: step.groups.remove.filter((g) => ram.isMember(g, user.userName)),
    },
  };
}

async function recheckDelete(step: UserStep, ctx: RecheckContext): Promise<UserStep | StepOutcome> {
  if (await backAtSource(step, ctx)) return stale(step, 'active at the source again');
  const ram = await ctx.ram();
  const user = ram.user(step);
  if (!user) {
    await ctx.suspensions.remove(step.externalId);
    return { step, status: 'succeeded', reason: `${step.reason}; already gone from RAM on resuming` };
  }
  if (user.userName.toLowerCase() !== step.userName.toLowerCase()) return stale(step, 'renamed in RAM since the plan');
  return { ...step, groups: { add: [], remove: step.groups.remove.filter((g) => ram.isMember(g, user.userName)) } };
}

/** A deprovision whose person is active at the source again must not run. */
async function backAtSource(step: UserStep, ctx: RecheckContext): Promise<boolean> {
  const identity = await sourceOf(step, ctx).getUser(step.sourceId);
  return identity?.status === IDENTITY_STATUS.active;
}

function sourceOf(step: UserStep, ctx: RecheckContext): Source {
  const source = ctx.sources.find((s) => s.name === step.source);
  if (!source) throw new Error(`source ${step.source} is not part of this full sync`);
  return source;
}

function sameAttributes(user: RamUser, userName: string, displayName: string): boolean {
  // RAM names are case-insensitive, and the plan ignores a case-only difference too.
  return user.userName.toLowerCase() === userName.toLowerCase() && user.displayName === displayName;
}

function stale(step: UserStep, why: string): StepOutcome {
  return { step, status: 'skipped', reason: `${STALE} (${why}); the next push or full sync settles it` };
}
