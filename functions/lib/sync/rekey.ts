/**
 * A person whose source id changed (WeCom's `NewUserID`) keeps their RAM user: before planning, the
 * RAM user linked to the previous id is re-linked to the new one (a SCIM PUT of the externalId), and
 * so are any suspension record and their place in the deletion safeguard's ledger (a held entry must
 * not be left behind under an id no change will name again). Idempotent: once the new id is linked,
 * nothing happens.
 */
import type { Change } from '../core/model';
import { externalIdOf } from '../core/model';
import type { ProvisioningLog, RamTarget, StateStore } from '../core/ports';
import { HeldList } from './heldList';
import { SuspensionStore } from './suspension';

/** The hint a source puts on a change when the entity's id changed. */
export const PREVIOUS_SOURCE_ID = 'previousSourceId';

export async function rekeyRenamed(
  changes: Change[], deps: { target: RamTarget; state: StateStore; log: ProvisioningLog; runId: string; changeId?: string },
): Promise<void> {
  const suspensions = new SuspensionStore(deps.state);
  for (const change of changes) {
    const previous = change.hint?.[PREVIOUS_SOURCE_ID];
    if (change.kind !== 'user' || !previous || previous === change.sourceId) continue;
    const to = externalIdOf(change.source, change.sourceId);
    const from = externalIdOf(change.source, previous);
    if (await deps.target.findUserByExternalId(to)) continue;
    const user = await deps.target.findUserByExternalId(from);
    if (!user) continue;
    await deps.target.replaceUser(user.id, { userName: user.userName, displayName: user.displayName, externalId: to });
    await suspensions.move(from, to);
    await new HeldList(deps.state).rekey(from, to, { write: true });
    deps.log({
      runId: deps.runId, changeId: deps.changeId, source: change.source, externalId: to, userName: user.userName,
      action: 'rekey', status: 'succeeded', reason: `source id changed from ${previous}: the same RAM user follows it`,
    });
  }
}
