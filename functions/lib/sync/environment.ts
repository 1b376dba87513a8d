/**
 * Everything the engine needs in a function, built once per cold start from the environment:
 * settings, sources, the state store and the RAM client. Every bad variable is reported at once.
 */
import { ConfigError, type ConfigProblem } from '../core/errors';
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
  const problems: ConfigProblem[] = [];
  const attempt = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const settings = attempt(() => parseSyncSettings(env));
  const sources = attempt(() => requireSources(env));
  const ram = attempt(() => parseRamConfig(env));
  const stateDir = env.STATE_DIR?.trim();
  if (!stateDir) problems.push({ variable: 'STATE_DIR', problem: 'is required: a durable directory (an FC NAS mount) for suspensions and tokens' });
  if (problems.length || !settings || !sources || !ram || !stateDir) throw new ConfigError(problems);

  const state = new FileStateStore(stateDir);
  const target = createRamClient(ram, { credentials: deps.credentials, stateStore: state });
  return { settings, sources, state, target };
}
