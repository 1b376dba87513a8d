/**
 * One push at a time per person: FC delivers a duplicated disable event to two push instances, the
 * second arriving while the first is mid-way through suspending; then a duplicated enable. Two
 * engines on one state directory (two FC instances on one NAS), with RAM answering each at its own
 * pace, race each pair many times over. The end state always restores exactly what suspension
 * changed: the key that was Active is Active again, the key that was already Inactive stays
 * Inactive, and console login comes back.
 *
 * The schedule is the one that used to lose the suspension record: the second instance reads "no
 * record yet" before the first writes it, then reads the AccessKeys and login after the first has
 * taken them away, so it remembered nothing to restore and wrote that over the first's record.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Identity } from '../../../functions/lib/core/model';
import type { RamTarget } from '../../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES } from '../../../functions/lib/core/rules';
import { FileStateStore } from '../../../functions/lib/state/FileStateStore';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { parseChangeBatch } from '../../../functions/lib/sync/messages';
import { pushBatch } from '../../../functions/lib/sync/push';
import { SuspensionStore } from '../../../functions/lib/sync/suspension';
import { ArraySource } from '../../support/ArraySource';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';
import { parseFullSyncPacing } from '../../../functions/lib/sync/fullSyncConfig';

const ROUNDS = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RAM as one instance reaches it: its AccessKey and login reads take `readMs`; `onRead` sees each. */
function paced(ram: RamTarget, readMs: number, onRead: () => void = () => {}): RamTarget {
  const reads = new Set(['listAccessKeys', 'getLoginProfile']);
  return new Proxy(ram, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || !reads.has(String(key))) return value;
      return async (...args: unknown[]) => {
        onRead();
        await sleep(readMs);
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}

describe('a duplicated disable and enable, the second delivery landing mid-way through the first', () => {
  let h: RamHarness;
  let dir: string;
  const people: Identity[] = [{ source: 'file', sourceId: 'a1', userName: 'ann', displayName: 'Ann', departmentIds: [], status: 'active' }];
  const instance = (target: RamTarget): EngineEnvironment => ({
    settings: {
      rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY,
      safeguard: { maxDeletes: 10_000, maxDeletePercent: 100, windowMinutes: 60 },
    },
    sources: [new ArraySource('file', people)], state: new FileStateStore(dir), target, pacing: parseFullSyncPacing({}),
  });
  let round = 0;

  /** The first instance gets the event; the second gets it as soon as the first reads the AccessKeys. */
  const deliverTwice = async (status: Identity['status']) => {
    people[0] = { ...people[0]!, status };
    round += 1;
    const batch = parseChangeBatch({
      v: 1, id: `b-${round}`, emittedAt: new Date().toISOString(), changes: [{ source: 'file', kind: 'user', sourceId: 'a1', reason: status }],
    });
    const run = (i: number) => ({ runId: `r${round}-${i}`, log: () => {} });
    let second: Promise<unknown> | undefined;
    const secondInstance = instance(paced(h.ram, 40));
    const first = instance(paced(h.ram, 15, () => { second ??= pushBatch(secondInstance, batch, run(1)); }));
    await pushBatch(first, batch, run(0));
    await second;
  };

  beforeAll(async () => {
    h = await startRamHarness();
    dir = await mkdtemp(path.join(tmpdir(), 'person-race-'));
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`restores exactly what suspension changed, ${ROUNDS} times out of ${ROUNDS}`, async () => {
    await deliverTwice('active');
    const emu = h.emulator.state;
    const active = emu.attachAccessKey('ann').id;
    const dormant = emu.attachAccessKey('ann').id;
    emu.updateAccessKey('ann', dormant, 'Inactive');
    emu.createLoginProfile('ann', { mfaBindRequired: true });
    const keys = () => Object.fromEntries(emu.accessKeysOf('ann').map((k) => [k.id, k.status]));
    const login = () => {
      try {
        return emu.loginProfileOf('ann').mfaBindRequired;
      } catch {
        return false; // EntityNotExist.User.LoginProfile
      }
    };

    const outcomes: string[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      await deliverTwice('disabled');
      const record = await new SuspensionStore(new FileStateStore(dir)).get('file:a1');
      const suspended = JSON.stringify(keys()) === JSON.stringify({ [active]: 'Inactive', [dormant]: 'Inactive' }) && !login()
        && record?.complete === true && record.accessKeyIds.join() === active && record.loginProfile?.mfaBindRequired === true;
      await deliverTwice('active');
      const restored = JSON.stringify(keys()) === JSON.stringify({ [active]: 'Active', [dormant]: 'Inactive' }) && login();
      outcomes.push(suspended && restored ? 'exact' : `round ${i}: suspended ${suspended}, restored ${restored}`);
    }
    expect(outcomes).toEqual(Array(ROUNDS).fill('exact'));
  }, 60_000);
});
