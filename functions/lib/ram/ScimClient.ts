/**
 * RAM's SCIM 2.0 Users endpoint over fetch: create, get, find, list, replace, delete.
 * Every request goes through the shared limiter and retry policy, carries a fresh bearer token
 * (refreshed once on a 401), and is idempotent under lost answers: a create is looked up by
 * externalId before it is retried, and a delete that finds nothing is done.
 */
import type { RamUser, RamUserInput } from '../core/model';
import { FinalRamError, RamConflictError, isRamError, translateScimResponse, translateTransportError } from './errors';
import type { Limiter } from './limiter';
import type { TokenProvider } from './OAuthToken';
import { withRetry, type RetryPolicy } from './retry';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

export interface ScimClientOptions {
  /** e.g. `https://scim.aliyun.com` (no /scim/v2 prefix on RAM) or `http://127.0.0.1:PORT`. */
  baseUrl: string;
  tokens: TokenProvider;
  retry: RetryPolicy;
  limiter: Limiter;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Page size for listUsers. Default 100. */
  pageSize?: number;
  fetch?: typeof fetch;
}

interface ScimUserResource {
  id?: unknown;
  userName?: unknown;
  displayName?: unknown;
  externalId?: unknown;
}

interface ScimListResponse {
  totalResults?: unknown;
  Resources?: unknown;
}

interface ScimAnswer {
  status: number;
  body: unknown;
}

export class ScimClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ScimClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** POST /Users. Safe to call again after a lost answer: the same externalId is never created twice. */
  async createUser(input: RamUserInput): Promise<RamUser> {
    const operation = 'scim.createUser';
    const created = await withRetry(this.options.retry, async () => {
      try {
        return toRamUser((await this.send('POST', '/Users', operation, scimBody(input))).body);
      } catch (error) {
        if (error instanceof RamConflictError) {
          const existing = await this.findByExternalId(input.externalId);
          if (existing) return existing;
        }
        throw error;
      }
    }, {
      // The POST may have been applied before the answer was lost: look before creating again.
      beforeRetry: () => this.findByExternalId(input.externalId),
    });
    return created;
  }

  /** GET /Users/{id}; undefined when there is no such user. */
  async getUser(id: string): Promise<RamUser | undefined> {
    const answer = await this.request('GET', `/Users/${encodeURIComponent(id)}`, 'scim.getUser', undefined, [404]);
    return answer.status === 404 ? undefined : toRamUser(answer.body);
  }

  findByExternalId(externalId: string): Promise<RamUser | undefined> {
    return this.findOne('externalId', externalId, 'scim.findByExternalId');
  }

  /** userName is matched case-insensitively, as RAM does. */
  findByUserName(userName: string): Promise<RamUser | undefined> {
    return this.findOne('userName', userName, 'scim.findByUserName');
  }

  /** Every user, page by page (startIndex/count). */
  async *listUsers(): AsyncGenerator<RamUser> {
    const count = this.options.pageSize ?? 100;
    let startIndex = 1;
    let seen = 0;
    for (;;) {
      const query = new URLSearchParams({ startIndex: String(startIndex), count: String(count) });
      const page = (await this.request('GET', `/Users?${query}`, 'scim.listUsers')).body as ScimListResponse;
      const resources = Array.isArray(page?.Resources) ? page.Resources : [];
      for (const resource of resources) yield toRamUser(resource);
      seen += resources.length;
      startIndex += resources.length;
      const total = Number(page?.totalResults);
      if (resources.length === 0) return;
      // A server may cap count below what we asked, so a short page ends the list only when
      // totalResults does not say otherwise.
      if (Number.isFinite(total) ? seen >= total : resources.length < count) return;
    }
  }

  /** PUT /Users/{id}: a full replace, which may rename. */
  async replaceUser(id: string, input: RamUserInput): Promise<RamUser> {
    const answer = await this.request('PUT', `/Users/${encodeURIComponent(id)}`, 'scim.replaceUser', scimBody(input));
    return toRamUser(answer.body);
  }

  /** DELETE /Users/{id}; a user already gone (404) counts as deleted. */
  async deleteUser(id: string): Promise<void> {
    await this.request('DELETE', `/Users/${encodeURIComponent(id)}`, 'scim.deleteUser', undefined, [404]);
  }

  private async findOne(attribute: 'externalId' | 'userName', value: string, operation: string): Promise<RamUser | undefined> {
    const query = new URLSearchParams({ filter: eqFilter(attribute, value) });
    const page = (await this.request('GET', `/Users?${query}`, operation)).body as ScimListResponse;
    const users = (Array.isArray(page?.Resources) ? page.Resources : []).map(toRamUser);
    const same = attribute === 'userName'
      ? (u: RamUser) => u.userName.toLowerCase() === value.toLowerCase()
      : (u: RamUser) => u.externalId === value;
    return users.find(same);
  }

  /** One logical request with retries; statuses in `accept` are answers, not errors. */
  private request(method: string, path: string, operation: string, body?: unknown, accept: number[] = []): Promise<ScimAnswer> {
    return withRetry(this.options.retry, () => this.send(method, path, operation, body, accept));
  }

  /** One attempt under the limiter, with one token refresh on a 401. */
  private send(method: string, path: string, operation: string, body?: unknown, accept: number[] = []): Promise<ScimAnswer> {
    return this.options.limiter.run(async () => {
      let token = await this.options.tokens.getToken();
      let answer = await this.exchange(method, path, operation, token, body);
      if (answer.status === 401) {
        this.options.tokens.invalidate(token);
        token = await this.options.tokens.getToken();
        answer = await this.exchange(method, path, operation, token, body);
      }
      if ((answer.status >= 200 && answer.status < 300) || accept.includes(answer.status)) {
        return { status: answer.status, body: answer.body };
      }
      throw translateScimResponse(answer.status, answer.body, answer.retryAfter, operation);
    });
  }

  private async exchange(method: string, path: string, operation: string, token: string, body?: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/scim+json, application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await (this.options.fetch ?? fetch)(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      return { status: response.status, body: parseBody(text), retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      throw isRamError(error) ? error : translateTransportError(error, operation);
    }
  }
}

/** `attr eq "value"` with `"` and `\` escaped, the only filter shape RAM accepts (with `and`). */
export function eqFilter(attribute: 'id' | 'userName' | 'externalId', value: string): string {
  return `${attribute} eq "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function scimBody(input: RamUserInput) {
  return { schemas: [SCIM_USER_SCHEMA], externalId: input.externalId, userName: input.userName, displayName: input.displayName };
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toRamUser(resource: unknown): RamUser {
  const r = (resource ?? {}) as ScimUserResource;
  if (typeof r.id !== 'string' && typeof r.id !== 'number') {
    throw new FinalRamError({ code: 'MalformedResponse', operation: 'scim', reason: 'the SCIM answer has no user id' });
  }
  const userName = typeof r.userName === 'string' ? r.userName : '';
  const user: RamUser = {
    id: String(r.id),
    userName,
    displayName: typeof r.displayName === 'string' ? r.displayName : userName,
  };
  if (typeof r.externalId === 'string' && r.externalId) user.externalId = r.externalId;
  return user;
}
