/**
 * The public shape of the RAM emulator: what a test or the local stack passes in and gets back.
 */
import type { EmulatorState } from './store';

/** An OAuth application registered in the emulated RAM account. */
export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  /** `server`: client credentials only (SCIM provisioning). `native`: authorization code + refresh. */
  type: 'server' | 'native';
  /** Registered redirect URIs; native apps also accept any http://127.0.0.1:* or http://localhost:* URI. */
  redirectUris?: string[];
}

/** An AccessKey pair allowed to call the OpenAPI (an account or RAM-user key of the caller). */
export interface EmulatorAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

export const FAULT_KINDS = ['429', '500', 'throttle', 'reset-before', 'reset-after', 'timeout'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Injected failures, chosen per request by a seeded PRNG.
 *
 * @example { rate: 0.2, kinds: ['reset-after', 'timeout'], seed: 7, retryAfterSeconds: 0 }
 */
export interface FaultOptions {
  /** 0..1, chance per SCIM/OpenAPI request (the OAuth endpoints only when `tokenToo`). */
  rate: number;
  /**
   * '429': SCIM answers 429 + Retry-After (s); OpenAPI answers HTTP 429 Throttling.User + x-acs-retry-after (ms).
   * '500': SCIM 500 error body; OpenAPI 500 InternalError.
   * 'throttle': OpenAPI Throttling.User with HTTP 400 as real RAM does (SCIM: same as '429').
   * 'reset-before': destroy the socket without applying. 'reset-after': apply, then destroy the socket.
   * 'timeout': apply or not (seeded coin), then never answer; the socket is held until close().
   */
  kinds: FaultKind[];
  /** Default 1. */
  retryAfterSeconds?: number;
  /** Seed for the deterministic PRNG; default derived from the clock. */
  seed?: number;
  /** Also inject faults on `/v1/token` and `/oauth2/v1/auth`. */
  tokenToo?: boolean;
}

export interface EmulatorOptions {
  /** 0 = random (default). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default: one server app `emulator-client` and one native app `emulator-native`. */
  clients?: EmulatorClient[];
  /** Default: one key `emulator-ak` / `emulator-ak-secret`. */
  accessKeys?: EmulatorAccessKey[];
  /** Access token lifetime (RAM app AccessTokenValidity), default 3600. */
  accessTokenTtlSeconds?: number;
  faults?: FaultOptions;
  /**
   * Keep the account in this JSON file: loaded on start if it exists (a corrupt file is an
   * EmulatorStateFileError), saved atomically after changes and on close(). Default: memory only.
   */
  stateFile?: string;
  /**
   * RAM's account-wide flow control: at most this many SCIM and OpenAPI requests per second
   * (a bucket holding one second's worth); beyond it OpenAPI answers `Throttling.User` (HTTP 400,
   * `x-acs-retry-after` in ms) and SCIM 429 with `Retry-After` (s). Default: unlimited.
   */
  rateLimit?: { requestsPerSecond: number; now?: () => number };
}

export interface EmulatorCounters {
  /** State-changing SCIM/OpenAPI requests that reached their handler (token calls excluded). */
  writes: number;
  /** Every other SCIM/OpenAPI request that reached its handler. */
  reads: number;
  /** e.g. `SCIM POST /Users`, `SCIM GET /Users`, `SCIM GET /Users/{id}`, `AddUserToGroup`. */
  byAction: Record<string, number>;
  /** Faults injected, by kind: proof in a test that the faults really happened. */
  faults: Record<string, number>;
  /** Requests refused by the account-wide rate limit (never reached their handler). */
  throttled: number;
  reset(): void;
}

export interface RunningEmulator {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** Same as url: RAM SCIM has no /scim/v2 prefix. */
  scimUrl: string;
  /** url + '/v1/token' */
  tokenUrl: string;
  /** url + '/oauth2/v1/auth' */
  authorizeUrl: string;
  /** '127.0.0.1:PORT', for an SDK Config with protocol 'http'. */
  openApiEndpoint: string;
  /** Direct inspection and seeding for tests. */
  state: EmulatorState;
  counters: EmulatorCounters;
  setFaults(faults: FaultOptions | undefined): void;
  /** Replaces the account-wide rate limit (a full bucket); undefined lifts it. */
  setRateLimit(rateLimit: EmulatorOptions['rateLimit']): void;
  /** Stops the server; also destroys sockets held by 'timeout' faults, then saves the state file if any. */
  close(): Promise<void>;
}

export const DEFAULT_CLIENTS: EmulatorClient[] = [
  { clientId: 'emulator-client', clientSecret: 'emulator-secret', type: 'server' },
  { clientId: 'emulator-native', clientSecret: 'emulator-native-secret', type: 'native' },
];

export const DEFAULT_ACCESS_KEYS: EmulatorAccessKey[] = [
  { accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-ak-secret' },
];
