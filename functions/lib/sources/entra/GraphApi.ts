/**
 * Microsoft Graph v1.0 as the Entra source needs it (reference/idp.md §1): an app-only token by
 * client credentials, one user or group by id, users and groups listed, a group's direct user
 * members, a user's groups, and delta rounds over users and groups. Sent through the vendor
 * client (../vendorClient.ts) with Graph's table (errcodes.ts); the token endpoint is a second
 * client on the login host, used only by the token cache.
 *
 * `request` is open to the other Entra modules (the webhook's subscriptions): a path below the
 * Graph root, e.g. `{ method: 'POST', label: 'POST /v1.0/subscriptions', path: '/v1.0/subscriptions', json }`.
 */
import { retryPolicy } from '../../core/retryPolicy';
import { type VendorApiOptions, VendorClient } from '../vendorClient';
import { CLOUD_ENDPOINTS, type EntraSourceConfig } from './config';
import { type GraphRequest, graphTable } from './errcodes';
import { EntraApiError } from './errors';
import type { GraphGroup, GraphPage, GraphTokenAnswer, GraphUser } from './types';

/** What the mapping reads, and so what delta tracks: a change to anything else does not surface a user. */
export const USER_SELECT = [
  'id', 'userPrincipalName', 'displayName', 'mail', 'mailNickname', 'accountEnabled', 'givenName', 'surname',
  'department', 'jobTitle', 'employeeId', 'mobilePhone',
] as const;
export const GROUP_SELECT = ['id', 'displayName', 'description'] as const;
/** groups/delta: `members` asks for `members@delta` (who joined and left). */
export const GROUP_DELTA_SELECT = ['displayName', 'description', 'members'] as const;
/** Graph's permission for group reads (groups, members, memberOf, groups/delta). */
export const GROUP_PERMISSION = 'GroupMember.Read.All';

/** Background reads yield to interactive traffic when the tenant nears its limit (idp.md §1.4). */
const BACKGROUND: Readonly<Record<string, string>> = { 'x-ms-throttle-priority': 'low' };

export type DeltaResource = 'users' | 'groups';

export interface GraphApiOptions extends VendorApiOptions {
  /** `$top` for listings that honour it (users, groups, members; not delta); Graph allows 1–999. Default 999. */
  pageSize?: number;
}

export class GraphApi {
  private readonly graph: VendorClient<GraphRequest>;
  private readonly login: VendorClient<GraphRequest>;
  private readonly pageSize: number;
  /** Roots a nextLink or deltaLink may point to: the configured one and the cloud's own. */
  private readonly roots: string[];

  constructor(readonly config: EntraSourceConfig, options: GraphApiOptions = {}) {
    this.pageSize = options.pageSize ?? 999;
    this.roots = [...new Set([config.graphUrl, CLOUD_ENDPOINTS[config.cloud].graphUrl])];
    const table = graphTable(config.clientSecret);
    // Graph's Retry-After is honoured up to a minute; without one, exponential backoff with jitter.
    const retry = retryPolicy({ maxAttempts: 6, baseMs: 500, capMs: 60_000, ...options.retry });
    this.login = new VendorClient({ baseUrl: config.loginUrl, timeoutMs: options.timeoutMs ?? config.timeoutMs, retry }, table);
    this.graph = new VendorClient({
      baseUrl: config.graphUrl, timeoutMs: options.timeoutMs ?? config.timeoutMs, retry,
      token: { issue: () => this.issueToken(), now: options.now },
    }, table);
  }

  /** One Graph call with the app's token: the JSON body, or undefined on a 404 "no such object" when `absent` is set. */
  request<T>(request: GraphRequest): Promise<T | undefined> {
    return this.graph.request<T>(request);
  }

  /** The user, or undefined when Graph answers 404 Request_ResourceNotFound (deleted, soft or hard). */
  getUser(id: string): Promise<GraphUser | undefined> {
    return this.request<GraphUser>({
      method: 'GET', label: 'GET /v1.0/users/{id}', path: `/v1.0/users/${encodeURIComponent(id)}`,
      query: { $select: USER_SELECT.join(',') }, absent: true,
    });
  }

  /** The group, or undefined when Graph answers 404 Request_ResourceNotFound. */
  getGroup(id: string): Promise<GraphGroup | undefined> {
    return this.request<GraphGroup>({
      method: 'GET', label: 'GET /v1.0/groups/{id}', path: `/v1.0/groups/${encodeURIComponent(id)}`,
      query: { $select: GROUP_SELECT.join(',') }, absent: true, permission: GROUP_PERMISSION,
    });
  }

  /** Every user in the tenant, disabled ones included. */
  users(): AsyncIterable<GraphUser> {
    return this.items<GraphUser>({
      method: 'GET', label: 'GET /v1.0/users', path: '/v1.0/users',
      query: { $select: USER_SELECT.join(','), $top: String(this.pageSize) }, headers: BACKGROUND,
    });
  }

  /** The users whose `department` is exactly `name` (Graph's `$filter` eq on department). */
  usersInDepartment(name: string): AsyncIterable<GraphUser> {
    return this.items<GraphUser>({
      method: 'GET', label: 'GET /v1.0/users?$filter=department eq', path: '/v1.0/users',
      query: { $filter: `department eq '${name.replace(/'/g, "''")}'`, $select: USER_SELECT.join(','), $top: String(this.pageSize) },
      headers: BACKGROUND,
    });
  }

  /** Every group in the tenant. */
  groups(): AsyncIterable<GraphGroup> {
    return this.items<GraphGroup>({
      method: 'GET', label: 'GET /v1.0/groups', path: '/v1.0/groups',
      query: { $select: GROUP_SELECT.join(','), $top: String(this.pageSize) }, headers: BACKGROUND, permission: GROUP_PERMISSION,
    });
  }

  /** The group's direct members that are users (the OData cast leaves out devices and nested groups). */
  groupMembers(groupId: string): AsyncIterable<GraphUser> {
    return this.items<GraphUser>({
      method: 'GET', label: 'GET /v1.0/groups/{id}/members/microsoft.graph.user',
      path: `/v1.0/groups/${encodeURIComponent(groupId)}/members/microsoft.graph.user`,
      query: { $select: USER_SELECT.join(','), $top: String(this.pageSize) }, headers: BACKGROUND, permission: GROUP_PERMISSION,
    });
  }

  /** The groups the user is a direct member of. Absent user: an empty listing (getUser decides absence). */
  memberOf(userId: string): AsyncIterable<GraphGroup> {
    return this.items<GraphGroup>({
      method: 'GET', label: 'GET /v1.0/users/{id}/memberOf/microsoft.graph.group',
      path: `/v1.0/users/${encodeURIComponent(userId)}/memberOf/microsoft.graph.group`,
      query: { $select: GROUP_SELECT.join(','), $top: String(this.pageSize) }, absent: true, permission: GROUP_PERMISSION,
    });
  }

  /**
   * One delta round, page by page: from `deltaLink` (the previous round's), or round 1 (the whole
   * current state) when there is none. The last page carries `@odata.deltaLink`; a link Graph no
   * longer knows throws `DeltaExpiredError`.
   */
  async *delta<T>(resource: DeltaResource, deltaLink?: string): AsyncIterable<GraphPage<T>> {
    let call: GraphRequest = deltaLink ? this.follow(deltaLink, `GET /v1.0/${resource}/delta (deltaLink)`, resource) : this.deltaStart(resource);
    const seen = new Set<string>();
    for (;;) {
      const page = (await this.request<GraphPage<T>>(call))!;
      yield page;
      const next = page['@odata.nextLink'];
      if (typeof next !== 'string' || !next) {
        if (typeof page['@odata.deltaLink'] !== 'string' || !page['@odata.deltaLink']) {
          throw new EntraApiError({ code: 'InvalidAnswer', retryable: true, reason: `GET /v1.0/${resource}/delta: a page without nextLink or deltaLink` });
        }
        return;
      }
      // A server handing back a link it already gave would page forever.
      if (seen.has(next)) throw new EntraApiError({ code: 'InvalidAnswer', retryable: true, reason: `GET /v1.0/${resource}/delta repeated a nextLink` });
      seen.add(next);
      call = this.follow(next, `GET /v1.0/${resource}/delta (nextLink)`, resource);
    }
  }

  /**
   * A deltaLink that starts from now (`$deltatoken=latest`: no data, only the link), for a round
   * begun right before a full sync: what changes during it comes in the next round.
   */
  async latestDeltaLink(resource: DeltaResource): Promise<string> {
    const start = this.deltaStart(resource);
    const page = (await this.request<GraphPage<unknown>>({ ...start, query: { ...start.query, $deltatoken: 'latest' } }))!;
    const link = page['@odata.deltaLink'];
    if (typeof link !== 'string' || !link) {
      throw new EntraApiError({ code: 'InvalidAnswer', retryable: true, reason: `GET /v1.0/${resource}/delta?$deltatoken=latest answered no deltaLink` });
    }
    return link;
  }

  private deltaStart(resource: DeltaResource): GraphRequest {
    const select = resource === 'users' ? USER_SELECT : GROUP_DELTA_SELECT;
    return {
      method: 'GET', label: `GET /v1.0/${resource}/delta`, path: `/v1.0/${resource}/delta`,
      query: { $select: select.join(',') }, headers: BACKGROUND, ...(resource === 'groups' && { permission: GROUP_PERMISSION }),
    };
  }

  /** Every item of a paged collection, following `@odata.nextLink`. */
  private async *items<T>(first: GraphRequest): AsyncIterable<T> {
    let call: GraphRequest | undefined = first;
    const seen = new Set<string>();
    while (call) {
      const page = await this.request<GraphPage<T>>(call);
      if (!page) return;
      yield* Array.isArray(page.value) ? page.value : [];
      const next = page['@odata.nextLink'];
      if (typeof next !== 'string' || !next) return;
      if (seen.has(next)) throw new EntraApiError({ code: 'InvalidAnswer', retryable: true, reason: `${first.label} repeated a nextLink` });
      seen.add(next);
      call = this.follow(next, first.label, undefined, first);
    }
  }

  /**
   * A nextLink or deltaLink as a request to the configured Graph root. Graph hands out absolute
   * URLs; one on another host (or on the cloud's root when a proxy is configured, rebased onto it)
   * is refused rather than sent our token.
   */
  follow(link: string, label: string, resource?: DeltaResource, like?: GraphRequest): GraphRequest {
    const root = this.roots.find((r) => link.startsWith(`${r}/`));
    let url: URL | undefined;
    try {
      url = root === undefined ? undefined : new URL(link);
    } catch {
      url = undefined;
    }
    if (!root || !url || url.username || url.password) {
      throw new EntraApiError({
        code: 'ForeignLink', retryable: false, reason: `${label}: Graph answered a link outside ${this.config.graphUrl}`,
        recommendedAction: 'set ENTRA_GRAPH_URL (or ENTRA_CLOUD) to the Graph root the tenant answers from',
      });
    }
    const rootPath = new URL(root).pathname.replace(/\/+$/, '');
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    return {
      method: 'GET', label, path: url.pathname.slice(rootPath.length), query, headers: BACKGROUND,
      ...(like?.permission && { permission: like.permission }), ...(like?.absent && { absent: true }),
      ...(resource === 'groups' && { permission: GROUP_PERMISSION }),
    };
  }

  private async issueToken(): Promise<{ token: string; expiresIn: number }> {
    const { tenantId, clientId, clientSecret, scope } = this.config;
    const answer = await this.login.request<GraphTokenAnswer>({
      method: 'POST', label: 'POST /{tenant}/oauth2/v2.0/token', path: `/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
      form: { client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', scope }, anonymous: true,
    });
    const token = answer?.access_token;
    const expiresIn = Number(answer?.expires_in);
    if (typeof token !== 'string' || !token || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new EntraApiError({ code: 'InvalidAnswer', retryable: true, reason: 'the token answer lacks access_token or expires_in' });
    }
    return { token, expiresIn };
  }
}
