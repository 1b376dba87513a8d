/**
 * Okta's Management API as the source and okta-poll need it (reference/idp.md §2.3–2.6): a user by
 * id and their groups, users (optionally filtered or searched), groups and their members, and the
 * System Log, each listing paged by following the Link header's `next` (only on the org's own host),
 * through the vendor client (../vendorClient.ts) with Okta's table (errcodes.ts).
 *
 * Auth is the API token (`Authorization: SSWS …`) or the service app's access token, issued by
 * client credentials with a private_key_jwt assertion and cached by the vendor client.
 * Rate limits: a 429 waits until X-Rate-Limit-Reset (the vendor client's retry); a success whose
 * X-Rate-Limit-Remaining is 0 makes the next call wait until its Reset.
 */
import { retryPolicy, type RetryPolicy } from '../../core/retryPolicy';
import { type VendorApiOptions, VendorClient } from '../vendorClient';
import { clientAssertion } from './clientAssertion';
import type { OktaSourceConfig } from './config';
import { type OktaPage, type OktaRequest, oktaTable } from './errcodes';
import { OktaApiError } from './errors';
import type { OktaGroup, OktaLogEvent, OktaUser } from './types';

export interface OktaApiOptions extends VendorApiOptions {
  /** Users per page (Okta's documented maximum and default: 200). */
  pageSize?: number;
  /** System Log events per page (at most 1000). */
  logPageSize?: number;
}

const USERS = 'okta.users.read';
const GROUPS = 'okta.groups.read';
const LOGS = 'okta.logs.read';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A System Log page: its events in persistence order, and the link to poll next (always present on a polling request). */
export interface OktaLogPage {
  events: OktaLogEvent[];
  next: string;
}

export class OktaApi {
  private readonly client: VendorClient<OktaRequest>;
  private readonly origin: string;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private readonly headers: Record<string, string>;
  private readonly pageSize: number;
  private readonly logPageSize: number;
  /** When the rate limit lets the next call go (X-Rate-Limit-Remaining was 0). */
  private resumeAt = 0;

  constructor(private readonly config: OktaSourceConfig, options: OktaApiOptions = {}) {
    this.origin = new URL(config.orgUrl).origin;
    this.now = options.now ?? Date.now;
    this.pageSize = options.pageSize ?? 200;
    this.logPageSize = options.logPageSize ?? 1000;
    // Okta's windows are about a minute: a 429's Reset is at most that far; equal jitter spreads
    // the backoff of 5xx retries without ever retrying at once.
    this.retry = retryPolicy({ maxAttempts: 6, baseMs: 500, capMs: 65_000, jitter: 'equal', ...options.retry });
    const { auth } = config;
    this.headers = auth.kind === 'api-token' ? { authorization: `SSWS ${auth.apiToken}` } : {};
    this.client = new VendorClient({
      baseUrl: this.origin,
      timeoutMs: options.timeoutMs,
      retry: this.retry,
      // Access tokens live an hour; renew five minutes early.
      token: auth.kind === 'oauth' ? { issue: () => this.issueToken(), now: options.now, renewEarly: (s) => Math.min(300, s / 10) } : undefined,
    }, oktaTable({ auth: auth.kind, secrets: auth.kind === 'api-token' ? [auth.apiToken] : [], now: options.now }));
  }

  /** The user (any status, DEPROVISIONED included), or undefined once Okta says there is no such user (404 E0000007). */
  async getUser(id: string): Promise<OktaUser | undefined> {
    const page = await this.call({ method: 'GET', label: 'GET /api/v1/users/{id}', path: `/api/v1/users/${encodeURIComponent(id)}`, absent: true, scope: USERS });
    return page && this.object<OktaUser>(page, 'GET /api/v1/users/{id}');
  }

  /** The user's groups; undefined when the user is gone. */
  async userGroups(id: string): Promise<OktaGroup[] | undefined> {
    return this.collect<OktaGroup>({ method: 'GET', label: 'GET /api/v1/users/{id}/groups', path: `/api/v1/users/${encodeURIComponent(id)}/groups`, absent: true, scope: USERS });
  }

  /**
   * Users, paged. Without `filter`/`search` Okta leaves DEPROVISIONED users out; with either, it
   * includes them (and reads an eventually consistent index).
   */
  users(select: { filter?: string; search?: string } = {}): AsyncIterable<OktaUser> {
    const query: Record<string, string> = { limit: String(this.pageSize) };
    if (select.filter) query.filter = select.filter;
    if (select.search) query.search = select.search;
    return this.pages<OktaUser>({ method: 'GET', label: 'GET /api/v1/users', path: '/api/v1/users', query, scope: USERS });
  }

  async getGroup(id: string): Promise<OktaGroup | undefined> {
    const page = await this.call({ method: 'GET', label: 'GET /api/v1/groups/{id}', path: `/api/v1/groups/${encodeURIComponent(id)}`, absent: true, scope: GROUPS });
    return page && this.object<OktaGroup>(page, 'GET /api/v1/groups/{id}');
  }

  groups(): AsyncIterable<OktaGroup> {
    return this.pages<OktaGroup>({ method: 'GET', label: 'GET /api/v1/groups', path: '/api/v1/groups', query: { limit: String(this.pageSize) }, scope: GROUPS });
  }

  /** The group's members, 200 a page (Okta's default of 1000 is "for historical reasons"). */
  groupMembers(id: string): AsyncIterable<OktaUser> {
    return this.pages<OktaUser>({
      method: 'GET', label: 'GET /api/v1/groups/{id}/users', path: `/api/v1/groups/${encodeURIComponent(id)}/users`,
      query: { limit: String(this.pageSize) }, scope: GROUPS,
    });
  }

  /**
   * One System Log page: the polling request (no `until`, ASCENDING) from `since` with `filter`,
   * or the stored `next` link of the last page. Its `next` is always present and is the watermark.
   */
  async logPage(from: { since: Date; filter: string } | { next: string }): Promise<OktaLogPage> {
    const label = 'GET /api/v1/logs';
    const first: OktaRequest = { method: 'GET', label, path: '/api/v1/logs', scope: LOGS };
    const request = 'next' in from ? this.follow(first, from.next) : {
      ...first, query: { since: from.since.toISOString(), sortOrder: 'ASCENDING', limit: String(this.logPageSize), filter: from.filter },
    };
    const page = (await this.call(request))!;
    if (!Array.isArray(page.body)) throw invalid(label, 'the answer is not a list of events');
    // A polling request always links to its next page; without one there is nothing to resume from.
    if (!page.next) throw invalid(label, 'the polling request answered without a next link');
    this.follow(first, page.next);
    return { events: page.body as OktaLogEvent[], next: page.next };
  }

  /** Everything a listing pages through; undefined when its first page is absent (404 E0000007). */
  private async collect<T>(first: OktaRequest): Promise<T[] | undefined> {
    const items: T[] = [];
    let request: OktaRequest | undefined = first;
    const seen = new Set<string>();
    while (request) {
      const page = await this.call(request);
      if (!page) return request === first ? undefined : items;
      items.push(...this.list<T>(page, first.label));
      request = this.nextRequest(first, page, seen);
    }
    return items;
  }

  private async *pages<T>(first: OktaRequest): AsyncIterable<T> {
    let request: OktaRequest | undefined = first;
    const seen = new Set<string>();
    while (request) {
      const page = (await this.call(request))!;
      yield* this.list<T>(page, first.label);
      request = this.nextRequest(first, page, seen);
    }
  }

  private nextRequest(first: OktaRequest, page: OktaPage, seen: Set<string>): OktaRequest | undefined {
    if (!page.next) return undefined;
    // A server handing back a link it already gave would page forever.
    if (seen.has(page.next)) throw invalid(first.label, 'the next link repeats an earlier page');
    seen.add(page.next);
    return this.follow(first, page.next);
  }

  /** The request for a next link: followed as given, but only on the org's host and the same path (the token goes with it). */
  private follow(first: OktaRequest, link: string): OktaRequest {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      throw invalid(first.label, 'the next link is not a URL');
    }
    if (url.origin !== this.origin || url.pathname !== first.path) {
      throw new OktaApiError({
        code: 'InvalidAnswer', retryable: false, reason: `${first.label}: the next link leaves OKTA_ORG_URL's host or path; not followed`,
        recommendedAction: 'set OKTA_ORG_URL to the org URL Okta answers with (a custom domain, if the org has one), not a proxy in front of it',
      });
    }
    return { ...first, query: Object.fromEntries(url.searchParams) };
  }

  /** One call, after any pause the rate limit asked for. */
  private async call(request: OktaRequest): Promise<OktaPage | undefined> {
    const wait = this.resumeAt - this.now();
    if (wait > 0) await this.retry.sleep(wait);
    const page = await this.client.request<OktaPage>({ ...request, headers: this.headers });
    this.resumeAt = page?.pauseMs ? this.now() + page.pauseMs : 0;
    return page;
  }

  private list<T>(page: OktaPage, label: string): T[] {
    if (!Array.isArray(page.body)) throw invalid(label, 'the answer is not a list');
    return page.body as T[];
  }

  private object<T>(page: OktaPage, label: string): T {
    const body = page.body as { id?: unknown } | null;
    if (typeof body !== 'object' || body === null || typeof body.id !== 'string') throw invalid(label, 'the answer has no id');
    return body as T;
  }

  private async issueToken(): Promise<{ token: string; expiresIn: number }> {
    const { auth } = this.config;
    if (auth.kind !== 'oauth') throw new Error('issueToken without a service app');
    const audience = `${this.origin}/oauth2/v1/token`;
    const now = this.now;
    const page = await this.client.request<OktaPage>({
      method: 'POST', label: 'POST /oauth2/v1/token', path: '/oauth2/v1/token', anonymous: true, scope: auth.scopes.join(' '),
      // A getter: each attempt signs a fresh assertion, since Okta refuses a jti it has seen.
      get form() {
        return {
          grant_type: 'client_credentials', scope: auth.scopes.join(' '),
          client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion(auth, audience, now()),
        };
      },
    });
    const body = page?.body as { access_token?: unknown; expires_in?: unknown; token_type?: unknown } | undefined;
    if (typeof body?.access_token !== 'string' || !body.access_token || typeof body.expires_in !== 'number' || body.expires_in <= 0) {
      throw invalid('POST /oauth2/v1/token', 'the answer lacks access_token or expires_in');
    }
    if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') {
      throw new OktaApiError({
        code: 'InvalidAnswer', retryable: false, reason: `POST /oauth2/v1/token: Okta issued a ${body.token_type.slice(0, 20)} token, not a Bearer one`,
        recommendedAction: 'untick "Require Demonstrating Proof of Possession (DPoP) header in token requests" on the service app (Applications → the app → General)',
      });
    }
    return { token: body.access_token, expiresIn: body.expires_in };
  }
}

function invalid(label: string, what: string): OktaApiError {
  return new OktaApiError({ code: 'InvalidAnswer', retryable: true, reason: `${label}: ${what}` });
}

/** A value inside an Okta filter or search string: `"` and `\` escaped. */
export function filterValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
