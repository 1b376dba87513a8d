/**
 * A RAM to test against: the emulator on a free loopback port and our real RAM client pointed at it
 * through the same variables an operator sets, with retries that don't sleep.
 */
import type { FaultOptions } from '../../infra/emulator/RamEmulator';
import { type RunningEmulator, startRamEmulator } from '../../infra/emulator/RamEmulator';
import { emulatorEnv } from '../../infra/emulator/env';
import type { StateStore } from '../../functions/lib/core/ports';
import { type RamClient, createRamClient } from '../../functions/lib/ram/RamClient';
import { parseRamConfig } from '../../functions/lib/ram/config';
import { MemoryStateStore } from '../../functions/lib/state/MemoryStateStore';

export interface RamHarness {
  emulator: RunningEmulator;
  ram: RamClient;
  state: StateStore;
  close(): Promise<void>;
}

export async function startRamHarness(options: { faults?: FaultOptions; timeoutMs?: number; maxAttempts?: number } = {}): Promise<RamHarness> {
  const emulator = await startRamEmulator({ faults: options.faults });
  const config = parseRamConfig({
    ...emulatorEnv(emulator.url),
    RAM_TIMEOUT_MS: String(options.timeoutMs ?? 5000),
    RAM_MAX_ATTEMPTS: String(options.maxAttempts ?? 8),
    RAM_RATE_LIMIT: '10000',
  });
  const state = new MemoryStateStore();
  const ram = createRamClient(config, { stateStore: state, retry: { sleep: async () => undefined } });
  return { emulator, ram, state, close: () => emulator.close() };
}
