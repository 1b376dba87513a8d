import type { Identity } from '../../../functions/lib/core/model';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_SAFEGUARD } from '../../../functions/lib/core/rules';
import type { ProvisioningLogLine } from '../../../functions/lib/core/ports';
import { UnknownSourceError, fullSync } from '../../../functions/lib/sync/entrances';
import type { EngineEnvironment } from '../../../functions/lib/sync/environment';
import { parseChangeBatch, parseFullSyncRequest } from '../../../functions/lib/sync/messages';
import { ArraySource } from '../../support/ArraySource';
import { engineOn } from '../../support/engine';
import { type RamHarness, startRamHarness } from '../../support/ramHarness';

const ann: Identity = { source: 'file', sourceId: 'a1', userName: 'ann', displayName: 'Ann', departmentIds: [], status: 'active' };

describe('the full-sync entrance', () => {
  let h: RamHarness;
  let lines: ProvisioningLogLine[];
  let engine: EngineEnvironment;
  const run = { runId: 'req-1', log: (l: ProvisioningLogLine) => lines.push(l) };

  beforeEach(async () => {
    h = await startRamHarness({ maxAttempts: 2 });
    lines = [];
    engine = engineOn(h, [new ArraySource('file', [ann])]);
  });
  afterEach(() => h.close());

  it('full-sync is a dry run unless asked otherwise', async () => {
    const dry = await fullSync(engine, parseFullSyncRequest({}), run);
    expect(dry).toMatchObject({ dryRun: true, plan: { create: 1 } });
    expect(dry.result).toBeUndefined();
    expect(h.emulator.counters.writes).toBe(0);
    const real = await fullSync(engine, parseFullSyncRequest({ dryRun: false }), run);
    expect(real.result).toMatchObject({ created: 1, failed: 0 });
  });

  it('full-sync answers the plan\'s steps and the configuration with report: true, and the outcomes once applied', async () => {
    const plain = await fullSync(engine, parseFullSyncRequest({}), run);
    expect(plain.report).toBeUndefined();
    const dry = await fullSync(engine, parseFullSyncRequest({ report: true }), run);
    expect(dry.report).toMatchObject({
      steps: [{ kind: 'user', action: 'create', externalId: 'file:a1', userName: 'ann' }], stepsOmitted: 0,
      config: { sources: ['file'], policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
    });
    expect(dry.report!.outcomes).toBeUndefined();
    const applied = await fullSync(engine, parseFullSyncRequest({ dryRun: false, report: true }), run);
    // Successes are the default: only what did not succeed travels.
    expect(applied.report!.outcomes).toEqual([]);
    expect(JSON.stringify(applied)).not.toMatch(/secret|password/i);
  });

  it('full-sync refuses a source that is not configured, naming what is', async () => {
    await expect(fullSync(engine, parseFullSyncRequest({ sources: ['dingtalk'] }), run))
      .rejects.toThrow(new UnknownSourceError(['dingtalk'], ['file']).message);
  });

  it('rejects malformed messages', () => {
    expect(() => parseChangeBatch({ v: 2, id: 'x', emittedAt: '', changes: [] })).toThrow();
    expect(() => parseChangeBatch({ v: 1, id: 'x', emittedAt: '', changes: [{ source: 'msn', kind: 'user', sourceId: '1', reason: '' }] })).toThrow();
    expect(() => parseFullSyncRequest({ dryRun: 'no' })).toThrow();
    expect(() => parseFullSyncRequest({ allowDelete: 3 })).toThrow();
  });
});
