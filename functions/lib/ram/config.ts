/**
 * The RAM client's settings from environment variables, parsed once at cold start.
 * Endpoints follow core/config.ts's URL rule: https, or http:// to a loopback emulator or test server.
 */
import { type Env, envReader } from '../core/config';
import { ConfigError, ConfigProblems } from '../core/errors';
import type { CloudCredentials } from '../core/ports';

export { ConfigError };

const GRANTS = ['client_credentials', 'refresh_token'] as const;

export interface RamConfig {
  scimUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  grant: 'client_credentials' | 'refresh_token';
  openApiEndpoint: string;
  rateLimit: number;
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  /** From ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN when set; in FC use context.credentials. */
  credentials?: CloudCredentials;
}

/**
 * @example
 * const config = parseRamConfig(process.env); // throws ConfigError naming every bad variable
 */
export function parseRamConfig(env: Env): RamConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const positive = (name: string, fallback: number) => read.integer(name, { fallback, min: 1 });
  const config: RamConfig = {
    /** SCIM base URL, no /scim/v2 prefix on RAM. */
    scimUrl: read.url('RAM_SCIM_URL', 'https://scim.aliyun.com'),
    tokenUrl: read.url('RAM_OAUTH_TOKEN_URL', 'https://oauth.aliyun.com/v1/token'),
    /** The OAuth app's Application ID. */
    clientId: read.required('RAM_OAUTH_CLIENT_ID') ?? '',
    /** The AppSecretValue (not the AppSecretId). */
    clientSecret: read.required('RAM_OAUTH_CLIENT_SECRET') ?? '',
    /** `client_credentials` for a Server application, `refresh_token` for a Native one (after `npm run consent`). */
    grant: read.oneOf('RAM_OAUTH_GRANT', GRANTS, 'client_credentials'),
    /** `ram.aliyuncs.com`, or an http(s) URL / loopback host:port for an emulator. */
    openApiEndpoint: read.endpoint('RAM_OPENAPI_ENDPOINT') ?? 'ram.aliyuncs.com',
    /** Requests per second to RAM (SCIM and OpenAPI together). */
    rateLimit: positive('RAM_RATE_LIMIT', 20),
    concurrency: positive('RAM_CONCURRENCY', 8),
    timeoutMs: positive('RAM_TIMEOUT_MS', 10_000),
    maxAttempts: positive('RAM_MAX_ATTEMPTS', 5),
  };
  const id = read.text('ALIBABA_CLOUD_ACCESS_KEY_ID');
  const secret = read.text('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const token = read.text('ALIBABA_CLOUD_SECURITY_TOKEN');
  if (!!id !== !!secret) {
    problems.add({ variable: id ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' : 'ALIBABA_CLOUD_ACCESS_KEY_ID', problem: 'is required when the other is set' });
  }
  // The empty strings above never escape: any problem throws here, naming variables, never values.
  problems.throwIfAny();
  if (id && secret) config.credentials = { accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) };
  return config;
}
