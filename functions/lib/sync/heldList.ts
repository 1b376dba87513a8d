/**
 * The deletion safeguard's ledger in the state store: the rolling window of deprovisions and the
 * held list, shared by every path and every FC instance (one record on the NAS, changed only with
 * the store's atomic update, so four pushes at once never spend more than the budget).
 */
import type { Plan } from '../core/plan';
import type { StateStore } from '../core/ports';
import { type HeldEntry, type SafeguardLedger, type SettleOptions, rekeyLedger, settlePlan } from '../core/safeguard';
import type { StepOutcome } from './apply';

/** The ledger's state key; changed only with `update`. */
export const LEDGER_KEY = 'safeguard/ledger';

export class HeldList {
  /** Held people the last settled plan applies: afterApply takes those that succeeded off the list. */
  private releasing = new Set<string>();

  constructor(private readonly state: StateStore, private readonly now: () => Date = () => new Date()) {}

  /** Everyone held, oldest first. */
  async entries(): Promise<HeldEntry[]> {
    const ledger = await this.state.get<SafeguardLedger>(LEDGER_KEY);
    return Object.values(ledger?.held ?? {}).sort((a, b) => compare(a.since, b.since) || compare(a.externalId, b.externalId));
  }

  /**
   * Judges the plan's deprovisions against the budget and the held list, and records the outcome
   * (what the window spent, who is staged, who left the list) in one atomic update. A dry run only
   * reads: its plan shows what would be staged.
   */
  async settle(plan: Plan, options: Omit<SettleOptions, 'now'>, dryRun = false): Promise<Plan> {
    if (dryRun) return settlePlan(await this.state.get<SafeguardLedger>(LEDGER_KEY), plan, { ...options, now: this.now() }).plan;
    let settled: Plan = plan;
    await this.state.update<SafeguardLedger>(LEDGER_KEY, (current) => {
      const s = settlePlan(current, plan, { ...options, now: this.now() });
      settled = s.plan;
      this.releasing = new Set(s.releasing);
      return s.changed ? s.ledger : undefined;
    });
    return settled;
  }

  /**
   * Follows a person whose externalId changed (`rekeyLedger`); answers what moved. With `write: false`
   * it only says what would move.
   */
  async rekey(from: string, to: string, options: { write: boolean }): Promise<string[]> {
    if (!options.write) return rekeyLedger(await this.state.get<SafeguardLedger>(LEDGER_KEY), from, to).moved;
    let moved: string[] = [];
    await this.state.update<SafeguardLedger>(LEDGER_KEY, (current) => {
      const rekeyed = rekeyLedger(current, from, to);
      moved = rekeyed.moved;
      return rekeyed.ledger;
    });
    return moved;
  }

  /** Released steps that were carried out leave the list; a failed one stays, to be released again. */
  async afterApply(outcomes: StepOutcome[]): Promise<void> {
    await leaveHeldList(this.state, this.releasing, outcomes);
  }
}

/**
 * Takes the released people whose steps succeeded off the held list; also for a run whose settle
 * happened in an earlier invocation (a resumed full sync).
 */
export async function leaveHeldList(state: StateStore, releasing: ReadonlySet<string>, outcomes: StepOutcome[]): Promise<void> {
  const done = outcomes.flatMap((o) =>
    (o.status === 'succeeded' && o.step.kind === 'user' && releasing.has(o.step.externalId) ? [o.step.externalId] : []));
  if (done.length === 0) return;
  await state.update<SafeguardLedger>(LEDGER_KEY, (current) => {
    if (!current || !done.some((id) => id in current.held)) return undefined;
    const held = { ...current.held };
    for (const id of done) delete held[id];
    return { ...current, held };
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
