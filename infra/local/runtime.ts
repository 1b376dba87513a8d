/**
 * Everything a local run needs, from the environment with embedded defaults: the sources (the shipped
 * sample directory unless DIRECTORY_FILE says otherwise), the RAM target (real RAM when credentials are
 * configured, else the local RAM emulator), the state directory and the engine settings.
 */
import path from 'node:path';
import type { RamTarget, Source, StateStore } from '../../functions/lib/core/ports';
import { parseRamConfig } from '../../functions/lib/ram/config';
import { parseSyncSettings } from '../../functions/lib/sync/config';
import type { SyncSettings } from '../../functions/lib/sync/fullSync';
import { type FullSyncPacing, parseFullSyncPacing } from '../../functions/lib/sync/fullSyncConfig';
import { assembleEngine } from '../../functions/lib/wiring/engine';
import { enabledSources } from '../../functions/lib/wiring/sources';
import { type RunningEmulator, startRamEmulator } from '../emulator/RamEmulator';
import { EMULATOR_DEFAULT_PORT, emulatorEnv } from '../emulator/env';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const SAMPLE_DIRECTORY = path.join(REPO_ROOT, 'infra/sample/directory.json');

/** The local state directory: STATE_DIR, or `.state` in the repository. */
export function localStateDir(env: Record<string, string | undefined>): string {
  return path.resolve(env.STATE_DIR || path.join(REPO_ROOT, '.state'));
}

export interface LocalRuntime {
  sources: Source[];
  target: RamTarget;
  state: StateStore;
  stateDir: string;
  settings: SyncSettings;
  pacing: FullSyncPacing;
  /** Where things are, for the operator. */
  notes: string[];
  /** The emulator this process started, if any. */
  emulator?: RunningEmulator;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Restrict to these sources (`--source`). */
  only?: string[];
  /** Start the emulator on this port when one is needed (default: reuse a running one, else a free port). */
  emulatorPort?: number;
}

export async function openLocalRuntime(env: NodeJS.ProcessEnv, options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const settings = parseSyncSettings(env);
  const stateDir = localStateDir(env);
  const notes: string[] = [];
  const sources = selectSources(env, options.only, notes);

  let emulator: RunningEmulator | undefined;
  let ramEnv: NodeJS.ProcessEnv = env;
  if (!env.RAM_OAUTH_CLIENT_ID) {
    const running = await findRunningEmulator(env);
    if (running) {
      ramEnv = { ...env, ...emulatorEnv(running) };
      notes.push(`RAM: no RAM credentials configured; using the RAM emulator already running at ${running}`);
    } else {
      emulator = await startRamEmulator({
        port: options.emulatorPort ?? 0, stateFile: path.join(stateDir, 'emulator.json'),
      });
      ramEnv = { ...env, ...emulatorEnv(emulator.url) };
      notes.push(`RAM: no RAM credentials configured; using the local RAM emulator at ${emulator.url} ` +
        `(state kept in ${path.relative(process.cwd(), path.join(stateDir, 'emulator.json')) || stateDir})`);
    }
  } else {
    notes.push(`RAM: SCIM ${env.RAM_SCIM_URL ?? 'https://scim.aliyun.com'}, OpenAPI ${env.RAM_OPENAPI_ENDPOINT ?? 'ram.aliyuncs.com'}`);
  }
  // Locally RAM's OpenAPI signs with the configured (or the emulator's) keys: there is no FC role.
  const engine = assembleEngine({ settings, sources, ram: parseRamConfig(ramEnv), stateDir, pacing: parseFullSyncPacing(env) });
  return {
    ...engine, stateDir, notes, emulator,
    close: async () => { await emulator?.close(); },
  };
}

function selectSources(env: NodeJS.ProcessEnv, only: string[] | undefined, notes: string[]): Source[] {
  // Locally the shipped sample stands in when no directory is configured.
  const available = enabledSources({ ...env, DIRECTORY_FILE: env.DIRECTORY_FILE || SAMPLE_DIRECTORY });
  if (!env.DIRECTORY_FILE) notes.push(`source file: ${path.relative(process.cwd(), SAMPLE_DIRECTORY)} (the shipped sample; set DIRECTORY_FILE for yours)`);
  else notes.push(`source file: ${path.relative(process.cwd(), path.resolve(env.DIRECTORY_FILE))}`);
  if (!only?.length) return available;
  const unknown = only.filter((name) => !available.some((s) => s.name === name));
  if (unknown.length) {
    throw new Error(`--source ${unknown.join(', ')}: not configured here (configured: ${available.map((s) => s.name).join(', ')})`);
  }
  return available.filter((s) => only.includes(s.name));
}

/** An emulator from `npm start` or `npm run emulator`, so two local processes share one RAM. */
export async function findRunningEmulator(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const url = env.EMULATOR_URL || `http://127.0.0.1:${env.EMULATOR_PORT || EMULATOR_DEFAULT_PORT}`;
  try {
    const res = await fetch(`${url}/ResourceTypes`, { signal: AbortSignal.timeout(500) });
    return res.ok && res.headers.get('x-ram-emulator') ? url : undefined;
  } catch {
    return undefined;
  }
}
