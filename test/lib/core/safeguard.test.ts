import type { RamUser } from '../../../functions/lib/core/model';
import { buildPlan } from '../../../functions/lib/core/plan';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { applySafeguard } from '../../../functions/lib/core/safeguard';

/** A plan over `managed` RAM users of ours where `gone` of them left the source. */
function planWith(managed: number, gone: number) {
  const actual: RamUser[] = Array.from({ length: managed }, (_, i) => ({
    id: `r${i}`, userName: `u${i}`, displayName: `U${i}`, externalId: `file:${i}`,
  }));
  const desired = actual.slice(gone).map((u, i) => ({
    externalId: u.externalId!, source: 'file' as const, sourceId: String(i + gone), userName: u.userName,
    displayName: u.displayName, status: 'active' as const, groups: [],
  }));
  return buildPlan({ desired, actual, coverage: { kind: 'sources', sources: ['file'] }, policy: DEFAULT_DEPROVISION_POLICY });
}

describe('applySafeguard', () => {
  it('lets through deletions within both limits (defaults: 20 people, 10%)', () => {
    const p = applySafeguard(planWith(1000, 20), DEFAULT_SAFEGUARD);
    expect(p.safeguard).toMatchObject({ held: false, deprovisions: 20, managed: 1000 });
    expect(p.summary).toMatchObject({ delete: 20, staged: 0 });
  });

  it('holds a plan over the count limit and stages every deprovision', () => {
    const p = applySafeguard(planWith(1000, 21), DEFAULT_SAFEGUARD);
    expect(p.safeguard?.held).toBe(true);
    expect(p.summary).toMatchObject({ delete: 0, staged: 21, noop: 979 });
    expect(p.safeguard?.reason).toMatch(/--allow-deletes 21/);
  });

  it('holds a plan over the percentage limit', () => {
    expect(applySafeguard(planWith(100, 10), DEFAULT_SAFEGUARD).safeguard?.held).toBe(false);
    expect(applySafeguard(planWith(100, 11), DEFAULT_SAFEGUARD).safeguard?.held).toBe(true);
  });

  it('never holds a single leaver by percentage, even in a tiny team', () => {
    expect(applySafeguard(planWith(3, 1), DEFAULT_SAFEGUARD).safeguard?.held).toBe(false);
    expect(applySafeguard(planWith(3, 2), DEFAULT_SAFEGUARD).safeguard?.held).toBe(true);
  });

  it('holds an empty source against a full RAM: the outage that looks like everyone leaving', () => {
    const p = applySafeguard(planWith(50, 50), DEFAULT_SAFEGUARD);
    expect(p.safeguard).toMatchObject({ held: true, deprovisions: 50 });
  });

  it('is released for one run by an explicit allowance that covers the count, and only then', () => {
    expect(applySafeguard(planWith(100, 30), DEFAULT_SAFEGUARD, { allowDeletes: 29 }).safeguard?.held).toBe(true);
    const released = applySafeguard(planWith(100, 30), DEFAULT_SAFEGUARD, { allowDeletes: 30 });
    expect(released.safeguard).toMatchObject({ held: false, allowed: 30 });
    expect(released.summary.delete).toBe(30);
    expect(applySafeguard(planWith(100, 30), DEFAULT_SAFEGUARD, { allowDeletes: true }).safeguard?.allowed).toBe('all');
  });

  it('measures the percentage against all managed users when a push plans only a few', () => {
    const p = applySafeguard(planWith(2, 2), DEFAULT_SAFEGUARD, { managedTotal: 1000 });
    expect(p.safeguard).toMatchObject({ held: false, managed: 1000 });
  });

  it('honours configured limits', () => {
    expect(applySafeguard(planWith(1000, 6), { maxDeletes: 5, maxDeletePercent: 50 }).safeguard?.held).toBe(true);
  });
});
