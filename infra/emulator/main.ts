/**
 * `npm run emulator`: runs the RAM emulator on EMULATOR_PORT (default 9100) and prints how to point
 * the product at it. Optional faults: EMULATOR_FAULT_RATE (0..1), EMULATOR_FAULT_KINDS
 * (comma-separated, default all), EMULATOR_FAULT_SEED. The account is kept in EMULATOR_STATE_FILE
 * (default `.state/emulator.json` under the repository root; set it empty to keep it in memory only).
 * EMULATOR_RATE_LIMIT (requests/s, default unlimited) throttles the whole account like RAM's flow control.
 *
 * The credentials printed are the emulator's built-in test values, not real secrets.
 */
import { resolve } from 'node:path';
import { startRamEmulator } from './RamEmulator';
import { EMULATOR_DEFAULT_PORT, EmulatorConfigError, emulatorEnv, emulatorRateLimit } from './env';
import { DEFAULT_CLIENTS, FAULT_KINDS, type FaultKind, type FaultOptions } from './types';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new EmulatorConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function faultsFromEnv(): FaultOptions | undefined {
  const rateRaw = process.env.EMULATOR_FAULT_RATE;
  if (rateRaw === undefined || rateRaw === '') return undefined;
  const rate = Number(rateRaw);
  if (!(rate >= 0 && rate <= 1)) throw new EmulatorConfigError(`EMULATOR_FAULT_RATE must be within 0..1, got "${rateRaw}"`);
  const kinds = (process.env.EMULATOR_FAULT_KINDS ?? FAULT_KINDS.join(','))
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new EmulatorConfigError(`EMULATOR_FAULT_KINDS has unknown kinds: ${unknown.join(', ')}`);
  const seed = process.env.EMULATOR_FAULT_SEED;
  return { rate, kinds: kinds as FaultKind[], ...(seed ? { seed: intFromEnv('EMULATOR_FAULT_SEED', 0) } : {}) };
}

/** Where the account is kept: unset means the default file, empty means memory only. */
function stateFileFromEnv(): string | undefined {
  const raw = process.env.EMULATOR_STATE_FILE;
  if (raw === undefined) return resolve(__dirname, '../../.state/emulator.json');
  return raw.trim() === '' ? undefined : resolve(raw);
}

async function main(): Promise<void> {
  const faults = faultsFromEnv();
  const stateFile = stateFileFromEnv();
  const rateLimit = emulatorRateLimit(process.env);
  const emu = await startRamEmulator({
    ...(rateLimit ? { rateLimit } : {}),
    port: intFromEnv('EMULATOR_PORT', EMULATOR_DEFAULT_PORT),
    ...(faults ? { faults } : {}),
    ...(stateFile ? { stateFile } : {}),
  });
  const native = DEFAULT_CLIENTS.find((c) => c.type === 'native');
  const lines = [
    `RAM emulator listening on ${emu.url}`,
    `  SCIM      ${emu.scimUrl}/Users`,
    `  token     ${emu.tokenUrl}`,
    `  authorize ${emu.authorizeUrl}   (native app: ${native?.clientId ?? '-'})`,
    `  OpenAPI   ${emu.url}  (RAM 2015-05-01, V3 and V2 signatures)`,
    rateLimit ? `  rate      ${rateLimit.requestsPerSecond} requests/s for the account (EMULATOR_RATE_LIMIT)` : '  rate      unlimited (EMULATOR_RATE_LIMIT)',
    faults ? `  faults    rate ${faults.rate}, kinds ${faults.kinds.join(',')}` : '  faults    off',
    stateFile
      ? `  state     ${stateFile}  (${emu.state.users().length} users, ${emu.state.groups().length} groups; EMULATOR_STATE_FILE= for memory only)`
      : '  state     in memory only (EMULATOR_STATE_FILE is empty)',
    '',
    'Point the product at it with:',
    ...Object.entries(emulatorEnv(emu.url)).map(([name, value]) => `export ${name}=${value}`),
    '',
    'Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = (signal: NodeJS.Signals): void => {
    process.stdout.write(`\n${signal}: stopping the RAM emulator\n`);
    emu.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`ram-emulator: close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`ram-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
