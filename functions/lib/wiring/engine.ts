/**
 * Everything the engine needs in a function, built once per cold start from the environment:
 * settings, sources, the state store and the RAM client. Every bad variable is reported at once.
 * The local stack and the CLI build theirs from the same parts (`assembleEngine`).
 */
import { type Env, envReader } from '../core/config';
import { ConfigProblems } from '../core/errors';
import type { Source } from '../core/ports';
import { createRamClient } from '../ram/RamClient';
import { type RamConfig, parseRamConfig } from '../ram/config';
import type { CredentialSource } from '../ram/RamOpenApi';
import { FileStateStore } from '../state/FileStateStore';
import { parseSyncSettings } from '../sync/config';
import { type FullSyncPacing, parseFullSyncPacing } from '../sync/fullSyncConfig';
import type { EngineEnvironment } from '../sync/environment';
import type { SyncSettings } from '../sync/fullSync';
import { requireSources } from './sources';

export type { EngineEnvironment } from '../sync/environment';

/** `credentials` is read per call: in FC, the role's STS keys from the current invocation. */
export function engineFromEnv(env: Env, deps: { credentials: CredentialSource }): EngineEnvironment {
  const problems = new ConfigProblems();
  const settings = problems.attempt(() => parseSyncSettings(env));
  const sources = problems.attempt(() => requireSources(env));
  const ram = problems.attempt(() => parseRamConfig(env));
  const stateDir = envReader(env, problems).required('STATE_DIR', 'is required: a durable directory (an FC NAS mount) for suspensions and tokens');
  const pacing = problems.attempt(() => parseFullSyncPacing(env));
  problems.throwIfAny();
  return assembleEngine({ settings: settings!, sources: sources!, ram: ram!, stateDir: stateDir!, pacing: pacing! }, deps);
}

/**
 * The engine from parsed parts; without `credentials` RAM's OpenAPI signs with the configured keys,
 * without `pacing` a full sync takes the FULL_SYNC_* defaults.
 */
export function assembleEngine(
  parts: { settings: SyncSettings; sources: Source[]; ram: RamConfig; stateDir: string; pacing?: FullSyncPacing },
  deps: { credentials?: CredentialSource } = {},
): EngineEnvironment {
  const state = new FileStateStore(parts.stateDir);
  const target = createRamClient(parts.ram, { ...(deps.credentials && { credentials: deps.credentials }), stateStore: state });
  return { settings: parts.settings, sources: parts.sources, state, target, pacing: parts.pacing ?? parseFullSyncPacing({}) };
}
