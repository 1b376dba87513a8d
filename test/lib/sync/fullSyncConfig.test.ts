import { ConfigError } from '../../../functions/lib/core/errors';
import { fullSyncDeadline, parseFullSyncPacing } from '../../../functions/lib/sync/fullSyncConfig';

describe('full-sync pacing from the environment', () => {
  it('defaults: 3000 s per invocation, checkpoints every 100 steps, a progress line every 30 s or 1000 steps, a 30 s lease', () => {
    expect(parseFullSyncPacing({})).toEqual({ runSeconds: 3000, chunkSteps: 100, progressSeconds: 30, progressSteps: 1000, leaseSeconds: 30 });
  });

  it('names every bad variable, never its value', () => {
    let error: unknown;
    try {
      parseFullSyncPacing({ FULL_SYNC_RUN_SECONDS: 'soon', FULL_SYNC_CHUNK_STEPS: '0' });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['FULL_SYNC_RUN_SECONDS', 'FULL_SYNC_CHUNK_STEPS']);
    expect(JSON.stringify((error as ConfigError).problems)).not.toContain('soon');
  });

  it('stops FULL_SYNC_RUN_SECONDS after the start, and at least 5 minutes before the function\'s timeout', () => {
    const pacing = parseFullSyncPacing({ FULL_SYNC_RUN_SECONDS: '3500' });
    expect(fullSyncDeadline(pacing, 1_000, 3600)).toBe(1_000 + 3300 * 1000);
    expect(fullSyncDeadline(pacing, 1_000, undefined)).toBe(1_000 + 3500 * 1000);
    expect(fullSyncDeadline(parseFullSyncPacing({}), 0, 3600)).toBe(3000 * 1000);
  });
});
