/**
 * The Entra ID source's configuration (what `push`, `full-sync` and `entra-poll` need to read people
 * through Microsoft Graph), parsed once at cold start. Problems name the variable, never its value.
 * The webhook's (`ENTRA_CLIENT_STATE`, `ENTRA_NOTIFICATION_URL`) is in webhookConfig.ts.
 *
 * | variable              | default                 | meaning                                                       |
 * |-----------------------|-------------------------|---------------------------------------------------------------|
 * | `ENTRA_TENANT_ID`     | none (source off)       | the tenant: its GUID or a verified domain (`contoso.onmicrosoft.com`) |
 * | `ENTRA_CLIENT_ID`     | none (required)         | the app registration's Application (client) ID                |
 * | `ENTRA_CLIENT_SECRET` | none (required)         | a client secret of that app (its Value, not its Secret ID)    |
 * | `ENTRA_CLOUD`         | `global`                | `global`, or `china` (21Vianet): sets both endpoints and the scope |
 * | `ENTRA_LOGIN_URL`     | the cloud's authority   | token endpoint base: `<login>/<tenant>/oauth2/v2.0/token`     |
 * | `ENTRA_GRAPH_URL`     | the cloud's Graph root  | requests go to `<graph>/v1.0/…`                               |
 * | `ENTRA_DEPARTMENTS`   | `attribute`             | where departments come from: `attribute`, `groups` or `both`  |
 * | `ENTRA_TIMEOUT_MS`    | `15000`                 | per Graph request                                             |
 *
 * China: Graph's national-cloud page names `https://login.chinacloudapi.cn` as the authority; the
 * Entra docs also list `https://login.partner.microsoftonline.cn`. We default to the first (also
 * seen working in the field) and `ENTRA_LOGIN_URL` overrides it (reference/idp.md §1.1).
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';

export const ENTRA_CLOUDS = ['global', 'china'] as const;
export type EntraCloud = (typeof ENTRA_CLOUDS)[number];

/** Each cloud's token authority and Graph root (reference/idp.md §1.1). */
export const CLOUD_ENDPOINTS: Readonly<Record<EntraCloud, { loginUrl: string; graphUrl: string }>> = {
  global: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com' },
  china: { loginUrl: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn' },
};

/**
 * Where a person's departments come from: the `department` attribute (a free-text name; the
 * department id is derived from it, see mapping.ts), Entra security/Microsoft 365 groups the person
 * is a direct member of (department id = the group's object id), or both.
 */
export const ENTRA_DEPARTMENT_SOURCES = ['attribute', 'groups', 'both'] as const;
export type EntraDepartmentSource = (typeof ENTRA_DEPARTMENT_SOURCES)[number];

export const DEFAULT_ENTRA_TIMEOUT_MS = 15_000;

export interface EntraSourceConfig {
  /** A GUID or a domain name; not `common` or `organizations` (client credentials need one tenant). */
  tenantId: string;
  clientId: string;
  clientSecret: string;
  cloud: EntraCloud;
  /** Without a trailing slash, e.g. `https://login.microsoftonline.com`. */
  loginUrl: string;
  /** Without a trailing slash and without `/v1.0`, e.g. `https://graph.microsoft.com`. */
  graphUrl: string;
  /** `<the cloud's Graph root>/.default`: every application permission the admin consented to. */
  scope: string;
  departments: EntraDepartmentSource;
  timeoutMs: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** Multi-tenant aliases that client credentials refuse. */
const NOT_A_TENANT = new Set(['common', 'organizations', 'consumers']);

export const TENANT_RULE = 'must be the tenant ID (a GUID) or a verified domain such as contoso.onmicrosoft.com';
export const CLIENT_ID_RULE = "must be the app registration's Application (client) ID, a GUID";

/** Whether `value` names one tenant: a GUID or a domain. */
export function isTenantId(value: string): boolean {
  return !NOT_A_TENANT.has(value.toLowerCase()) && (GUID.test(value) || DOMAIN.test(value));
}

/**
 * The source's settings, or undefined when `ENTRA_TENANT_ID` is unset (the source is off). A tenant
 * without the client id or secret, or a malformed value, is a ConfigError naming every variable.
 *
 * @example
 * const config = parseEntraSourceConfig(process.env);
 * const source = config && createEntraSource(config);
 */
export function parseEntraSourceConfig(env: Env): EntraSourceConfig | undefined {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const tenantId = read.text('ENTRA_TENANT_ID');
  if (tenantId === undefined) return undefined;
  if (!isTenantId(tenantId)) problems.add({ variable: 'ENTRA_TENANT_ID', problem: TENANT_RULE });
  const clientId = read.required('ENTRA_CLIENT_ID', 'is required when ENTRA_TENANT_ID is set');
  if (clientId !== undefined && !GUID.test(clientId)) problems.add({ variable: 'ENTRA_CLIENT_ID', problem: CLIENT_ID_RULE });
  const clientSecret = read.secret('ENTRA_CLIENT_SECRET');
  if (clientSecret === undefined) problems.add({ variable: 'ENTRA_CLIENT_SECRET', problem: 'is required when ENTRA_TENANT_ID is set' });
  const cloud = read.oneOf('ENTRA_CLOUD', ENTRA_CLOUDS, 'global');
  const endpoints = CLOUD_ENDPOINTS[cloud];
  const loginUrl = read.url('ENTRA_LOGIN_URL', endpoints.loginUrl);
  const graphUrl = read.url('ENTRA_GRAPH_URL', endpoints.graphUrl).replace(/\/v1\.0$/, '');
  const departments = read.oneOf('ENTRA_DEPARTMENTS', ENTRA_DEPARTMENT_SOURCES, 'attribute');
  const timeoutMs = read.integer('ENTRA_TIMEOUT_MS', { fallback: DEFAULT_ENTRA_TIMEOUT_MS, min: 1, max: 600_000, unit: 'milliseconds' });
  problems.throwIfAny();
  return {
    tenantId, clientId: clientId!, clientSecret: clientSecret!, cloud, loginUrl, graphUrl,
    // A token for another cloud's Graph is refused, so the scope follows the cloud, not a proxy URL.
    scope: `${endpoints.graphUrl}/.default`,
    departments, timeoutMs,
  };
}
