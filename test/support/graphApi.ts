/**
 * Microsoft Graph and its token endpoint, as our code meets them, on loopback (reference/idp.md §1):
 * - `POST /{tenant}/oauth2/v2.0/token`: client credentials as a form; a wrong secret is
 *   `401 invalid_client` with AADSTS7000215, an unknown app 400 AADSTS700016, an unknown tenant
 *   400 AADSTS90002, a scope other than `<graph>/.default` 400 AADSTS1002012.
 * - `/v1.0/users`, `/users/{id}`, `/users/{id}/memberOf/microsoft.graph.group`, `/groups`,
 *   `/groups/{id}`, `/groups/{id}/members/microsoft.graph.user`: `$select`, `$top`, `$skiptoken`
 *   paging with absolute `@odata.nextLink`s, `$filter=department eq '…'`, 404 Request_ResourceNotFound.
 * - `/v1.0/users/delta` and `/v1.0/groups/delta`: round 1 (the current state) paged by
 *   `$skiptoken`, an `@odata.deltaLink` with `$deltatoken` on the last page, later rounds with only
 *   what changed since (latest state, `@removed` `changed` for a soft delete and `deleted` for a hard
 *   one, `members@delta` with added and `@removed` members), `$deltatoken=latest`; tokens the test
 *   invalidates answer 410 Gone (Location: an empty `$deltatoken`) or 400 syncStateNotFound.
 * - 429 with Retry-After, 403 Authorization_RequestDenied for a permission not granted, expired or
 *   revoked tokens 401 InvalidAuthenticationToken, calls counted per path template.
 * The entra-webhook's subscriptions are added by `route` (see the section at the end).
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// ── records ─────────────────────────────────────────────────────────────────────────────────

/** A user as Graph stores it (the properties the source selects). */
export interface GraphUserRecord {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string | null;
  mailNickname?: string | null;
  accountEnabled: boolean;
  givenName?: string | null;
  surname?: string | null;
  department?: string | null;
  jobTitle?: string | null;
  employeeId?: string | null;
  mobilePhone?: string | null;
}

export interface GraphGroupRecord {
  id: string;
  displayName: string;
  description?: string | null;
  /** Direct members: user ids (and, for nesting, group ids). */
  members: string[];
}

/** A GUID made from `n` and a kind digit, so users and groups never share an id. */
export function graphId(n: number, kind = 0): string {
  const hex = n.toString(16).padStart(12, '0');
  return `0000${kind.toString(16).padStart(4, '0')}-0000-4000-8000-${hex}`;
}

export function graphUser(n: number, overrides: Partial<GraphUserRecord> = {}): GraphUserRecord {
  return {
    id: graphId(n, 1), userPrincipalName: `user${n}@contoso.example`, displayName: `User ${n}`, mail: `user${n}@contoso.example`,
    mailNickname: `user${n}`, accountEnabled: true, givenName: 'User', surname: String(n), department: 'Engineering',
    jobTitle: 'Engineer', employeeId: `E${n}`, mobilePhone: null, ...overrides,
  };
}

export function graphGroup(n: number, overrides: Partial<GraphGroupRecord> = {}): GraphGroupRecord {
  return { id: graphId(n, 2), displayName: `Group ${n}`, description: null, members: [], ...overrides };
}

// ── the fake ────────────────────────────────────────────────────────────────────────────────

export interface GraphFakeOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** The scope the token endpoint accepts; default `https://graph.microsoft.com/.default`. */
  scope?: string;
  users?: GraphUserRecord[];
  groups?: GraphGroupRecord[];
  /** Seconds an access token lives; default 3599. */
  tokenTtlSeconds?: number;
  /** Items per page of a listing (whatever `$top` asks, at most this); default 100. */
  maxPageSize?: number;
  /** Items per delta page; default 100. */
  deltaPageSize?: number;
}

/** One request as a route added by `route` sees it. */
export interface GraphFakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}
export interface GraphFakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as it is, `text/plain` unless headers say otherwise. */
  text?: string;
}
/** Answers a request it serves (after the bearer check), or undefined to let the next route try. */
export type GraphRoute = (request: GraphFakeRequest) => GraphFakeAnswer | undefined | Promise<GraphFakeAnswer | undefined>;

export interface GraphFake {
  /** As ENTRA_GRAPH_URL and ENTRA_LOGIN_URL: `http://127.0.0.1:<port>`. */
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, GraphUserRecord>;
  groups: Map<string, GraphGroupRecord>;
  /** Requests by method and path template, e.g. `GET /v1.0/users/{id}`, `POST /{tenant}/oauth2/v2.0/token`. */
  calls: Record<string, number>;
  /** Every token request's form, as received. */
  tokenRequests: Array<{ contentType: string; form: Record<string, string> }>;
  /** The `x-ms-throttle-priority` header of every Graph request (undefined when not sent). */
  priorities: Array<string | undefined>;
  tokensIssued: number;
  /** Application permissions not consented: calls that need them answer 403 Authorization_RequestDenied. */
  denied: Set<'User.Read.All' | 'GroupMember.Read.All'>;

  addUser(user: GraphUserRecord): void;
  updateUser(id: string, change: Partial<Omit<GraphUserRecord, 'id'>>): void;
  /** Moves it to deleted items (delta: `@removed` `changed`); `hard` deletes it for good (`deleted`). */
  deleteUser(id: string, options?: { hard?: boolean }): void;
  addGroup(group: GraphGroupRecord): void;
  renameGroup(id: string, displayName: string): void;
  deleteGroup(id: string): void;
  addMember(groupId: string, memberId: string): void;
  removeMember(groupId: string, memberId: string): void;

  /** Every delta token issued so far is no longer known: 410 Gone (default) or 400 syncStateNotFound. */
  expireDeltaTokens(as?: 410 | 'syncStateNotFound'): void;
  /** The next n Graph requests answer 429 with this Retry-After (seconds, default 1). */
  throttleNext(n: number, retryAfterSeconds?: number): void;
  /** The next n Graph requests answer this status (503 with Retry-After when given). */
  failNext(n: number, status: number, retryAfterSeconds?: number): void;
  /** Every access token issued so far stops working (401 InvalidAuthenticationToken). */
  revokeTokens(): void;
  /** While true, Graph refuses every token, new ones too (as a token of another cloud is refused). */
  refuseTokens: boolean;
  /** A route of another fake section (subscriptions), tried before the 404. */
  route(handler: GraphRoute): void;
  close(): Promise<void>;
}

type Removed = 'changed' | 'deleted';
/** One change in the directory's log; delta rounds read the log after their token's position. */
type LogEntry =
  | { seq: number; kind: 'user'; id: string; removed?: Removed }
  | { seq: number; kind: 'group'; id: string; removed?: Removed }
  | { seq: number; kind: 'member'; id: string; member: string; removed?: Removed };

/** What a `$skiptoken` or `$deltatoken` stands for (opaque to the client: base64url JSON). */
interface DeltaState {
  r: 'users' | 'groups';
  /** Log position the round reads after (round 1: undefined, the whole state). */
  from?: number;
  /** Log position the round ends at: the next deltaLink's. */
  to: number;
  offset: number;
  select?: string;
  gen: number;
  /** Makes each round's token new. */
  n?: number;
}

const USER_TYPE = '#microsoft.graph.user';
const GROUP_TYPE = '#microsoft.graph.group';

export async function startGraphApi(options: GraphFakeOptions = {}): Promise<GraphFake> {
  const tenantId = options.tenantId ?? '11111111-2222-4333-8444-555555555555';
  const clientId = options.clientId ?? '99999999-8888-4777-8666-555555555555';
  const clientSecret = options.clientSecret ?? 'fake~client.secret_0123456789abcdef';
  const scope = options.scope ?? 'https://graph.microsoft.com/.default';
  const ttl = options.tokenTtlSeconds ?? 3599;
  const maxPage = options.maxPageSize ?? 100;
  const deltaPage = options.deltaPageSize ?? 100;
  const tokens = new Map<string, number>();
  const log: LogEntry[] = [];
  let seq = 0;
  let generation = 0;
  let issued = 0;
  let expiredAs: 410 | 'syncStateNotFound' = 410;
  let throttle = { n: 0, retryAfter: 1 };
  let failures = { n: 0, status: 500, retryAfter: undefined as number | undefined };
  const routes: GraphRoute[] = [];

  const record = (entry: { kind: LogEntry['kind']; id: string; member?: string; removed?: Removed }) => { log.push({ ...entry, seq: ++seq } as LogEntry); };
  const mustUser = (id: string) => {
    const user = fake.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  };
  const mustGroup = (id: string) => {
    const group = fake.groups.get(id);
    if (!group) throw new Error(`no group ${id}`);
    return group;
  };

  const fake: GraphFake = {
    url: '', tenantId, clientId, clientSecret,
    users: new Map((options.users ?? []).map((u) => [u.id, { ...u }])),
    groups: new Map((options.groups ?? []).map((g) => [g.id, { ...g, members: [...g.members] }])),
    calls: {}, tokenRequests: [], priorities: [], tokensIssued: 0, denied: new Set(),
    addUser(user) {
      fake.users.set(user.id, { ...user });
      record({ kind: 'user', id: user.id });
    },
    updateUser(id, change) {
      Object.assign(mustUser(id), change);
      record({ kind: 'user', id });
    },
    deleteUser(id, o = {}) {
      mustUser(id);
      fake.users.delete(id);
      const removed: Removed = o.hard ? 'deleted' : 'changed';
      record({ kind: 'user', id, removed });
      // A deleted member leaves every group (members@delta shows it removed).
      for (const group of fake.groups.values()) {
        if (!group.members.includes(id)) continue;
        group.members = group.members.filter((m) => m !== id);
        record({ kind: 'member', id: group.id, member: id, removed: 'deleted' });
      }
    },
    addGroup(group) {
      fake.groups.set(group.id, { ...group, members: [...group.members] });
      record({ kind: 'group', id: group.id });
      for (const member of group.members) record({ kind: 'member', id: group.id, member });
    },
    renameGroup(id, displayName) {
      mustGroup(id).displayName = displayName;
      record({ kind: 'group', id });
    },
    deleteGroup(id) {
      mustGroup(id);
      fake.groups.delete(id);
      record({ kind: 'group', id, removed: 'changed' });
    },
    addMember(groupId, memberId) {
      const group = mustGroup(groupId);
      if (!group.members.includes(memberId)) group.members.push(memberId);
      record({ kind: 'member', id: groupId, member: memberId });
    },
    removeMember(groupId, memberId) {
      const group = mustGroup(groupId);
      group.members = group.members.filter((m) => m !== memberId);
      record({ kind: 'member', id: groupId, member: memberId, removed: 'deleted' });
    },
    expireDeltaTokens(as = 410) {
      generation += 1;
      expiredAs = as;
    },
    throttleNext: (n, retryAfter = 1) => { throttle = { n, retryAfter }; },
    failNext: (n, status, retryAfter) => { failures = { n, status, retryAfter }; },
    revokeTokens: () => tokens.clear(),
    refuseTokens: false,
    route: (handler) => { routes.push(handler); },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const count = (label: string) => { fake.calls[label] = (fake.calls[label] ?? 0) + 1; };
  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8', ...headers }).end(JSON.stringify(body));
  };
  const graphError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    reply(res, status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomBytes(8).toString('hex') } } }, headers);
  const tokenError = (res: ServerResponse, status: number, error: string, code: number, description: string) =>
    reply(res, status, {
      error, error_description: `AADSTS${code}: ${description} Trace ID: ${randomBytes(8).toString('hex')}\r\nCorrelation ID: x\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code], timestamp: new Date().toISOString(), trace_id: 'x', correlation_id: 'x',
    });

  const encode = (state: object) => Buffer.from(JSON.stringify(state)).toString('base64url');
  const decode = <T>(token: string): T | undefined => {
    try {
      return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  };
  /** Graph writes `$` literally in its links. */
  const link = (path: string, params: Record<string, string>) =>
    `${fake.url}${path}?${Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
  const selectOf = (query: URLSearchParams, fallback?: string) => query.get('$select') ?? fallback;
  const project = (item: object, select: string | undefined): Record<string, unknown> => {
    if (!select) return { ...item };
    const keys = new Set(['id', ...select.split(',').map((s) => s.trim())]);
    return Object.fromEntries(Object.entries(item).filter(([k]) => keys.has(k)));
  };

  /** A plain listing, paged by `$skiptoken` (an offset) with the other parameters repeated in the nextLink. */
  const listing = (res: ServerResponse, path: string, query: URLSearchParams, items: Array<Record<string, unknown>>) => {
    const top = Math.min(Number(query.get('$top') ?? maxPage) || maxPage, maxPage);
    const offset = Number(decode<{ o: number }>(query.get('$skiptoken') ?? '')?.o ?? 0);
    const select = selectOf(query);
    const value = items.slice(offset, offset + top).map((i) => project(i, select));
    const params: Record<string, string> = {};
    for (const [k, v] of query) if (k !== '$skiptoken') params[k] = v;
    const more = offset + top < items.length;
    return reply(res, 200, {
      '@odata.context': `${fake.url}/v1.0/$metadata#users`, value,
      ...(more && { '@odata.nextLink': link(path, { ...params, $skiptoken: encode({ o: offset + top }) }) }),
    });
  };

  const userItem = (u: GraphUserRecord) => ({ '@odata.type': USER_TYPE, ...u });
  const groupItem = (g: GraphGroupRecord) => {
    const { members: _m, ...rest } = g;
    return { '@odata.type': GROUP_TYPE, ...rest, securityEnabled: true, mailEnabled: false };
  };

  /** One delta page for `state`, and the link to what follows. */
  const deltaPageOf = (state: DeltaState): Record<string, unknown> => {
    const items = state.r === 'users' ? userDelta(state) : groupDelta(state);
    const value = items.slice(state.offset, state.offset + deltaPage);
    const more = state.offset + deltaPage < items.length;
    const path = `/v1.0/${state.r}/delta`;
    return {
      '@odata.context': `${fake.url}/v1.0/$metadata#${state.r}`, value,
      ...(more
        ? { '@odata.nextLink': link(path, { $skiptoken: encode({ ...state, offset: state.offset + deltaPage }) }) }
        // A new token every round, as Graph hands out, even when nothing changed.
        : { '@odata.deltaLink': link(path, { $deltatoken: encode({ r: state.r, from: state.to, to: state.to, offset: 0, select: state.select, gen: state.gen, n: ++issued }) }) }),
    };
  };

  const userDelta = (state: DeltaState): Array<Record<string, unknown>> => {
    if (state.from === undefined) return [...fake.users.values()].map((u) => project(u, state.select));
    // The latest state of each user changed in (from, to], in the order of their last change.
    const last = new Map<string, LogEntry>();
    for (const e of log) if (e.kind === 'user' && e.seq > state.from && e.seq <= state.to) { last.delete(e.id); last.set(e.id, e); }
    return [...last.values()].map((e) => {
      const user = fake.users.get(e.id);
      return user ? project(user, state.select) : { id: e.id, '@removed': { reason: e.removed ?? 'deleted' } };
    });
  };

  const groupDelta = (state: DeltaState): Array<Record<string, unknown>> => {
    const withMembers = state.select === undefined || state.select.split(',').includes('members');
    const memberOut = (member: string, removed?: Removed) => ({
      '@odata.type': fake.groups.has(member) ? GROUP_TYPE : USER_TYPE, id: member, ...(removed && { '@removed': { reason: removed } }),
    });
    if (state.from === undefined) {
      return [...fake.groups.values()].map((g) => ({
        ...project(groupItem(g), state.select),
        ...(withMembers && { 'members@delta': g.members.map((m) => memberOut(m)) }),
      }));
    }
    const touched = new Map<string, Map<string, Removed | undefined>>();
    for (const e of log) {
      if (e.seq <= state.from || e.seq > state.to || e.kind === 'user') continue;
      const members = touched.get(e.id) ?? new Map<string, Removed | undefined>();
      touched.delete(e.id);
      touched.set(e.id, members);
      if (e.kind === 'member') members.set(e.member, e.removed);
    }
    return [...touched.entries()].map(([id, members]) => {
      const group = fake.groups.get(id);
      if (!group) return { id, '@removed': { reason: 'changed' } };
      return {
        ...project(groupItem(group), state.select),
        ...(withMembers && { 'members@delta': [...members.entries()].map(([m, removed]) => memberOut(m, removed)) }),
      };
    });
  };

  const delta = (res: ServerResponse, resource: 'users' | 'groups', query: URLSearchParams) => {
    const skip = query.get('$skiptoken');
    const deltaToken = query.get('$deltatoken');
    let state: DeltaState | undefined;
    if (skip) state = decode<DeltaState>(skip);
    else if (deltaToken === 'latest') {
      return reply(res, 200, {
        '@odata.context': `${fake.url}/v1.0/$metadata#${resource}`, value: [],
        '@odata.deltaLink': link(`/v1.0/${resource}/delta`, { $deltatoken: encode({ r: resource, from: seq, to: seq, offset: 0, select: selectOf(query), gen: generation }) }),
      });
    } else if (deltaToken !== null) {
      const known = decode<DeltaState>(deltaToken);
      state = known && { ...known, to: seq, offset: 0 };
    } else state = { r: resource, to: seq, offset: 0, select: selectOf(query), gen: generation };
    if (!state || state.r !== resource) return graphError(res, 400, 'BadRequest', 'The skip or delta token is malformed.');
    if (state.gen !== generation) {
      if (expiredAs === 'syncStateNotFound') {
        return graphError(res, 400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.');
      }
      return graphError(res, 410, 'resyncRequired', 'Resync required. Replace any local data with the data returned, and start again.', {
        location: link(`/v1.0/${resource}/delta`, { $deltatoken: '' }),
      });
    }
    return reply(res, 200, deltaPageOf(state));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const query = url.searchParams;
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString('utf8'); }).on('end', () => resolve(text));
    });

    let m: RegExpExecArray | null;
    if ((m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path))) {
      count('POST /{tenant}/oauth2/v2.0/token');
      if (req.method !== 'POST') return tokenError(res, 405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
      const contentType = String(req.headers['content-type'] ?? '');
      const form = Object.fromEntries(new URLSearchParams(body));
      fake.tokenRequests.push({ contentType, form });
      if (!contentType.startsWith('application/x-www-form-urlencoded')) {
        return tokenError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
      }
      if (decodeURIComponent(m[1]!) !== tenantId) {
        return tokenError(res, 400, 'invalid_request', 90002, `Tenant '${decodeURIComponent(m[1]!)}' not found.`);
      }
      if (form.grant_type !== 'client_credentials') return tokenError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
      if (form.client_id !== clientId) {
        return tokenError(res, 400, 'unauthorized_client', 700016, `Application with identifier '${form.client_id}' was not found in the directory.`);
      }
      if (form.client_secret !== clientSecret) {
        return tokenError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
      }
      if (form.scope !== scope) return tokenError(res, 400, 'invalid_scope', 1002012, `The provided value for scope ${form.scope} is not valid.`);
      const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(18).toString('base64url')}.sig`;
      tokens.set(token, Date.now() + ttl * 1000);
      fake.tokensIssued += 1;
      return reply(res, 200, { token_type: 'Bearer', expires_in: ttl, ext_expires_in: ttl, access_token: token });
    }

    fake.priorities.push(req.headers['x-ms-throttle-priority'] as string | undefined);
    if (throttle.n > 0) {
      throttle.n -= 1;
      count('429');
      return graphError(res, 429, 'TooManyRequests', 'Too many requests.', { 'retry-after': String(throttle.retryAfter) });
    }
    if (failures.n > 0) {
      failures.n -= 1;
      const headers: Record<string, string> = failures.retryAfter === undefined ? {} : { 'retry-after': String(failures.retryAfter) };
      return graphError(res, failures.status, failures.status === 503 ? 'serviceNotAvailable' : 'generalException', 'failed', headers);
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = bearer ? tokens.get(bearer) : undefined;
    if (expiry === undefined || expiry < Date.now() || fake.refuseTokens) {
      return graphError(res, 401, 'InvalidAuthenticationToken', bearer ? 'Lifetime validation failed, the token is expired.' : 'Access token is empty.');
    }
    const needs = (permission: 'User.Read.All' | 'GroupMember.Read.All') => fake.denied.has(permission)
      && (graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), true);
    const get = req.method === 'GET';

    if (get && path === '/v1.0/users/delta') {
      count('GET /v1.0/users/delta');
      if (needs('User.Read.All')) return;
      return delta(res, 'users', query);
    }
    if (get && path === '/v1.0/groups/delta') {
      count('GET /v1.0/groups/delta');
      if (needs('GroupMember.Read.All')) return;
      return delta(res, 'groups', query);
    }
    if (get && path === '/v1.0/users') {
      count('GET /v1.0/users');
      if (needs('User.Read.All')) return;
      let users = [...fake.users.values()];
      const filter = query.get('$filter');
      if (filter) {
        const eq = /^department eq '((?:[^']|'')*)'$/.exec(filter);
        if (!eq) return graphError(res, 400, 'Request_UnsupportedQuery', 'Unsupported Query.');
        const name = eq[1]!.replace(/''/g, "'");
        users = users.filter((u) => u.department === name);
      }
      return listing(res, path, query, users.map(userItem));
    }
    if (get && (m = /^\/v1\.0\/users\/([^/]+)\/memberOf\/microsoft\.graph\.group$/.exec(path))) {
      count('GET /v1.0/users/{id}/memberOf/microsoft.graph.group');
      if (needs('GroupMember.Read.All')) return;
      const id = decodeURIComponent(m[1]!);
      if (!fake.users.has(id)) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
      return listing(res, path, query, [...fake.groups.values()].filter((g) => g.members.includes(id)).map(groupItem));
    }
    if (get && (m = /^\/v1\.0\/users\/([^/]+)$/.exec(path))) {
      count('GET /v1.0/users/{id}');
      if (needs('User.Read.All')) return;
      const id = decodeURIComponent(m[1]!);
      const user = fake.users.get(id);
      if (!user) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
      return reply(res, 200, { '@odata.context': `${fake.url}/v1.0/$metadata#users/$entity`, ...project(user, selectOf(query)) });
    }
    if (get && path === '/v1.0/groups') {
      count('GET /v1.0/groups');
      if (needs('GroupMember.Read.All')) return;
      return listing(res, path, query, [...fake.groups.values()].map(groupItem));
    }
    if (get && (m = /^\/v1\.0\/groups\/([^/]+)\/members\/microsoft\.graph\.user$/.exec(path))) {
      count('GET /v1.0/groups/{id}/members/microsoft.graph.user');
      if (needs('GroupMember.Read.All')) return;
      const group = fake.groups.get(decodeURIComponent(m[1]!));
      if (!group) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist.`);
      const members = group.members.map((id) => fake.users.get(id)).filter((u): u is GraphUserRecord => u !== undefined);
      return listing(res, path, query, members.map(userItem));
    }
    if (get && (m = /^\/v1\.0\/groups\/([^/]+)$/.exec(path))) {
      count('GET /v1.0/groups/{id}');
      if (needs('GroupMember.Read.All')) return;
      const group = fake.groups.get(decodeURIComponent(m[1]!));
      if (!group) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist.`);
      return reply(res, 200, project(groupItem(group), selectOf(query)));
    }
    for (const route of routes) {
      const answer = await route({ method: req.method ?? 'GET', path, query, headers: req.headers, body });
      if (!answer) continue;
      if (answer.text !== undefined) {
        res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers }).end(answer.text);
        return;
      }
      if (answer.body === undefined) {
        res.writeHead(answer.status, answer.headers).end();
        return;
      }
      return reply(res, answer.status, answer.body, answer.headers);
    }
    graphError(res, 400, 'BadRequest', `Resource not found for the segment '${path}'.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => graphError(res, 500, 'generalException', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** The environment that points the Entra source at `fake`. */
export function graphEnv(fake: GraphFake, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ENTRA_TENANT_ID: fake.tenantId, ENTRA_CLIENT_ID: fake.clientId, ENTRA_CLIENT_SECRET: fake.clientSecret,
    ENTRA_LOGIN_URL: fake.url, ENTRA_GRAPH_URL: fake.url, ...extra,
  };
}

// ── subscriptions and notifications (entra-webhook) ─────────────────────────────────────────

/** One notification item as Graph sends it for a user (or `Groups/<id>` with `resource`), ids only. */
export function graphNotification(
  id: string,
  options: { clientState?: string; tenantId: string; changeType?: string; resource?: string; subscriptionId?: string },
): Record<string, unknown> {
  const resource = options.resource ?? `Users/${id}`;
  const group = /^groups\//i.test(resource);
  return {
    subscriptionId: options.subscriptionId ?? '5c1e9a7d-0b2c-4d3e-8f40-516273849506', subscriptionExpirationDateTime: '2026-12-31T00:00:00Z',
    changeType: options.changeType ?? 'updated', resource, clientState: options.clientState, tenantId: options.tenantId,
    resourceData: { '@odata.type': group ? '#Microsoft.Graph.Group' : '#Microsoft.Graph.User', '@odata.id': resource, id, organizationId: options.tenantId },
  };
}

/** A changeNotificationCollection: one POST may batch several notifications. */
export function notificationCollection(items: unknown[]): { value: unknown[] } {
  return { value: items };
}

/** A subscription as the fake keeps it. */
export interface GraphSubscriptionRecord {
  id: string;
  changeType: string;
  resource: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  expirationDateTime: string;
  clientState?: string;
}

export interface GraphSubscriptions {
  subscriptions: Map<string, GraphSubscriptionRecord>;
  /** Every validation handshake sent: the URL, the token as sent and the answer. */
  handshakes: Array<{ url: string; token: string; status: number; contentType: string; body: string }>;
  /** Subscriptions per app and tenant before POST answers 403 (Graph: 100 for users and groups). */
  quota: number;
  /** Posts a notification collection for `ids` to the subscription's notificationUrl, as Graph delivers; answers the status. */
  deliver(subscriptionId: string, ids: string[], changeType?: 'updated' | 'deleted'): Promise<number>;
  /** Posts a `reauthorizationRequired` lifecycle notification to the lifecycleNotificationUrl. */
  lifecycle(subscriptionId: string, event?: string): Promise<number>;
  /** Graph removes it (it lapsed): PATCH and DELETE answer 404 from now on. */
  expire(subscriptionId: string): void;
}

/** A random GUID (randomBytes is what this file imports). */
function guid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Graph's lifetime limit for directory resources, in minutes (idp.md §1.5). */
const MAX_SUBSCRIPTION_MINUTES = 41_760;

/**
 * Adds `/v1.0/subscriptions` to the fake as Graph serves it (idp.md §1.5): POST validates the
 * request, then performs the validation handshake against notificationUrl and
 * lifecycleNotificationUrl (`POST <url>?validationToken=<form-encoded token>`, text/plain, 10 s;
 * anything but 200 with the decoded token as the body fails the create with 400), and answers 201;
 * PATCH renews (404 once gone), DELETE 204, GET lists; the quota answers 403.
 */
export function addSubscriptions(fake: GraphFake, options: { quota?: number; now?: () => number } = {}): GraphSubscriptions {
  const now = options.now ?? Date.now;
  const subs: GraphSubscriptions = {
    subscriptions: new Map(), handshakes: [], quota: options.quota ?? 100,
    async deliver(subscriptionId, ids, changeType = 'updated') {
      const s = must(subscriptionId);
      const kind = s.resource === 'groups' ? 'Groups' : 'Users';
      const value = ids.map((id) => ({
        ...graphNotification(id, { clientState: s.clientState, tenantId: fake.tenantId, changeType, resource: `${kind}/${id}`, subscriptionId }),
        subscriptionExpirationDateTime: s.expirationDateTime,
      }));
      return (await post(s.notificationUrl, JSON.stringify({ value }), 'application/json')).status;
    },
    async lifecycle(subscriptionId, event = 'reauthorizationRequired') {
      const s = must(subscriptionId);
      const value = [{
        subscriptionId, subscriptionExpirationDateTime: s.expirationDateTime, tenantId: fake.tenantId, clientState: s.clientState, lifecycleEvent: event,
      }];
      return (await post(s.lifecycleNotificationUrl ?? s.notificationUrl, JSON.stringify({ value }), 'application/json')).status;
    },
    expire: (id) => { subs.subscriptions.delete(id); },
  };
  function must(id: string): GraphSubscriptionRecord {
    const s = subs.subscriptions.get(id);
    if (!s) throw new Error(`no subscription ${id}`);
    return s;
  }
  async function post(url: string, body: string, contentType: string) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
  }
  /** Graph's validation: the token URL-encoded on the query, the decoded token expected back within 10 s. */
  async function handshake(url: string): Promise<boolean> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomBytes(16).toString('hex')} a+b/c=d%e`;
    const encoded = encodeURIComponent(token).replace(/%20/g, '+');
    const separator = url.includes('?') ? '&' : '?';
    let answer = { status: 0, contentType: '', body: '' };
    try {
      answer = await post(`${url}${separator}validationToken=${encoded}`, '', 'text/plain; charset=utf-8');
    } catch {
      // unreachable or slower than 10 s: the create fails
    }
    subs.handshakes.push({ url, token, ...answer });
    return answer.status === 200 && answer.contentType.startsWith('text/plain') && answer.body === token;
  }
  const error = (status: number, code: string, message: string): GraphFakeAnswer => ({ status, body: { error: { code, message } } });
  const maxExpiry = () => now() + MAX_SUBSCRIPTION_MINUTES * 60_000;
  const badExpiry = (value: unknown) => typeof value !== 'string' || Number.isNaN(Date.parse(value)) || Date.parse(value) > maxExpiry() || Date.parse(value) <= now();
  const count = (label: string) => { fake.calls[label] = (fake.calls[label] ?? 0) + 1; };

  fake.route(async (req) => {
    let m: RegExpExecArray | null;
    if (req.path === '/v1.0/subscriptions' && req.method === 'POST') {
      count('POST /v1.0/subscriptions');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.body) as Record<string, unknown>;
      } catch {
        return error(400, 'BadRequest', 'Unable to read JSON request payload.');
      }
      const resource = String(body.resource ?? '').toLowerCase();
      if (!['users', 'groups'].includes(resource) && !/^(users|groups)\/[^/]+$/.test(resource)) {
        return error(400, 'InvalidRequest', `Resource '${String(body.resource)}' is not supported.`);
      }
      const changeTypes = String(body.changeType ?? '').split(',');
      if (changeTypes.some((t) => !['updated', 'deleted'].includes(t))) {
        return error(400, 'InvalidRequest', "ChangeType 'created' is not supported for this resource; use 'updated' and 'deleted'.");
      }
      if (badExpiry(body.expirationDateTime)) {
        return error(400, 'InvalidRequest', `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`);
      }
      if (typeof body.clientState === 'string' && body.clientState.length > 128) return error(400, 'InvalidRequest', 'clientState is longer than 128 characters.');
      if (typeof body.notificationUrl !== 'string' || !/^(https:\/\/|http:\/\/127\.0\.0\.1[:/])/.test(body.notificationUrl)) {
        return error(400, 'InvalidRequest', 'The notification endpoint must be https.');
      }
      if (resource.startsWith('users') && fake.denied.has('User.Read.All')) return error(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      if (subs.subscriptions.size >= subs.quota) {
        return error(403, 'ExtensionError', 'Operation: Create; Exception: [Status Code: Forbidden; Reason: The number of subscriptions for this app and tenant has reached its limit.]');
      }
      const urls = [body.notificationUrl, ...(typeof body.lifecycleNotificationUrl === 'string' ? [body.lifecycleNotificationUrl] : [])];
      for (const url of urls) {
        if (!(await handshake(url))) {
          return error(400, 'ValidationError', 'Subscription validation request failed. Response must exactly match validationToken query parameter.');
        }
      }
      const record: GraphSubscriptionRecord = {
        id: guid(), changeType: String(body.changeType), resource, notificationUrl: body.notificationUrl,
        ...(typeof body.lifecycleNotificationUrl === 'string' && { lifecycleNotificationUrl: body.lifecycleNotificationUrl }),
        expirationDateTime: new Date(Date.parse(String(body.expirationDateTime))).toISOString(),
        ...(typeof body.clientState === 'string' && { clientState: body.clientState }),
      };
      subs.subscriptions.set(record.id, record);
      const { clientState: _secret, ...shown } = record;
      return { status: 201, body: { '@odata.context': `${fake.url}/v1.0/$metadata#subscriptions/$entity`, ...shown, clientState: null } };
    }
    if (req.path === '/v1.0/subscriptions' && req.method === 'GET') {
      count('GET /v1.0/subscriptions');
      return { status: 200, body: { value: [...subs.subscriptions.values()].map(({ clientState: _secret, ...s }) => ({ ...s, clientState: null })) } };
    }
    if ((m = /^\/v1\.0\/subscriptions\/([^/]+)$/.exec(req.path))) {
      const id = decodeURIComponent(m[1]!);
      const s = subs.subscriptions.get(id);
      if (req.method === 'PATCH') {
        count('PATCH /v1.0/subscriptions/{id}');
        if (!s) return error(404, 'ResourceNotFound', `The object was not found.`);
        const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
        if (badExpiry(body.expirationDateTime)) return error(400, 'InvalidRequest', `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`);
        s.expirationDateTime = new Date(Date.parse(String(body.expirationDateTime))).toISOString();
        const { clientState: _secret, ...shown } = s;
        return { status: 200, body: { ...shown, clientState: null } };
      }
      if (req.method === 'DELETE') {
        count('DELETE /v1.0/subscriptions/{id}');
        if (!s) return error(404, 'ResourceNotFound', `The object was not found.`);
        subs.subscriptions.delete(id);
        return { status: 204 };
      }
    }
    return undefined;
  });
  return subs;
}
