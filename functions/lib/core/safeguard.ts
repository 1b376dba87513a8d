/**
 * The deletion safeguard. A broken export, a scope typo, a narrowed app scope or a department
 * deleted by mistake all look exactly like "these people left"; this is what stands between that
 * and mass deletion, on every path (push, full sync, the pollers' resyncs).
 *
 * Rules:
 * 1. One budget. Deprovisions (deletes and suspensions) the sync carries out on its own are counted
 *    in a rolling window (`windowMinutes`). One that would take the window past `maxDeletes` people,
 *    or past `maxDeletePercent` of the users we manage, is *staged*: put on the held list, not applied.
 *    The first deprovision of a window is never held by the percentage alone (a team of five losing
 *    one person is not a mass event).
 * 2. Once anyone is held, every further deprovision is staged too, until an operator releases them.
 * 3. push judges its deprovisions one at a time (in externalId order): the first ones within the
 *    budget apply. A full sync judges its plan as a whole: all apply, or all are staged.
 * 4. What an operator approves (a full sync's `allowDeletes`, a release) applies and is not counted:
 *    the window measures what the sync decided by itself.
 * 5. A create that would take the place of a staged person (it lost their name to them, or wants the
 *    name of someone held, in the same source) is staged with them: a held plan holds what mirrors it.
 * 6. A held person whose step is no longer a deprovision (back at the source, enabled again, gone from
 *    RAM) leaves the list by themselves.
 *
 * Pure: the ledger is data the sync layer reads and writes with the state store's atomic update.
 */
import { type Plan, type SafeguardVerdict, type Step, type UserStep, isDeprovision, summarize } from './plan';
import type { SafeguardRules } from './rules';
import type { SourceName } from './model';

/** The paths that plan and apply; a held entry names the one that staged it. */
export type SyncPath = 'push' | 'full-sync' | 'ad-poll' | 'ldap-poll' | 'entra-poll' | 'okta-poll' | 'release';

/** Someone on the held list: a staged deprovision, or a create staged with the person it would replace. */
export interface HeldEntry {
  externalId: string;
  source: SourceName;
  /** The RAM user's name (for a create: the name it would get). */
  userName: string;
  action: 'delete' | 'suspend' | 'create';
  /** When they were first staged. */
  since: string;
  /** When a path last planned the step again and kept it staged. */
  lastSeen: string;
  /** The path, run and change (queue message) that staged them. */
  path: SyncPath;
  runId: string;
  changeId?: string;
  /** Why the step was planned, e.g. "absent at the source (left, deleted or out of scope); policy delete". */
  stepReason: string;
  /** Why it was staged instead of applied. */
  reason: string;
  /** For a create: the held person whose place it would take. */
  mirrorOf?: string;
}

/** The safeguard's state: what the window has spent, and who is held. */
export interface SafeguardLedger {
  v: 1;
  /** externalId → when the sync deprovisioned them by itself; entries older than the window drop out. */
  spent: Record<string, string>;
  held: Record<string, HeldEntry>;
}

export interface SettleOptions {
  rules: SafeguardRules;
  now: Date;
  /** Users we manage: the percentage's base. Infinity when unknown (no full sync has counted them). */
  managed: number;
  /** `each` (push): one deprovision at a time. `all` (full sync): the plan's deprovisions together. */
  mode: 'each' | 'all';
  /** A full sync's approval: a number releases a plan with at most that many deprovisions, `true` any. */
  allowDeletes?: number | boolean;
  /** People an operator released: their deprovisions (and mirrored creates) apply. */
  release?: ReadonlySet<string>;
  /** Whose current state this plan knows: only they can leave the held list. */
  covered: (externalId: string) => boolean;
  origin: { path: SyncPath; runId: string; changeId?: string };
}

export interface Settlement {
  ledger: SafeguardLedger;
  plan: Plan;
  /** False when the ledger needs no write (nothing spent, staged or left; expired entries alone don't count). */
  changed: boolean;
  /** Held people this plan applies (released): they leave the list once their step succeeded. */
  releasing: string[];
}

/** How to review and release one held person, for log lines and messages. */
export function releaseCommand(externalId: string): string {
  return `review with \`npm run sync -- --held\`, then release with \`npm run sync -- --release ${externalId}\` ` +
    `(deployed: add --remote, or invoke full-sync with {"release": ["${externalId}"]})`;
}

export function settlePlan(before: SafeguardLedger | undefined, plan: Plan, o: SettleOptions): Settlement {
  const now = o.now.toISOString();
  const oldest = o.now.getTime() - o.rules.windowMinutes * 60_000;
  const spent = Object.fromEntries(Object.entries(before?.spent ?? {}).filter(([, at]) => Date.parse(at) >= oldest));
  const held: Record<string, HeldEntry> = { ...before?.held };
  let changed = false;

  const byId = new Map<string, UserStep>();
  for (const step of plan.steps) if (step.kind === 'user') byId.set(step.externalId, step);
  const deprovisions = plan.steps.filter(isDeprovision);
  const allowed = o.allowDeletes === true ? 'all' as const : typeof o.allowDeletes === 'number' ? o.allowDeletes : undefined;
  const allowAll = allowed === 'all' || (typeof allowed === 'number' && deprovisions.length <= allowed);
  const released = (id: string) => allowAll || (o.release?.has(id) ?? false);

  // Who stays held whatever this plan stages: entries this plan cannot see, and those still planned
  // as deprovisions and not released. Any of them trips the safeguard (rule 2).
  const staysHeld = (e: HeldEntry) => {
    if (e.action === 'create') return false;
    if (!o.covered(e.externalId)) return true;
    const step = byId.get(e.externalId);
    return step !== undefined && isDeprovision(step) && !released(e.externalId);
  };
  const heldBefore = Object.values(held).filter(staysHeld);
  let trip = heldBefore.length === 0 ? undefined
    : `the held list is not empty (${heldBefore.length} held since ${heldBefore.map((e) => e.since).sort()[0]}): ` +
      'every further deprovision is staged until they are released';

  const limits = Number.isFinite(o.managed)
    ? `${o.rules.maxDeletes} people or ${o.rules.maxDeletePercent}% of ${o.managed} managed`
    : `${o.rules.maxDeletes} people (no full sync has counted the managed users yet)`;
  const exceeds = (n: number) => n > o.rules.maxDeletes
    || (n > 1 && o.managed > 0 && Number.isFinite(o.managed) && (n * 100) / o.managed > o.rules.maxDeletePercent);
  const overReason = (n: number) => `${n} deprovisions in ${o.rules.windowMinutes} min would exceed the limits (${limits})`;

  const staged = new Map<string, { reason: string; mirrorOf?: string }>();
  const pending = deprovisions.filter((s) => !released(s.externalId)).sort((a, b) => compare(a.externalId, b.externalId));
  let count = Object.keys(spent).length;
  if (o.mode === 'all') {
    // Someone already counted in the window (a repeated run) does not count twice.
    const fresh = pending.filter((s) => !(s.externalId in spent));
    const total = count + fresh.length;
    const reason = trip ?? (exceeds(total) ? overReason(total) : undefined);
    for (const s of reason ? pending : []) staged.set(s.externalId, { reason: reason! });
    for (const s of reason ? [] : fresh) spent[s.externalId] = now;
    changed ||= !reason && fresh.length > 0;
  } else {
    for (const s of pending) {
      const earlier = held[s.externalId];
      if (earlier && staysHeld(earlier)) staged.set(s.externalId, { reason: earlier.reason });
      else if (trip) staged.set(s.externalId, { reason: trip });
      else if (s.externalId in spent) continue; // counted when first applied (a retried or repeated push)
      else if (exceeds(count + 1)) {
        trip = overReason(count + 1);
        staged.set(s.externalId, { reason: trip });
      } else {
        spent[s.externalId] = now;
        count += 1;
        changed = true;
      }
    }
  }

  stageMirrors(plan, byId, staged, held, staysHeld, o);

  const releasing: string[] = [];
  for (const externalId of Object.keys(held)) {
    const step = byId.get(externalId);
    // A released step leaves the list once applied (the sync layer's afterApply), so a failure keeps it.
    const applying = step !== undefined && released(externalId) && ['delete', 'suspend', 'create'].includes(step.action);
    if (applying && !staged.has(externalId)) releasing.push(externalId);
    if (o.covered(externalId) && !staged.has(externalId) && !applying) {
      delete held[externalId]; // back at the source, enabled again, gone from RAM, or no longer a mirror
      changed = true;
    }
  }
  for (const [externalId, why] of staged) {
    const step = byId.get(externalId)!;
    const earlier = held[externalId];
    held[externalId] = earlier
      // Still staged: the same entry (since, path, why), with what the step is now (suspend became delete).
      ? { ...earlier, lastSeen: now, userName: step.userName, action: step.action as HeldEntry['action'], stepReason: step.reason }
      : {
        externalId, source: step.source, userName: step.userName, action: step.action as HeldEntry['action'],
        since: now, lastSeen: now, path: o.origin.path, runId: o.origin.runId,
        ...(o.origin.changeId ? { changeId: o.origin.changeId } : {}),
        stepReason: step.reason, reason: why.reason, ...(why.mirrorOf ? { mirrorOf: why.mirrorOf } : {}),
      };
    changed = true;
  }

  const steps: Step[] = plan.steps.map((step) => {
    if (step.kind !== 'user') return step;
    const why = staged.get(step.externalId);
    return why ? { ...step, staged: true, stagedReason: why.reason, ...(why.mirrorOf ? { mirrorOf: why.mirrorOf } : {}) } : step;
  });
  const ledger: SafeguardLedger = { v: 1, spent, held };
  const stagedDeprovisions = deprovisions.filter((s) => staged.has(s.externalId)).length;
  const verdict: SafeguardVerdict = {
    held: stagedDeprovisions > 0,
    deprovisions: deprovisions.length,
    staged: stagedDeprovisions,
    stagedCreates: staged.size - stagedDeprovisions,
    spentInWindow: Object.keys(spent).length,
    windowMinutes: o.rules.windowMinutes,
    heldTotal: Object.keys(held).length,
    managed: o.managed,
    maxDeletes: o.rules.maxDeletes,
    maxDeletePercent: o.rules.maxDeletePercent,
    ...(allowed !== undefined ? { allowed } : {}),
    reason: verdictReason(),
  };
  return { ledger, plan: { ...plan, steps, summary: summarize(steps), safeguard: verdict }, changed, releasing };

  function verdictReason(): string {
    if (stagedDeprovisions > 0) {
      const first = deprovisions.map((d) => staged.get(d.externalId)).find((why) => why !== undefined)!.reason;
      return `${stagedDeprovisions} of ${deprovisions.length} deprovision(s) staged on the held list: ${first}; ` +
        'review with `npm run sync -- --held`, release with `npm run sync -- --release all`' +
        (o.mode === 'all' ? ` (or re-run with --allow-deletes ${deprovisions.length})` : '');
    }
    if (deprovisions.length > 0 && allowAll) return `${deprovisions.length} deprovision(s) released by allowDeletes=${allowed}`;
    return `${deprovisions.length} deprovision(s) within the limits (${limits}, ` +
      `${Object.keys(spent).length} counted in the last ${o.rules.windowMinutes} min)`;
  }
}

/** Rule 5: creates that would take a staged or held person's place wait with them. */
function stageMirrors(
  plan: Plan, byId: Map<string, UserStep>, staged: Map<string, { reason: string; mirrorOf?: string }>,
  held: Record<string, HeldEntry>, staysHeld: (e: HeldEntry) => boolean, o: SettleOptions,
): void {
  const waiting = new Set([...staged.keys(), ...Object.values(held).filter(staysHeld).map((e) => e.externalId)]);
  if (waiting.size === 0) return;
  const byName = new Map<string, string>();
  for (const id of waiting) {
    const person = byId.get(id) ?? held[id];
    if (person) byName.set(nameKey(person.source, person.userName), id);
  }
  const lostTo = new Map<string, string>();
  for (const conflict of plan.conflicts) {
    if (!waiting.has(conflict.holder)) continue;
    for (const loser of conflict.renamed) lostTo.set(loser.externalId, conflict.holder);
  }
  for (const step of byId.values()) {
    if (step.action !== 'create' || o.release?.has(step.externalId)) continue;
    const mirrorOf = lostTo.get(step.externalId) ?? byName.get(nameKey(step.source, step.userName));
    const other = mirrorOf === undefined ? undefined : byId.get(mirrorOf) ?? held[mirrorOf];
    if (mirrorOf === undefined || mirrorOf === step.externalId || other?.source !== step.source) continue;
    staged.set(step.externalId, {
      reason: `it would take the place of ${other.userName} (${mirrorOf}), whose deprovision is held: it waits with them`,
      mirrorOf,
    });
  }
}

const nameKey = (source: SourceName, userName: string) => `${source}\u0000${userName.toLowerCase()}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The ledger with a person's externalId changed from `from` to `to` (a renamed source id, an id-type
 * migration): their held entry, their place in the window, creates waiting for them. `ledger` is
 * undefined when it has nothing of `from`; `moved` names what moved.
 */
export function rekeyLedger(current: SafeguardLedger | undefined, from: string, to: string): { ledger?: SafeguardLedger; moved: string[] } {
  if (!current) return { moved: [] };
  const moved: string[] = [];
  const held = { ...current.held };
  const spent = { ...current.spent };
  const entry = held[from];
  if (entry) {
    delete held[from];
    held[to] = { ...entry, externalId: to };
    moved.push('held entry');
  }
  for (const [id, e] of Object.entries(held)) {
    if (e.mirrorOf !== from) continue;
    held[id] = { ...e, mirrorOf: to };
    moved.push(`held create ${id}`);
  }
  const at = spent[from];
  if (at !== undefined) {
    delete spent[from];
    spent[to] = at;
    moved.push('deletion-window entry');
  }
  return moved.length > 0 ? { ledger: { ...current, held, spent }, moved } : { moved };
}
