import fc from 'fast-check';
import {
  type GroupSnapshot, GroupSnapshots, type MemberChange, memberChanges, plainDn, snapshotOf,
} from '../../../../functions/lib/sources/ad/groupSnapshots';
import { MemoryStateStore } from '../../../../functions/lib/state';

// Member objectGUIDs, named for readability.
const ALICE = '0b5c2a1e-1111-4d6f-8a2b-000000000001';
const BOB = '0b5c2a1e-2222-4d6f-8a2b-000000000002';
const CAROL = '0b5c2a1e-3333-4d6f-8a2b-000000000003';
const DAVE = '0b5c2a1e-4444-4d6f-8a2b-000000000004';

const SALES_DN = 'CN=Sales,OU=Groups,DC=example,DC=test';
const SALES_GUID = '6f1c8a3e-9b2d-4c5e-8f7a-1b2c3d4e5f60';

const snapshot = (dn: string, members: string[]): GroupSnapshot => snapshotOf(dn, members);
/** Changes in a stable order, so expectations do not depend on the order memberChanges emits them. */
const sorted = (changes: MemberChange[]) => [...changes].sort((a, b) => a.sourceId.localeCompare(b.sourceId) || a.reason.localeCompare(b.reason));

describe('memberChanges', () => {
  it('names every current member when there is no previous snapshot (a group not seen before)', () => {
    expect(sorted(memberChanges(undefined, snapshot(SALES_DN, [ALICE, BOB])))).toEqual([
      { sourceId: ALICE, reason: 'group-member' },
      { sourceId: BOB, reason: 'group-member' },
    ]);
  });

  it('names only who joined and who left when the DN is the same', () => {
    const before = snapshot(SALES_DN, [ALICE, BOB, CAROL]);
    const after = snapshot(SALES_DN, [BOB, CAROL, DAVE]);
    expect(sorted(memberChanges(before, after))).toEqual([
      { sourceId: ALICE, reason: 'group-member-removed' },
      { sourceId: DAVE, reason: 'group-member-added' },
    ]);
  });

  it('names nobody when the membership and the DN did not change', () => {
    expect(memberChanges(snapshot(SALES_DN, [ALICE, BOB]), snapshot(SALES_DN, [BOB, ALICE]))).toEqual([]);
  });

  it('names nobody for an empty group that stays empty', () => {
    expect(memberChanges(snapshot(SALES_DN, []), snapshot(SALES_DN, []))).toEqual([]);
  });

  it('names old and new members once each when the group was renamed or moved', () => {
    const before = snapshot(SALES_DN, [ALICE, BOB]);
    const after = snapshot('CN=Sales EMEA,OU=Groups,DC=example,DC=test', [BOB, CAROL]);
    expect(sorted(memberChanges(before, after))).toEqual([
      { sourceId: ALICE, reason: 'group-renamed' },
      { sourceId: BOB, reason: 'group-renamed' },
      { sourceId: CAROL, reason: 'group-renamed' },
    ]);
  });

  it('treats a move to another OU as a rename', () => {
    const after = snapshot('CN=Sales,OU=Archive,DC=example,DC=test', [ALICE]);
    expect(memberChanges(snapshot(SALES_DN, [ALICE]), after)).toEqual([{ sourceId: ALICE, reason: 'group-renamed' }]);
  });

  it('does not treat the Extended DN form of the same DN as a rename', () => {
    const after = snapshot(`<GUID=${SALES_GUID}>;<SID=S-1-5-21-1-2-3-1105>;${SALES_DN}`, [ALICE]);
    expect(memberChanges(snapshot(SALES_DN, [ALICE]), after)).toEqual([]);
  });

  it('names every previous member of a deleted group', () => {
    expect(sorted(memberChanges(snapshot(SALES_DN, [ALICE, BOB]), undefined))).toEqual([
      { sourceId: ALICE, reason: 'group-deleted' },
      { sourceId: BOB, reason: 'group-deleted' },
    ]);
  });

  it('names nobody for a deleted group it never had a snapshot of', () => {
    expect(memberChanges(undefined, undefined)).toEqual([]);
  });

  describe('properties', () => {
    const pool = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    // Duplicates on purpose: snapshotOf is what dedupes the members read from AD.
    const members = fc.array(fc.constantFrom(...pool), { maxLength: 15 });

    it('with the same DN, applying the added and removed members to the previous ones gives the current ones', () => {
      fc.assert(fc.property(members, members, (previousMembers, currentMembers) => {
        const previous = snapshot(SALES_DN, previousMembers);
        const current = snapshot(SALES_DN, currentMembers);
        const changes = memberChanges(previous, current);

        const applied = new Set(previous.members);
        for (const { sourceId, reason } of changes) {
          expect(['group-member-added', 'group-member-removed']).toContain(reason);
          if (reason === 'group-member-added') {
            expect(applied.has(sourceId)).toBe(false);
            applied.add(sourceId);
          } else {
            expect(applied.has(sourceId)).toBe(true);
            applied.delete(sourceId);
          }
        }
        expect([...applied].sort()).toEqual(current.members);
        expect(new Set(changes.map((c) => c.sourceId)).size).toBe(changes.length);
      }), { numRuns: 2_000 });
    });

    it('with another DN, names exactly the union of old and new members, each once', () => {
      fc.assert(fc.property(members, members, (previousMembers, currentMembers) => {
        const changes = memberChanges(snapshot(SALES_DN, previousMembers), snapshot('CN=Other,DC=example,DC=test', currentMembers));
        const ids = changes.map((c) => c.sourceId);
        expect(ids.sort()).toEqual([...new Set([...previousMembers, ...currentMembers])].sort());
        expect(changes.every((c) => c.reason === 'group-renamed')).toBe(true);
      }), { numRuns: 1_000 });
    });
  });
});

describe('plainDn', () => {
  it('strips the <GUID=…>;<SID=…>; prefix of an Extended DN and keeps the rest as the DC spells it', () => {
    expect(plainDn(`<GUID=${SALES_GUID}>;<SID=S-1-5-21-1004336348-1177238915-682003330-1105>;${SALES_DN}`)).toBe(SALES_DN);
  });

  it('strips a GUID alone (objects without a SID, such as OUs)', () => {
    expect(plainDn(`<GUID=${SALES_GUID}>;OU=Groups,DC=example,DC=test`)).toBe('OU=Groups,DC=example,DC=test');
  });

  it('keeps a plain DN as it is: a case-only rename changes the department name that rules match', () => {
    expect(plainDn(SALES_DN)).toBe(SALES_DN);
    expect(memberChanges(snapshot(SALES_DN, [ALICE]), snapshot(SALES_DN.replace('CN=Sales', 'CN=SALES'), [ALICE])))
      .toEqual([{ sourceId: ALICE, reason: 'group-renamed' }]);
  });

  it('keeps angle brackets inside an attribute value', () => {
    expect(plainDn('CN=a<b>;c,DC=example,DC=test')).toBe('CN=a<b>;c,DC=example,DC=test');
  });
});

describe('snapshotOf', () => {
  it('keeps the plain DN and the members deduplicated and sorted', () => {
    expect(snapshotOf(`<GUID=${SALES_GUID}>;${SALES_DN}`, [CAROL, ALICE, CAROL, BOB, ALICE])).toEqual({
      dn: SALES_DN,
      members: [ALICE, BOB, CAROL],
    });
  });

  it('does not reorder the caller\'s array', () => {
    const members = [CAROL, ALICE];
    snapshotOf(SALES_DN, members);
    expect(members).toEqual([CAROL, ALICE]);
  });
});

describe('GroupSnapshots', () => {
  const PREFIX = 'ad/groups/';
  const sales = snapshot(SALES_DN, [ALICE, BOB]);
  const support = snapshot('CN=Support,OU=Groups,DC=example,DC=test', [CAROL]);
  const legal = snapshot('CN=Legal,OU=Groups,DC=example,DC=test', [DAVE]);

  let state: MemoryStateStore;
  let snapshots: GroupSnapshots;
  beforeEach(() => {
    state = new MemoryStateStore();
    snapshots = new GroupSnapshots(state, PREFIX);
  });

  it('reads a stored snapshot under the prefix and the group id', async () => {
    await state.put(`${PREFIX}sales`, sales);
    expect(await snapshots.get('sales')).toEqual(sales);
    expect(await snapshots.get('support')).toBeUndefined();
  });

  it('shows a staged snapshot to get() before save()', async () => {
    await state.put(`${PREFIX}sales`, sales);
    const changed = snapshot(SALES_DN, [ALICE]);
    snapshots.set('sales', changed);
    snapshots.set('support', support);
    expect(await snapshots.get('sales')).toEqual(changed);
    expect(await snapshots.get('support')).toEqual(support);
  });

  it('shows a staged deletion to get() as no snapshot before save()', async () => {
    await state.put(`${PREFIX}sales`, sales);
    snapshots.set('sales', undefined);
    expect(await snapshots.get('sales')).toBeUndefined();
  });

  it('writes nothing to the store before save()', async () => {
    await state.put(`${PREFIX}sales`, sales);
    snapshots.set('sales', undefined);
    snapshots.set('support', support);
    expect(await state.list(PREFIX)).toEqual([`${PREFIX}sales`]);
    expect(await state.get(`${PREFIX}sales`)).toEqual(sales);
  });

  it('save() puts staged snapshots and deletes staged deletions', async () => {
    await state.put(`${PREFIX}sales`, sales);
    await state.put(`${PREFIX}legal`, legal);
    snapshots.set('sales', undefined);
    snapshots.set('support', support);
    await snapshots.save();
    expect(await state.list(PREFIX)).toEqual([`${PREFIX}legal`, `${PREFIX}support`]);
    expect(await state.get(`${PREFIX}support`)).toEqual(support);
    expect(await state.get(`${PREFIX}legal`)).toEqual(legal);
  });

  it('save() clears what it staged: a later change to the store shows through', async () => {
    snapshots.set('sales', sales);
    await snapshots.save();
    await state.delete(`${PREFIX}sales`);
    expect(await snapshots.get('sales')).toBeUndefined();
  });

  it('forgetAllBut(seen) stages the deletion of every stored group not seen, and keeps the rest', async () => {
    await state.put(`${PREFIX}sales`, sales);
    await state.put(`${PREFIX}support`, support);
    await state.put(`${PREFIX}legal`, legal);
    await state.put('ad/watermark', { usn: '4200' });

    await snapshots.forgetAllBut(new Set(['sales']));
    expect(await snapshots.get('support')).toBeUndefined();
    expect(await snapshots.get('legal')).toBeUndefined();
    expect(await snapshots.get('sales')).toEqual(sales);
    expect(await state.list(PREFIX)).toHaveLength(3); // only staged so far

    await snapshots.save();
    expect(await state.list('ad/')).toEqual([`${PREFIX}sales`, 'ad/watermark']);
  });

  it('forgetAllBut keeps the snapshots staged for the groups seen in the same full resync', async () => {
    await state.put(`${PREFIX}sales`, sales);
    await state.put(`${PREFIX}legal`, legal);
    const resynced = snapshot(SALES_DN, [BOB]);
    snapshots.set('sales', resynced);
    snapshots.set('support', support);

    await snapshots.forgetAllBut(new Set(['sales', 'support']));
    await snapshots.save();

    expect(await state.list(PREFIX)).toEqual([`${PREFIX}sales`, `${PREFIX}support`]);
    expect(await state.get(`${PREFIX}sales`)).toEqual(resynced);
  });
});
