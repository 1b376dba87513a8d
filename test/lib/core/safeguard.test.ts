import fc from 'fast-check';
import type { RamUser } from '../../../functions/lib/core/model';
import { type Plan, buildPlan, isDeprovision } from '../../../functions/lib/core/plan';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_SAFEGUARD, type SafeguardRules } from '../../../functions/lib/core/rules';
import { type SafeguardLedger, type SettleOptions, releaseCommand, settlePlan } from '../../../functions/lib/core/safeguard';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

const ram = (i: number, source = 'file'): RamUser => ({ id: `r${source}${i}`, userName: `u${i}`, displayName: `U${i}`, externalId: `${source}:${i}` });

/** A plan over `managed` RAM users of ours where the people numbered in `gone` left the source. */
function planWith(managed: number, gone: number[] | number, extra: Parameters<typeof buildPlan>[0]['desired'] = []): Plan {
  const leaving = new Set(typeof gone === 'number' ? Array.from({ length: gone }, (_, i) => i) : gone);
  const actual = Array.from({ length: managed }, (_, i) => ram(i));
  const desired = actual.filter((_, i) => !leaving.has(i)).map((u) => ({
    externalId: u.externalId!, source: 'file' as const, sourceId: u.externalId!.slice(5), userName: u.userName,
    displayName: u.displayName, status: 'active' as const, groups: [],
  }));
  return buildPlan({ desired: [...desired, ...extra], actual, coverage: { kind: 'sources', sources: ['file'] }, policy: DEFAULT_DEPROVISION_POLICY });
}

function options(over: Partial<SettleOptions> = {}): SettleOptions {
  return {
    rules: DEFAULT_SAFEGUARD, now: T0, managed: Number.POSITIVE_INFINITY, mode: 'all', covered: () => true,
    origin: { path: 'full-sync', runId: 'run-1' }, ...over,
  };
}

const fullSync = (ledger: SafeguardLedger | undefined, plan: Plan, over: Partial<SettleOptions> = {}) =>
  settlePlan(ledger, plan, options({ managed: plan.managed, ...over }));
/** One push naming exactly the people in `plan`. */
const push = (ledger: SafeguardLedger | undefined, plan: Plan, over: Partial<SettleOptions> = {}) => {
  const named = new Set(plan.steps.flatMap((s) => (s.kind === 'user' ? [s.externalId] : [])));
  return settlePlan(ledger, plan, options({ mode: 'each', covered: (id) => named.has(id), origin: { path: 'push', runId: 'p', changeId: 'm1' }, ...over }));
};
/** The plan of a push for the people numbered in `ids`, all of them gone. */
function leavers(ids: number[], source = 'file'): Plan {
  const actual = ids.map((i) => ram(i, source));
  return buildPlan({ desired: [], actual, coverage: { kind: 'externalIds', externalIds: actual.map((u) => u.externalId!) }, policy: DEFAULT_DEPROVISION_POLICY });
}
const stagedIds = (plan: Plan) => plan.steps.flatMap((s) => (s.kind === 'user' && s.staged ? [s.externalId] : []));

describe('settlePlan: a full sync is judged as a whole', () => {
  it('lets through deletions within both limits (defaults: 20 people, 10%) and counts them in the window', () => {
    const s = fullSync(undefined, planWith(1000, 20));
    expect(s.plan.safeguard).toMatchObject({ held: false, deprovisions: 20, managed: 1000, spentInWindow: 20 });
    expect(s.plan.summary).toMatchObject({ delete: 20, staged: 0 });
    expect(Object.keys(s.ledger.spent)).toHaveLength(20);
    expect(s.changed).toBe(true);
  });

  it('holds a plan over the count limit: every deprovision staged and on the held list, nothing counted', () => {
    const s = fullSync(undefined, planWith(1000, 21));
    expect(s.plan.safeguard).toMatchObject({ held: true, staged: 21, heldTotal: 21, spentInWindow: 0 });
    expect(s.plan.summary).toMatchObject({ delete: 0, staged: 21, noop: 979 });
    expect(s.plan.safeguard?.reason).toMatch(/21 deprovisions in 60 min would exceed the limits.*--release all.*--allow-deletes 21/);
    expect(s.ledger.held['file:0']).toMatchObject({
      externalId: 'file:0', userName: 'u0', action: 'delete', since: T0.toISOString(), path: 'full-sync', runId: 'run-1',
      stepReason: expect.stringMatching(/absent at the source/), reason: expect.stringMatching(/would exceed/),
    });
  });

  it('holds a plan over the percentage limit', () => {
    expect(fullSync(undefined, planWith(100, 10)).plan.safeguard?.held).toBe(false);
    expect(fullSync(undefined, planWith(100, 11)).plan.safeguard?.held).toBe(true);
  });

  it('never holds the first leaver of a window by percentage, even in a tiny team', () => {
    expect(fullSync(undefined, planWith(3, 1)).plan.safeguard?.held).toBe(false);
    expect(fullSync(undefined, planWith(3, 2)).plan.safeguard?.held).toBe(true);
  });

  it('holds an empty source against a full RAM: the outage that looks like everyone leaving', () => {
    expect(fullSync(undefined, planWith(50, 50)).plan.safeguard).toMatchObject({ held: true, deprovisions: 50 });
  });

  it('counts what the window already spent: 15 earlier plus 6 now passes 20', () => {
    const earlier = fullSync(undefined, planWith(1000, 15), { now: minutes(0) }).ledger;
    const now = fullSync(earlier, planWith(1000, [100, 101, 102, 103, 104, 105]), { now: minutes(30) });
    expect(now.plan.safeguard).toMatchObject({ held: true, staged: 6 });
    // An hour later the first 15 have left the window.
    expect(fullSync(earlier, planWith(1000, [100, 101, 102, 103, 104, 105]), { now: minutes(61) }).plan.safeguard?.held).toBe(false);
  });

  it('is released by an explicit allowance that covers the count, and what it releases is not counted', () => {
    expect(fullSync(undefined, planWith(100, 30), { allowDeletes: 29 }).plan.safeguard?.held).toBe(true);
    const released = fullSync(undefined, planWith(100, 30), { allowDeletes: 30 });
    expect(released.plan.safeguard).toMatchObject({ held: false, allowed: 30, spentInWindow: 0 });
    expect(released.plan.summary.delete).toBe(30);
    expect(fullSync(undefined, planWith(100, 30), { allowDeletes: true }).plan.safeguard?.allowed).toBe('all');
  });

  it('writes nothing when nothing was spent, staged or released', () => {
    const s = fullSync(undefined, planWith(10, 0));
    expect(s.changed).toBe(false);
    expect(s.plan.safeguard?.reason).toBe("0 deprovision(s) within the limits (20 people or 10% of 10 managed, 0 counted in the last 60 min)");
  });
});

describe('settlePlan: pushes share one budget, one deprovision at a time', () => {
  it('applies the first 20 of a burst of single-person pushes and stages the other 40', () => {
    let ledger: SafeguardLedger | undefined;
    const staged: string[] = [];
    for (let i = 0; i < 60; i++) {
      const s = push(ledger, leavers([i]), { managed: 200, now: minutes(i / 60) });
      ledger = s.ledger;
      staged.push(...stagedIds(s.plan));
    }
    expect(Object.keys(ledger!.spent)).toHaveLength(20);
    expect(staged).toHaveLength(40);
    expect(Object.keys(ledger!.held).sort()).toEqual(staged.sort());
    expect(ledger!.held['file:20']).toMatchObject({ path: 'push', changeId: 'm1', reason: expect.stringMatching(/21 deprovisions in 60 min would exceed the limits \(20 people or 10% of 200 managed\)/) });
    expect(ledger!.held['file:21']?.reason).toMatch(/held list is not empty/);
  });

  it('stages the rest of a batch once the budget is spent, in externalId order', () => {
    const s = push(undefined, leavers([1, 2, 3]), { rules: { ...DEFAULT_SAFEGUARD, maxDeletes: 2 } });
    expect(s.plan.summary).toMatchObject({ delete: 2, staged: 1 });
    expect(stagedIds(s.plan)).toEqual(['file:3']);
  });

  it('keeps staging after the window has passed, as long as anyone is held', () => {
    const rules: SafeguardRules = { ...DEFAULT_SAFEGUARD, maxDeletes: 1 };
    const first = push(undefined, leavers([1, 2]), { rules });
    expect(stagedIds(first.plan)).toEqual(['file:2']);
    const later = push(first.ledger, leavers([3]), { rules, now: minutes(600) });
    expect(stagedIds(later.plan)).toEqual(['file:3']);
    expect(later.plan.safeguard?.reason).toMatch(/held list is not empty \(1 held since 2026-12-01T10:00:00.000Z\)/);
  });

  it('does not count a person twice when their push is retried', () => {
    const once = push(undefined, leavers([1]), { rules: { ...DEFAULT_SAFEGUARD, maxDeletes: 1 } });
    const again = push(once.ledger, leavers([1]), { rules: { ...DEFAULT_SAFEGUARD, maxDeletes: 1 } });
    expect(again.plan.summary).toMatchObject({ delete: 1, staged: 0 });
  });

  it('measures the percentage against all managed users: the first of a window is never held by it', () => {
    const first = push(undefined, leavers([1]), { managed: 5 });
    expect(first.plan.summary.delete).toBe(1);
    expect(stagedIds(push(first.ledger, leavers([2]), { managed: 5 }).plan)).toEqual(['file:2']);
  });

  it('keeps a held person staged when their step is planned again, and notes when', () => {
    const rules = { ...DEFAULT_SAFEGUARD, maxDeletes: 0 };
    const held = push(undefined, leavers([1]), { rules }).ledger;
    const again = push(held, leavers([1]), { rules, now: minutes(5) });
    expect(stagedIds(again.plan)).toEqual(['file:1']);
    expect(again.ledger.held['file:1']).toMatchObject({ since: T0.toISOString(), lastSeen: minutes(5).toISOString() });
  });
});

describe('settlePlan: the held list', () => {
  const rules = { ...DEFAULT_SAFEGUARD, maxDeletes: 0 };
  const heldOne = () => push(undefined, leavers([1]), { rules }).ledger;

  it('lets a person back at the source leave the list by themselves, which un-trips the safeguard', () => {
    const back = planWith(3, []); // file:1 is present again
    const s = fullSync(heldOne(), back);
    expect(s.ledger.held).toEqual({});
    expect(s.changed).toBe(true);
    const next = push(s.ledger, leavers([2]), { rules: { ...DEFAULT_SAFEGUARD, maxDeletes: 5 } });
    expect(next.plan.summary).toMatchObject({ delete: 1, staged: 0 });
  });

  it('leaves people it does not cover where they are', () => {
    const other = push(heldOne(), leavers([9], 'dingtalk'), { rules: DEFAULT_SAFEGUARD, covered: (id) => id === 'dingtalk:9' });
    expect(Object.keys(other.ledger.held).sort()).toEqual(['dingtalk:9', 'file:1']);
  });

  it('applies a released person without counting them, keeping them listed until the apply succeeded', () => {
    const s = push(heldOne(), leavers([1]), { rules, release: new Set(['file:1']), origin: { path: 'release', runId: 'r' } });
    expect(s.plan.summary).toMatchObject({ delete: 1, staged: 0 });
    expect(s.ledger.spent).toEqual({});
    expect(Object.keys(s.ledger.held)).toEqual(['file:1']);
  });

  it('names the release command for a held person', () => {
    expect(releaseCommand('lark:ou_1')).toBe(
      'review with `npm run sync -- --held`, then release with `npm run sync -- --release lark:ou_1` ' +
      '(deployed: add --remote, or invoke full-sync with {"release": ["lark:ou_1"]})');
  });
});

describe('settlePlan: a held plan holds what mirrors it', () => {
  const newcomer = (id: string, userName: string, source: 'file' | 'lark' = 'file') =>
    ({ externalId: `${source}:${id}`, source, sourceId: id, userName, displayName: userName, status: 'active' as const, groups: [] });

  it('stages a create that wants the name of a person whose deprovision is staged', () => {
    const plan = planWith(30, 25, [newcomer('new-0', 'u0')]);
    const s = fullSync(undefined, plan);
    expect(s.plan.steps.find((st) => st.kind === 'user' && st.externalId === 'file:new-0')).toMatchObject({ action: 'create', staged: true, mirrorOf: 'file:0' });
    expect(s.ledger.held['file:new-0']).toMatchObject({ action: 'create', mirrorOf: 'file:0', reason: expect.stringMatching(/take the place of u0/) });
    expect(s.plan.safeguard).toMatchObject({ staged: 25, stagedCreates: 1 });
  });

  it('stages a create that lost the name to a held person (the suffixed duplicate), and only in the same source', () => {
    const plan = { ...planWith(30, 25, [newcomer('new-1', 'u1-a4b4a4'), newcomer('x', 'u2', 'lark')]) };
    plan.conflicts = [{ userName: 'u1', holder: 'file:1', renamed: [{ externalId: 'file:new-1', userName: 'u1-a4b4a4' }], reason: 'held by the existing RAM user' }];
    const s = fullSync(undefined, plan);
    expect(stagedIds(s.plan)).toContain('file:new-1');
    expect(stagedIds(s.plan)).not.toContain('lark:x');
  });

  it('stages a pushed create that mirrors someone on the held list', () => {
    const held = push(undefined, leavers([4]), { rules: { ...DEFAULT_SAFEGUARD, maxDeletes: 0 } }).ledger;
    const plan = buildPlan({ desired: [newcomer('n4', 'u4')], actual: [], coverage: { kind: 'externalIds', externalIds: ['file:n4'] }, policy: DEFAULT_DEPROVISION_POLICY });
    expect(stagedIds(push(held, plan).plan)).toEqual(['file:n4']);
    // Released together, the create goes ahead.
    expect(stagedIds(push(held, plan, { release: new Set(['file:4', 'file:n4']) }).plan)).toEqual([]);
  });

  it('lets creates through when nothing is staged', () => {
    expect(stagedIds(fullSync(undefined, planWith(30, 1, [newcomer('n0', 'u0')])).plan)).toEqual([]);
  });
});

describe('settlePlan: properties', () => {
  it('never spends more than the budget in a window, whatever the pushes and full syncs, and stages the rest', () => {
    const step = fc.record({
      mode: fc.constantFrom('each' as const, 'all' as const),
      ids: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 0, maxLength: 12 }),
      advance: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(fc.property(fc.array(step, { maxLength: 25 }), fc.integer({ min: 0, max: 15 }), (steps, maxDeletes) => {
      const rules = { maxDeletes, maxDeletePercent: 100, windowMinutes: 60 };
      let ledger: SafeguardLedger | undefined;
      let clock = 0;
      for (const { mode, ids, advance } of steps) {
        clock += advance;
        const plan = leavers(ids);
        const s = settlePlan(ledger, plan, options({ rules, mode, now: minutes(clock), covered: (id) => ids.includes(Number(id.slice(5))) }));
        const deprovisions = s.plan.steps.filter(isDeprovision);
        // Each deprovision is either applied and counted in the window, or staged on the held list.
        for (const d of deprovisions) {
          if (d.staged) expect(s.ledger.held[d.externalId]).toBeDefined();
          else expect(s.ledger.spent[d.externalId]).toBeDefined();
        }
        expect(Object.keys(s.ledger.spent).length).toBeLessThanOrEqual(maxDeletes);
        // A full sync stages all of its deprovisions or none.
        if (mode === 'all') expect(new Set(deprovisions.map((d) => Boolean(d.staged))).size).toBeLessThanOrEqual(1);
        ledger = s.ledger;
      }
    }), { numRuns: 500 });
  });
});
