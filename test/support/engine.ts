import type { Source } from '../../functions/lib/core/ports';
import { DEFAULT_DEPROVISION_POLICY, DEFAULT_MAPPING_RULES, DEFAULT_SAFEGUARD } from '../../functions/lib/core/rules';
import type { EngineEnvironment } from '../../functions/lib/sync/environment';
import { parseFullSyncPacing } from '../../functions/lib/sync/fullSyncConfig';
import type { RamHarness } from './ramHarness';

/** The engine as a function builds it, on the harness's RAM and state, with default settings. */
export function engineOn(h: RamHarness, sources: Source[]): EngineEnvironment {
  return {
    settings: { rules: DEFAULT_MAPPING_RULES, policy: DEFAULT_DEPROVISION_POLICY, safeguard: DEFAULT_SAFEGUARD },
    sources, state: h.state, target: h.ram, pacing: parseFullSyncPacing({}),
  };
}
