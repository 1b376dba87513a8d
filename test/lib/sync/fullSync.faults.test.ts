/**
 * The whole engine under a misbehaving RAM: with a third of all requests throttled, failed, dropped
 * before or after the write landed, or never answered, a sync (repeated until nothing is retryable,
 * as FC's retries would) ends in exactly the state a fault-free sync reaches.
 */
import path from 'node:path';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import { createFileSource } from '../../../functions/lib/sources/file';
import { type SyncSettings, runFullSync } from '../../../functions/lib/sync/fullSync';
import { startRamHarness } from '../../support/ramHarness';

const SAMPLE = path.resolve(__dirname, '../../../infra/sample/directory.json');
const settings: SyncSettings = {
  rules: { ...DEFAULT_MAPPING_RULES, groups: [{ department: 'eng', group: 'engineering' }, { department: 'Sales', group: 'sales' }] },
  policy: DEFAULT_DEPROVISION_POLICY,
  safeguard: DEFAULT_SAFEGUARD,
};

const injected = new Set<string>();

async function syncedSnapshot(faulty: boolean, seed = 7): Promise<unknown> {
  const h = await startRamHarness({ timeoutMs: faulty ? 300 : 5000, maxAttempts: 6 });
  try {
    if (faulty) {
      h.emulator.setFaults({
        rate: 0.3, kinds: ['429', '500', 'throttle', 'reset-before', 'reset-after', 'timeout'], retryAfterSeconds: 0, seed,
      });
    }
    for (let round = 0; round < 5; round++) {
      const report = await runFullSync({
        sources: [createFileSource(SAMPLE)], target: h.ram, state: h.state, settings, dryRun: false, runId: `r${round}`, log: () => undefined,
      });
      if (report.result!.summary.retryable === 0) break;
    }
    h.emulator.setFaults(undefined);
    if (faulty) for (const kind of Object.keys(h.emulator.counters.faults)) injected.add(kind);
    return { ram: h.emulator.state.snapshot(), suspended: (await h.state.list('suspension/')).sort() };
  } finally {
    await h.close();
  }
}

describe('runFullSync under injected RAM faults', () => {
  it.each(String(process.env.SEEDS ?? '1,2,5').split(',').map(Number))('converges to the fault-free end state (seed %i)', async (seed) => {
    const clean = await syncedSnapshot(false);
    expect(await syncedSnapshot(true, seed)).toEqual(clean);
  }, 60_000);

  it('really injected every kind of fault across those runs', () => {
    expect([...injected].sort()).toEqual(['429', '500', 'reset-after', 'reset-before', 'throttle', 'timeout']);
  });
});
