/**
 * How the product reaches the emulator: the same variables an operator sets for real RAM, pointed
 * at loopback with the emulator's built-in, local-only credentials.
 */
import { DEFAULT_ACCESS_KEYS, DEFAULT_CLIENTS } from './types';

export const EMULATOR_DEFAULT_PORT = 9100;

/** An EMULATOR_* variable with a value the emulator cannot run with; the message names it. */
export class EmulatorConfigError extends Error {
  override readonly name = 'EmulatorConfigError';
}

/**
 * RAM's account-wide flow control from EMULATOR_RATE_LIMIT (requests/s; unset or empty: none), for
 * `npm run emulator` and the emulator `npm start` runs in its own process alike.
 */
export function emulatorRateLimit(env: NodeJS.ProcessEnv): { requestsPerSecond: number } | undefined {
  const raw = env.EMULATOR_RATE_LIMIT;
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) throw new EmulatorConfigError(`EMULATOR_RATE_LIMIT must be a number of requests per second above 0, got "${raw}"`);
  return { requestsPerSecond: value };
}

export function emulatorEnv(url: string): Record<string, string> {
  const server = DEFAULT_CLIENTS.find((c) => c.type === 'server')!;
  const key = DEFAULT_ACCESS_KEYS[0]!;
  return {
    RAM_SCIM_URL: url,
    RAM_OAUTH_TOKEN_URL: `${url}/v1/token`,
    RAM_OAUTH_CLIENT_ID: server.clientId,
    RAM_OAUTH_CLIENT_SECRET: server.clientSecret,
    RAM_OAUTH_GRANT: 'client_credentials',
    RAM_OPENAPI_ENDPOINT: url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
  };
}
