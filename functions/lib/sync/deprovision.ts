/**
 * Taking access away, and giving it back. Never forced: when RAM refuses a delete (AccessKeys,
 * policies, MFA, groups we don't manage) the step fails with the reason and what to do.
 */
import type { UserStep } from '../core/plan';
import type { RamTarget } from '../core/ports';
import { StepRefusedError } from './failure';
import type { SuspensionStore } from './suspension';

interface DeprovisionContext {
  target: RamTarget;
  suspensions: SuspensionStore;
  newPassword: () => string;
}

export async function deleteUser(step: UserStep, ctx: DeprovisionContext): Promise<void> {
  for (const group of step.groups.remove) await ctx.target.removeUserFromGroup(group, step.userName);
  const others = await ctx.target.listGroupsForUser(step.userName);
  if (others.length > 0) {
    throw new StepRefusedError({
      code: 'DeleteConflict.User.Group',
      reason: `still in RAM group(s) no rule manages: ${others.join(', ')}`,
      recommendedAction: 'remove the user from those groups in the RAM console (or add group rules for them), then re-run',
      retryable: false,
    });
  }
  await ctx.target.deleteUser(step.ramId!);
  await ctx.suspensions.remove(step.externalId);
}

/** Deactivates active AccessKeys and removes console login, recording both first. */
export async function suspendUser(step: UserStep, ctx: DeprovisionContext): Promise<void> {
  const userName = step.userName;
  const [keys, profile] = await Promise.all([ctx.target.listAccessKeys(userName), ctx.target.getLoginProfile(userName)]);
  const active = keys.filter((k) => k.status === 'Active').map((k) => k.accessKeyId);
  // Merged with whatever an earlier (or, without the person's lease, a concurrent) suspension recorded.
  const record = await ctx.suspensions.merge({
    externalId: step.externalId,
    userName,
    accessKeyIds: active.sort(),
    loginProfile: profile && { passwordResetRequired: profile.passwordResetRequired, mfaBindRequired: profile.mfaBindRequired },
    suspendedAt: new Date().toISOString(),
    complete: false,
  });
  for (const id of active) await ctx.target.setAccessKeyStatus(userName, id, 'Inactive');
  if (profile) await ctx.target.deleteLoginProfile(userName);
  await ctx.suspensions.merge({ ...record, complete: true });
}

/**
 * Gives back exactly what suspension took: the AccessKeys it deactivated (still present) and console
 * login. The old password cannot come back: the login gets an unknowable one that must be reset.
 */
export async function restoreUser(step: UserStep, ctx: DeprovisionContext): Promise<void> {
  const record = await ctx.suspensions.get(step.externalId);
  if (!record) return;
  const present = new Set((await ctx.target.listAccessKeys(step.userName)).map((k) => k.accessKeyId));
  for (const id of record.accessKeyIds) {
    if (present.has(id)) await ctx.target.setAccessKeyStatus(step.userName, id, 'Active');
  }
  if (record.loginProfile && !(await ctx.target.getLoginProfile(step.userName))) {
    await ctx.target.createLoginProfile(step.userName, {
      ...record.loginProfile, passwordResetRequired: true, password: ctx.newPassword(),
    });
  }
  await ctx.suspensions.remove(step.externalId);
}
