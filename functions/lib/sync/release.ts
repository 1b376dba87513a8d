/**
 * Releasing the held list: an operator has reviewed who the deletion safeguard staged and lets their
 * deprovisions happen now. Each released person is read again and re-planned (level-based: someone
 * back at the source is not deprovisioned, they just leave the list), their deprovision applies
 * without counting against the budget, and the creates that waited with them follow. One
 * provisioning-log line per step, as for any other path.
 */
import { parseExternalId } from '../core/model';
import type { Change } from '../core/model';
import type { ProvisioningLog, RamTarget, Source, StateStore } from '../core/ports';
import type { HeldEntry } from '../core/safeguard';
import { type ApplySummary, type StepOutcome, summarizeOutcomes } from './apply';
import { type UnreadChange, syncChanges } from './changeSync';
import type { SyncSettings } from './fullSync';
import { HeldList } from './heldList';

/** People released per change sync: bounded reads in flight, and progress saved as it goes. */
const CHUNK = 100;

export interface ReleaseEngine {
  sources: Source[];
  target: RamTarget;
  state: StateStore;
  settings: SyncSettings;
}

export interface ReleasedPerson {
  externalId: string;
  userName: string;
  /** What was held (delete, suspend, create). */
  held: HeldEntry['action'];
  /** What happened now: the step's action and status, or why nothing could be done. */
  action: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'staged' | 'not-configured';
  reason: string;
  recommendedAction?: string;
}

export interface ReleaseResult {
  runId: string;
  /** Ids asked for that are not on the held list. */
  unknown: string[];
  people: ReleasedPerson[];
  summary: ApplySummary;
  /** Still on the held list afterwards. */
  stillHeld: number;
}

export async function releaseHeld(
  engine: ReleaseEngine, selection: string[] | 'all', run: { runId: string; log: ProvisioningLog },
): Promise<ReleaseResult> {
  const held = new HeldList(engine.state);
  const entries = await held.entries();
  const wanted = new Set(selection === 'all' ? entries.map((e) => e.externalId) : selection);
  // Creates that waited for a released person are released with them.
  for (const e of entries) if (e.mirrorOf && wanted.has(e.mirrorOf)) wanted.add(e.externalId);
  const chosen = entries.filter((e) => wanted.has(e.externalId))
    // Deprovisions first: they free the names the waiting creates want.
    .sort((a, b) => Number(a.action === 'create') - Number(b.action === 'create'));
  const unknown = selection === 'all' ? [] : selection.filter((id) => !entries.some((e) => e.externalId === id));

  const release = new Set(chosen.map((e) => e.externalId));
  const outcomes: StepOutcome[] = [];
  const people: ReleasedPerson[] = [];
  for (let i = 0; i < chosen.length; i += CHUNK) {
    const chunk = chosen.slice(i, i + CHUNK);
    const changes = chunk.map((e): Change => ({ source: e.source, kind: 'user', sourceId: parseExternalId(e.externalId)!.sourceId, reason: 'release' }));
    const report = await syncChanges({ ...engine, changes, release, path: 'release', runId: run.runId, log: run.log });
    outcomes.push(...report.result.outcomes);
    for (const entry of chunk) people.push(describe(entry, report.result.outcomes, report.unread, report.ignored));
  }
  return { runId: run.runId, unknown, people, summary: summarizeOutcomes(outcomes), stillHeld: (await held.entries()).length };
}

function describe(entry: HeldEntry, outcomes: StepOutcome[], unread: UnreadChange[], ignored: Change[]): ReleasedPerson {
  const base = { externalId: entry.externalId, userName: entry.userName, held: entry.action };
  if (ignored.some((c) => c.source === entry.source)) {
    return { ...base, action: 'none', status: 'not-configured', reason: `the ${entry.source} source is not configured here` };
  }
  const failedRead = unread.find((u) => u.externalId === entry.externalId);
  if (failedRead) {
    return { ...base, action: 'read', status: 'failed', reason: failedRead.failure.reason, recommendedAction: failedRead.failure.recommendedAction };
  }
  const outcome = outcomes.find((o) => o.step.kind === 'user' && o.step.externalId === entry.externalId);
  if (!outcome || outcome.step.kind !== 'user') {
    return { ...base, action: 'none', status: 'skipped', reason: 'no longer in RAM and not at the source: nothing to do; left the held list' };
  }
  const { step } = outcome;
  const why = outcome.failure?.reason
    ?? (step.action === entry.action || (entry.action !== 'create' && (step.action === 'delete' || step.action === 'suspend'))
      ? step.reason
      : `${step.reason} (no longer a ${entry.action}: left the held list)`);
  return { ...base, action: step.action, status: outcome.status, reason: why, recommendedAction: outcome.failure?.recommendedAction };
}
