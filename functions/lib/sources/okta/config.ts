/**
 * The Okta source's configuration (what `push`, `full-sync` and `okta-poll` need to read people),
 * parsed once at cold start. Problems name the variable, never its value (reference/idp.md §2).
 * The Event Hook's secret is in webhookConfig.ts.
 *
 * | variable                    | default                         | meaning                                        |
 * |-----------------------------|---------------------------------|------------------------------------------------|
 * | `OKTA_ORG_URL`              | none (source off when unset)    | the org, e.g. `https://acme.okta.com` (no path) |
 * | `OKTA_API_TOKEN`            | none                            | an SSWS API token (one of the two auth modes)   |
 * | `OKTA_CLIENT_ID`            | none                            | the API service app's client id (OAuth mode)    |
 * | `OKTA_PRIVATE_KEY`          | none                            | its private key, PKCS#8 or PKCS#1 PEM (RSA)     |
 * | `OKTA_KEY_ID`               | none                            | the key's `kid` in the app's JWKS, if set there |
 * | `OKTA_DEPARTMENTS`          | `groups`                        | `groups`, `attribute` (profile.department) or `both` |
 * | `OKTA_POLL_OVERLAP_SECONDS` | `120`                           | how far back okta-poll re-reads `lastUpdated`  |
 */
import { createPrivateKey } from 'node:crypto';
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';

export const OKTA_DEPARTMENT_MODES = ['groups', 'attribute', 'both'] as const;
export type OktaDepartmentMode = (typeof OKTA_DEPARTMENT_MODES)[number];

/** What the service app asks for: read people and groups, and the System Log for okta-poll's deletions. */
export const OKTA_SCOPES = ['okta.users.read', 'okta.groups.read', 'okta.logs.read'] as const;

export const DEFAULT_POLL_OVERLAP_SECONDS = 120;

/** An SSWS API token (`Authorization: SSWS …`), acting with its admin's privileges. */
export interface OktaTokenAuth {
  kind: 'api-token';
  apiToken: string;
}

/** An OAuth 2.0 API service app: client credentials with a private_key_jwt assertion (RS256). */
export interface OktaOAuthAuth {
  kind: 'oauth';
  clientId: string;
  /** PEM, as set (escaped `\n` turned into newlines). */
  privateKey: string;
  keyId?: string;
  scopes: readonly string[];
}

export interface OktaSourceConfig {
  /** The org's origin without a trailing slash, e.g. `https://acme.okta.com`; requests go to `<orgUrl>/api/v1/…`. */
  orgUrl: string;
  auth: OktaTokenAuth | OktaOAuthAuth;
  departments: OktaDepartmentMode;
  pollOverlapSeconds: number;
}

/**
 * The source's settings, or undefined when `OKTA_ORG_URL` is unset (the source is off). Exactly one
 * auth mode must be set: `OKTA_API_TOKEN`, or `OKTA_CLIENT_ID` with `OKTA_PRIVATE_KEY`.
 *
 * @example
 * const config = parseOktaSourceConfig(process.env);
 * const source = config && createOktaSource(config);
 */
export function parseOktaSourceConfig(env: Env): OktaSourceConfig | undefined {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  if (!read.text('OKTA_ORG_URL')) return undefined;
  const orgUrl = read.url('OKTA_ORG_URL', '');
  if (orgUrl && new URL(orgUrl).pathname !== '/') {
    problems.add({ variable: 'OKTA_ORG_URL', problem: 'must be the org URL without a path (https://acme.okta.com, not the -admin console)' });
  }
  if (orgUrl && /-admin\./i.test(new URL(orgUrl).hostname)) {
    problems.add({ variable: 'OKTA_ORG_URL', problem: 'is the Admin Console host: use the org host without -admin' });
  }
  const auth = readAuth(read, problems);
  const departments = read.oneOf('OKTA_DEPARTMENTS', OKTA_DEPARTMENT_MODES, 'groups');
  const pollOverlapSeconds = read.integer('OKTA_POLL_OVERLAP_SECONDS', { fallback: DEFAULT_POLL_OVERLAP_SECONDS, min: 0, max: 86_400, unit: 'seconds' });
  problems.throwIfAny();
  return { orgUrl, auth: auth!, departments, pollOverlapSeconds };
}

function readAuth(read: ReturnType<typeof envReader>, problems: ConfigProblems): OktaSourceConfig['auth'] | undefined {
  const apiToken = read.secret('OKTA_API_TOKEN');
  const clientId = read.text('OKTA_CLIENT_ID');
  const pem = read.secret('OKTA_PRIVATE_KEY');
  const oauth = clientId !== undefined || pem !== undefined;
  if (apiToken !== undefined && oauth) {
    const problem = 'and OKTA_CLIENT_ID/OKTA_PRIVATE_KEY are both set: choose one, the API token or the OAuth service app';
    problems.add({ variable: 'OKTA_API_TOKEN', problem });
    return undefined;
  }
  if (apiToken !== undefined) return { kind: 'api-token', apiToken: apiToken.trim() };
  if (!oauth) {
    problems.add({
      variable: 'OKTA_CLIENT_ID or OKTA_API_TOKEN',
      problem: 'is required when OKTA_ORG_URL is set: an OAuth service app (OKTA_CLIENT_ID + OKTA_PRIVATE_KEY, recommended) or an API token',
    });
    return undefined;
  }
  read.required('OKTA_CLIENT_ID', 'is required with OKTA_PRIVATE_KEY: the API service app\'s client id');
  if (pem === undefined) problems.add({ variable: 'OKTA_PRIVATE_KEY', problem: 'is required with OKTA_CLIENT_ID: the PEM private key whose public key the app holds' });
  const privateKey = pem?.replace(/\\n/g, '\n').trim();
  if (privateKey !== undefined && !isRsaPrivateKey(privateKey)) {
    problems.add({ variable: 'OKTA_PRIVATE_KEY', problem: 'must be an RSA private key in PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----), unencrypted' });
  }
  const keyId = read.matching('OKTA_KEY_ID', /^[\x21-\x7e]{1,200}$/, 'must be the key id (kid) shown for the key in the app, without spaces');
  if (clientId === undefined || privateKey === undefined) return undefined;
  return { kind: 'oauth', clientId, privateKey, ...(keyId && { keyId }), scopes: OKTA_SCOPES };
}

function isRsaPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}
