/**
 * What the engine runs with: settings, sources, the state store and the RAM target. Built once per
 * cold start by wiring/engine.ts (or by a test from its own parts).
 */
import type { RamTarget, Source, StateStore } from '../core/ports';
import type { SyncSettings } from './fullSync';
import type { FullSyncPacing } from './fullSyncConfig';

export interface EngineEnvironment {
  settings: SyncSettings;
  sources: Source[];
  state: StateStore;
  target: RamTarget;
  /** How a full sync (full-sync's, or a poller's resync) paces a run larger than one invocation. */
  pacing: FullSyncPacing;
}
