/**
 * Level-triggered convergence: whatever order, duplication or delay the queue delivers changes in,
 * RAM ends exactly where in-order delivery leaves it, as long as every change arrives once after
 * its last mutation (which at-least-once delivery guarantees).
 */
import fc from 'fast-check';
import type { Change, Department, Identity } from '../../../functions/lib/core/model';
import { DEFAULT_MAPPING_RULES } from '../../../functions/lib/core/rules';
import { MemoryStateStore } from '../../../functions/lib/state/MemoryStateStore';
import { syncChanges } from '../../../functions/lib/sync/changeSync';
import type { SyncSettings } from '../../../functions/lib/sync/fullSync';
import { ArraySource } from '../../support/ArraySource';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const PEOPLE = 5;
const departments: Department[] = [
  { source: 'file', sourceId: 'd1', name: 'Engineering' },
  { source: 'file', sourceId: 'd2', name: 'Sales' },
];
const settings: SyncSettings = {
  rules: { ...DEFAULT_MAPPING_RULES, userName: ['{userName}'], groups: [{ department: 'd1', group: 'engineering' }] },
  policy: { deleted: 'delete', disabled: 'suspend' },
  safeguard: { maxDeletes: 1000, maxDeletePercent: 100, windowMinutes: 60 },
};

/** A person's state after a mutation: absent, or present with some attributes. */
const personState = fc.option(fc.record({
  renamed: fc.boolean(), title: fc.constantFrom('A', 'B', 'C'), disabled: fc.boolean(), dept: fc.constantFrom('d1', 'd2'),
}), { nil: undefined });
const mutation = fc.record({ person: fc.nat(PEOPLE - 1), state: personState });

interface PersonState { renamed: boolean; title: string; disabled: boolean; dept: string }

function identityOf(i: number, s: PersonState): Identity {
  return {
    source: 'file', sourceId: `p${i}`, userName: s.renamed ? `person${i}-new` : `person${i}`,
    displayName: `Person ${i} ${s.title}`, departmentIds: [s.dept], status: s.disabled ? 'disabled' : 'active',
  };
}

class MutableDirectory extends ArraySource {
  readonly current = new Map<string, Identity>();
  constructor() { super('file', [], departments); }
  override async getUser(id: string) { return this.current.get(id); }
  override async *listUsers() { yield* this.current.values(); }
}

async function run(
  mutations: { person: number; state: PersonState | undefined }[],
  deliver: (pending: Change[], afterMutation: number) => Change[],
): Promise<unknown> {
  const h: RamHarness = await startRamHarness();
  try {
    const directory = new MutableDirectory();
    const state = new MemoryStateStore();
    const pending: Change[] = [];
    const process = (changes: Change[]) => syncChanges({
      changes, sources: [directory], target: h.ram, state, settings, runId: 'prop', log: () => undefined,
    });
    for (const [n, m] of mutations.entries()) {
      if (m.state) directory.current.set(`p${m.person}`, identityOf(m.person, m.state));
      else directory.current.delete(`p${m.person}`);
      pending.push({ source: 'file', kind: 'user', sourceId: `p${m.person}`, reason: 'mutation' });
      for (const batch of chunk(deliver(pending, n), 3)) await process(batch);
    }
    // At-least-once: everything still pending arrives eventually.
    for (const batch of chunk(deliver(pending, -1), 3)) await process(batch);
    return { ram: h.emulator.state.snapshot(), suspended: (await state.list('suspension/')).sort() };
  } finally {
    await h.close();
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

describe('syncChanges convergence (property)', () => {
  it('any interleaving, duplication or reordering ends in the in-order state', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(mutation, { minLength: 1, maxLength: 14 }),
      fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
      async (mutations, dice) => {
        let roll = 0;
        const die = () => dice[roll++ % dice.length]!;
        const inOrder = await run(mutations, (pending) => pending.splice(0));
        const shuffled = await run(mutations, (pending, n) => {
          // Mid-stream: deliver a random subset, some twice, in random order; keep the rest pending.
          if (n >= 0 && die() % 3 === 0) return [];
          const taken = n < 0 ? pending.splice(0) : pending.splice(0, die() % (pending.length + 1));
          const dupes = taken.filter(() => die() % 4 === 0);
          if (n >= 0) pending.push(...taken.filter(() => die() % 5 === 0)); // redelivered later, too
          const out = [...taken, ...dupes];
          for (let i = out.length - 1; i > 0; i--) {
            const j = die() % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        });
        expect(shuffled).toEqual(inOrder);
      },
    ), { numRuns: 40 });
  });
});
