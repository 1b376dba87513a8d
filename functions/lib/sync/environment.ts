/**
 * Everything the engine needs in a function, built once per cold start from the environment:
 * settings, sources, the state store and the RAM client. Every bad variable is reported at once.
 */
import { ConfigProblems } from '../core/errors';
import type { RamTarget, Source, StateStore } from '../core/ports';
import { createRamClient } from '../ram/RamClient';
import { parseRamConfig } from '../ram/config';
import type { CredentialSource } from '../ram/RamOpenApi';
import { requireSources } from '../sources/registry';
import { FileStateStore } from '../state/FileStateStore';
import { parseSyncSettings } from './config';
import type { SyncSettings } from './fullSync';

export interface EngineEnvironment {
  settings: SyncSettings;
  sources: Source[];
  state: StateStore;
  target: RamTarget;
}

/** `credentials` is read per call: in FC, the role's STS keys from the current invocation. */
export function engineFromEnv(env: NodeJS.ProcessEnv, deps: { credentials: CredentialSource }): EngineEnvironment {
  const problems = new ConfigProblems();
  const settings = problems.attempt(() => parseSyncSettings(env));
  const sources = problems.attempt(() => requireSources(env));
  const ram = problems.attempt(() => parseRamConfig(env));
  const stateDir = env.STATE_DIR?.trim();
  if (!stateDir) problems.add({ variable: 'STATE_DIR', problem: 'is required: a durable directory (an FC NAS mount) for suspensions and tokens' });
  problems.throwIfAny();

  const state = new FileStateStore(stateDir!);
  const target = createRamClient(ram!, { credentials: deps.credentials, stateStore: state });
  return { settings: settings!, sources: sources!, state, target };
}
