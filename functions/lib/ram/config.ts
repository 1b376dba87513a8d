/**
 * The RAM client's settings from environment variables, parsed once at cold start.
 * Endpoints follow core/config.ts's URL rule: https, or http:// to a loopback emulator or test server.
 */
// A namespace import lets esbuild drop what we don't use (the named `z` export keeps all of zod: 450 KB).
import * as z from 'zod';
import { ENDPOINT_RULE, type Env, URL_RULE, isAllowedEndpoint, isAllowedUrl } from '../core/config';
import { ConfigError, type ConfigProblem } from '../core/errors';
import type { CloudCredentials } from '../core/ports';

export { ConfigError };


const httpUrl = z.string().trim().refine(isAllowedUrl, URL_RULE);

const positiveInt = (fallback: number) =>
  z.string().trim().optional().transform((v, ctx) => {
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a positive integer' });
      return z.NEVER;
    }
    return n;
  });

const required = z.string({ error: 'is required' }).trim().min(1, 'is required');

const schema = z.object({
  /** SCIM base URL, no /scim/v2 prefix on RAM. */
  RAM_SCIM_URL: httpUrl.default('https://scim.aliyun.com'),
  RAM_OAUTH_TOKEN_URL: httpUrl.default('https://oauth.aliyun.com/v1/token'),
  /** The OAuth app's Application ID. */
  RAM_OAUTH_CLIENT_ID: required,
  /** The AppSecretValue (not the AppSecretId). */
  RAM_OAUTH_CLIENT_SECRET: required,
  /** `client_credentials` for a Server application, `refresh_token` for a Native one (after `npm run consent`). */
  RAM_OAUTH_GRANT: z.enum(['client_credentials', 'refresh_token'], { error: 'must be client_credentials or refresh_token' })
    .default('client_credentials'),
  /** `ram.aliyuncs.com`, or an http(s) URL / loopback host:port for an emulator. */
  RAM_OPENAPI_ENDPOINT: z.string().trim().min(1).default('ram.aliyuncs.com').refine(isAllowedEndpoint, ENDPOINT_RULE),
  /** Requests per second to RAM (SCIM and OpenAPI together). */
  RAM_RATE_LIMIT: positiveInt(20),
  RAM_CONCURRENCY: positiveInt(8),
  RAM_TIMEOUT_MS: positiveInt(10_000),
  RAM_MAX_ATTEMPTS: positiveInt(5),
  ALIBABA_CLOUD_ACCESS_KEY_ID: z.string().trim().optional(),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: z.string().trim().optional(),
  ALIBABA_CLOUD_SECURITY_TOKEN: z.string().trim().optional(),
});

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
  // An empty variable counts as unset, so defaults apply and required ones are reported missing.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = schema.safeParse(present);
  // Only the variable name and the rule: a secret's value never reaches the message.
  const problems: ConfigProblem[] = result.success ? [] : result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'env'), problem: issue.message }));
  const id = present.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = present.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (!!id !== !!secret) {
    problems.push({ variable: id ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' : 'ALIBABA_CLOUD_ACCESS_KEY_ID', problem: 'is required when the other is set' });
  }
  if (!result.success || problems.length) throw new ConfigError(problems);
  const e = result.data;
  const config: RamConfig = {
    scimUrl: e.RAM_SCIM_URL,
    tokenUrl: e.RAM_OAUTH_TOKEN_URL,
    clientId: e.RAM_OAUTH_CLIENT_ID,
    clientSecret: e.RAM_OAUTH_CLIENT_SECRET,
    grant: e.RAM_OAUTH_GRANT,
    openApiEndpoint: e.RAM_OPENAPI_ENDPOINT,
    rateLimit: e.RAM_RATE_LIMIT,
    concurrency: e.RAM_CONCURRENCY,
    timeoutMs: e.RAM_TIMEOUT_MS,
    maxAttempts: e.RAM_MAX_ATTEMPTS,
  };
  if (e.ALIBABA_CLOUD_ACCESS_KEY_ID && e.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
    config.credentials = { accessKeyId: e.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: e.ALIBABA_CLOUD_ACCESS_KEY_SECRET, ...(e.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: e.ALIBABA_CLOUD_SECURITY_TOKEN } : {}) };
  }
  return config;
}
