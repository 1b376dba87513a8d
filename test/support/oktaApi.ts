/**
 * Okta, as our code meets it, on loopback (reference/idp.md §2), written from Okta's documentation:
 * - auth: `Authorization: SSWS <api token>`, or an OAuth service app: `POST /oauth2/v1/token`
 *   (client_credentials with a private_key_jwt assertion, verified: RS256 signature against the
 *   registered public key, `iss` = `sub` = client id, `aud` = the token URL, `exp` in the future and
 *   at most an hour ahead, `jti` not reused, scopes granted) issuing 1-hour `Bearer` tokens that can
 *   be revoked; a bad token answers 401 E0000011, a missing scope 403 E0000006;
 * - `GET /api/v1/users` with Link-header paging (`after`, `limit` ≤ 200), `filter` on `lastUpdated`
 *   (gt ge lt le eq), `status`, `id` joined by `and`/`or`, `search` (same grammar here); without
 *   `filter`/`search` the listing leaves DEPROVISIONED people out, as Okta's does. The lastUpdated
 *   index can lag (`updateUser(…, { lagging: true })` until `catchUp()`): filter is eventually consistent;
 * - `GET /api/v1/users/{id}` (404 E0000007 once deleted), `GET /api/v1/users/{id}/groups`;
 * - `GET /api/v1/groups` (paged), `/groups/{id}` (404 E0000007), `/groups/{id}/users` (paged);
 * - `GET /api/v1/logs`: the System Log, whose polling request (no `until`, ASCENDING) always has a
 *   `next` link, even on an empty page; a first `since`, or an `after` position, older than the 90-day
 *   retention is refused (400 E0000001);
 *   user lifecycle and group-membership actions on the fake write their events;
 * - every answer carries X-Rate-Limit-Limit/Remaining/Reset (epoch seconds); 429 E0000047 can be
 *   scheduled, and so can answers whose Remaining is 0; calls are counted per path template.
 * The fake's clock (`now`) can be moved, for lastUpdated and the log's retention.
 */
import { createPublicKey, createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// ── records ───────────────────────────────────────────────────────────────────────────────────

export const OKTA_STATUSES = ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED'] as const;
export type OktaStatus = (typeof OKTA_STATUSES)[number];

export interface OktaProfileRecord {
  login: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  displayName?: string | null;
  department?: string | null;
  title?: string | null;
  employeeNumber?: string | null;
  mobilePhone?: string | null;
  managerId?: string | null;
  [attribute: string]: unknown;
}

export interface OktaUserRecord {
  id: string;
  status: OktaStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  type: { id: string };
  profile: OktaProfileRecord;
}

export interface OktaGroupRecord {
  id: string;
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  objectClass: string[];
  profile: { name: string; description: string | null };
}

export interface OktaLogEventRecord {
  uuid: string;
  published: string;
  eventType: string;
  version: '0';
  severity: 'INFO' | 'WARN';
  displayMessage: string;
  actor: { id: string; type: string; alternateId: string; displayName: string };
  outcome: { result: 'SUCCESS' | 'FAILURE' };
  target: Array<{ id: string; type: string; alternateId: string; displayName: string }>;
}

/** A user id in Okta's shape: `00u` and 17 more characters. */
export const oktaUserId = (n: number) => `00u${n.toString(36).padStart(9, '0')}abcdEFGH`.slice(0, 20);
export const oktaGroupId = (n: number) => `00g${n.toString(36).padStart(9, '0')}ijklMNOP`.slice(0, 20);

const iso = (ms: number) => new Date(ms).toISOString();

export function oktaUser(n: number, overrides: Partial<Omit<OktaUserRecord, 'profile'>> & { profile?: Partial<OktaProfileRecord> } = {}): OktaUserRecord {
  const at = iso(Date.UTC(2026, 0, 1));
  const { profile, ...rest } = overrides;
  return {
    id: oktaUserId(n), status: 'ACTIVE', created: at, activated: at, statusChanged: at, lastLogin: null, lastUpdated: at, passwordChanged: at,
    type: { id: 'oty1fakeDefault00000' },
    profile: {
      login: `user${n}@corp.example`, email: `user${n}@corp.example`, firstName: 'User', lastName: String(n),
      displayName: null, department: 'Engineering', title: 'Engineer', employeeNumber: `E${n}`, mobilePhone: null, ...profile,
    },
    ...rest,
  };
}

// ── the fake ──────────────────────────────────────────────────────────────────────────────────

export interface OktaApiFakeOptions {
  users?: OktaUserRecord[];
  /** Groups and their members' user ids. */
  groups?: Array<{ group: OktaGroupRecord | { id: string; name: string; type?: OktaGroupRecord['type'] }; members?: string[] }>;
  apiToken?: string;
  clientId?: string;
  /** The service app's public key (PEM or KeyObject); default a fresh RSA pair whose private half is `privateKeyPem`. */
  publicKey?: string | KeyObject;
  /** The key's `kid` in the app's JWKS: when set, an assertion naming another kid is refused. */
  keyId?: string;
  /** Scopes granted to the service app; default the three read scopes. */
  grantedScopes?: string[];
  /** The fake's clock, ms since the epoch; default Date.now (movable with `setNow`). */
  now?: number;
  /** Per path template, requests per 60 s window before 429; default unlimited (Remaining stays high). */
  rateLimitPerMinute?: number;
}

export interface OktaApiFake {
  /** The org URL, as OKTA_ORG_URL: `http://127.0.0.1:<port>`. */
  url: string;
  users: OktaUserRecord[];
  groups: OktaGroupRecord[];
  /** Group id → member user ids. */
  members: Map<string, Set<string>>;
  /** The System Log, in persistence order. */
  events: OktaLogEventRecord[];
  apiToken: string;
  clientId: string;
  /** The service app's private key (only when the fake made the pair). */
  privateKeyPem?: string;
  grantedScopes: Set<string>;
  /** What the admin role (of the app, or of the API token's admin) does not cover: calls needing it answer 403 E0000006. */
  deniedScopes: Set<string>;
  /** Requests by path template, e.g. `GET /api/v1/users/{id}`. */
  calls: Record<string, number>;
  /** Every request's path and query, in order (for checking what the client asked). */
  requests: string[];
  tokensIssued: number;
  /** Every client assertion the token endpoint received, in order. */
  assertions: string[];
  /** Assertions the token endpoint refused, with why (for tests: the client is told only `invalid_client`). */
  refusedAssertions: string[];
  now(): number;
  setNow(ms: number): void;
  advance(ms: number): void;
  /** Adds a user (lastUpdated = now) and logs `user.lifecycle.create` (+ `activate` when ACTIVE). */
  addUser(user: OktaUserRecord): OktaUserRecord;
  /** Changes status and/or profile; lastUpdated = now. `lagging`: filter/search still see the old lastUpdated until `catchUp()`. */
  updateUser(id: string, change: { status?: OktaStatus; profile?: Partial<OktaProfileRecord> }, options?: { lagging?: boolean }): OktaUserRecord;
  /** Okta's DELETE: deactivates (DEPROVISIONED) first; a deprovisioned user is deleted for good (logged delete.initiated). */
  deleteUser(id: string): void;
  addGroup(id: string, name: string, type?: OktaGroupRecord['type']): OktaGroupRecord;
  addMember(groupId: string, userId: string): void;
  removeMember(groupId: string, userId: string): void;
  /** The lastUpdated index catches up with every lagging change. */
  catchUp(): void;
  /** Appends a System Log event (published = now). */
  log(eventType: string, targets: OktaLogEventRecord['target']): OktaLogEventRecord;
  /** The next n API requests answer 429 E0000047 with Reset `resetSeconds` ahead (and Retry-After when asked). */
  rateLimitNext(n: number, options?: { resetSeconds?: number; retryAfter?: boolean }): void;
  /** The next n API requests succeed but say Remaining 0, Reset `resetSeconds` ahead. */
  exhaustNext(n: number, resetSeconds: number): void;
  /** The next n requests answer this status with an HTML body. */
  failNext(n: number, status: number): void;
  /** Every issued access token stops working (401 E0000011 on the next use). */
  revokeTokens(): void;
  /** The next `/api/v1/users` listings' next links point to another host (a hostile or broken proxy). */
  foreignNextLinks: boolean;
  close(): Promise<void>;
}

const RETENTION_MS = 90 * 24 * 3600 * 1000;
const MAX_USERS_LIMIT = 200;
const LOG_MAX_LIMIT = 1000;
const ACCESS_TOKEN_TTL = 3600;
const SCOPE_FOR: Array<[RegExp, string]> = [[/^\/api\/v1\/users/, 'okta.users.read'], [/^\/api\/v1\/groups/, 'okta.groups.read'], [/^\/api\/v1\/logs/, 'okta.logs.read']];
const ADMIN = { id: '00uadmin0000000000aa', type: 'User', alternateId: 'admin@corp.example', displayName: 'Admin' };

export async function startOktaApi(options: OktaApiFakeOptions = {}): Promise<OktaApiFake> {
  let pair: { publicKey: KeyObject; privateKeyPem?: string };
  if (options.publicKey) pair = { publicKey: typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey };
  else {
    const generated = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pair = { publicKey: generated.publicKey, privateKeyPem: generated.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  }
  let clock = options.now;
  const accessTokens = new Map<string, { expires: number; scopes: Set<string> }>();
  const usedJti = new Set<string>();
  const indexedLastUpdated = new Map<string, string>();
  let throttle = { n: 0, resetSeconds: 1, retryAfter: false };
  let exhausted = { n: 0, resetSeconds: 1 };
  let failures = { n: 0, status: 500 };
  const windows = new Map<string, { start: number; count: number }>();

  const fake: OktaApiFake = {
    url: '', users: [], groups: [], members: new Map(), events: [],
    apiToken: options.apiToken ?? `00${randomBytes(20).toString('base64url')}`,
    clientId: options.clientId ?? '0oafakeserviceapp001',
    privateKeyPem: pair.privateKeyPem,
    grantedScopes: new Set(options.grantedScopes ?? ['okta.users.read', 'okta.groups.read', 'okta.logs.read']),
    deniedScopes: new Set(),
    calls: {}, requests: [], tokensIssued: 0, assertions: [], refusedAssertions: [], foreignNextLinks: false,
    now: () => clock ?? Date.now(),
    setNow: (ms) => { clock = ms; },
    advance: (ms) => { clock = fake.now() + ms; },
    addUser(user) {
      const added = { ...user, lastUpdated: iso(fake.now()) };
      fake.users.push(added);
      fake.log('user.lifecycle.create', [userTarget(added)]);
      if (added.status === 'ACTIVE') fake.log('user.lifecycle.activate', [userTarget(added)]);
      return added;
    },
    updateUser(id, change, opts = {}) {
      const user = userById(id);
      if (!user) throw new Error(`no user ${id}`);
      if (opts.lagging && !indexedLastUpdated.has(id)) indexedLastUpdated.set(id, user.lastUpdated);
      const at = iso(fake.now());
      if (change.status && change.status !== user.status) {
        fake.log(STATUS_EVENTS[change.status] ?? 'user.lifecycle.update', [userTarget(user)]);
        user.status = change.status;
        user.statusChanged = at;
      }
      if (change.profile) {
        user.profile = { ...user.profile, ...change.profile };
        fake.log('user.account.update_profile', [userTarget(user)]);
      }
      user.lastUpdated = at;
      return user;
    },
    deleteUser(id) {
      const user = userById(id);
      if (!user) throw new Error(`no user ${id}`);
      if (user.status !== 'DEPROVISIONED') {
        fake.updateUser(id, { status: 'DEPROVISIONED' });
        return;
      }
      fake.log('user.lifecycle.delete.initiated', [userTarget(user)]);
      fake.users.splice(fake.users.indexOf(user), 1);
      for (const members of fake.members.values()) members.delete(id);
      indexedLastUpdated.delete(id);
    },
    addGroup(id, name, type = 'OKTA_GROUP') {
      const at = iso(fake.now());
      const group: OktaGroupRecord = {
        id, type, created: at, lastUpdated: at, lastMembershipUpdated: at,
        objectClass: ['okta:user_group'], profile: { name, description: null },
      };
      fake.groups.push(group);
      fake.members.set(id, new Set());
      return group;
    },
    addMember(groupId, userId) {
      const group = groupById(groupId);
      const user = userById(userId);
      if (!group || !user) throw new Error(`no group ${groupId} or user ${userId}`);
      fake.members.get(groupId)!.add(userId);
      group.lastMembershipUpdated = iso(fake.now());
      fake.log('group.user_membership.add', [userTarget(user), groupTarget(group)]);
    },
    removeMember(groupId, userId) {
      const group = groupById(groupId);
      const user = userById(userId);
      if (!group || !user) throw new Error(`no group ${groupId} or user ${userId}`);
      fake.members.get(groupId)!.delete(userId);
      group.lastMembershipUpdated = iso(fake.now());
      fake.log('group.user_membership.remove', [userTarget(user), groupTarget(group)]);
    },
    catchUp: () => indexedLastUpdated.clear(),
    log(eventType, target) {
      const event: OktaLogEventRecord = {
        uuid: randomUuid(), published: iso(fake.now()), eventType, version: '0', severity: 'INFO',
        displayMessage: eventType, actor: ADMIN, outcome: { result: 'SUCCESS' }, target,
      };
      fake.events.push(event);
      return event;
    },
    rateLimitNext: (n, o = {}) => { throttle = { n, resetSeconds: o.resetSeconds ?? 1, retryAfter: o.retryAfter ?? false }; },
    exhaustNext: (n, resetSeconds) => { exhausted = { n, resetSeconds }; },
    failNext: (n, status) => { failures = { n, status }; },
    revokeTokens: () => accessTokens.clear(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  for (const user of options.users ?? []) fake.users.push(user);
  for (const { group, members } of options.groups ?? []) {
    const record = 'profile' in group ? group : fake.addGroup(group.id, group.name, group.type);
    if ('profile' in group) fake.groups.push(group);
    fake.members.set(record.id, new Set(members ?? []));
  }

  function userById(id: string): OktaUserRecord | undefined {
    return fake.users.find((u) => u.id === id) ?? fake.users.find((u) => u.profile.login.toLowerCase() === id.toLowerCase());
  }
  function groupById(id: string): OktaGroupRecord | undefined {
    return fake.groups.find((g) => g.id === id);
  }
  const userTarget = (u: OktaUserRecord) => ({ id: u.id, type: 'User', alternateId: u.profile.login, displayName: `${u.profile.firstName ?? ''} ${u.profile.lastName ?? ''}`.trim() });
  const groupTarget = (g: OktaGroupRecord) => ({ id: g.id, type: 'UserGroup', alternateId: 'unknown', displayName: g.profile.name });

  // ── HTTP ──

  const origin = () => fake.url;
  const resetAt = (seconds: number) => String(Math.ceil(fake.now() / 1000) + seconds);
  const rateHeaders = (label: string): Record<string, string> => {
    if (exhausted.n > 0) {
      exhausted.n -= 1;
      return { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': resetAt(exhausted.resetSeconds) };
    }
    const limit = options.rateLimitPerMinute;
    if (!limit) return { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '599', 'x-rate-limit-reset': resetAt(60) };
    const window = windows.get(label);
    const seconds = Math.max(1, Math.ceil(((window?.start ?? fake.now()) + 60_000 - fake.now()) / 1000));
    return { 'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': String(Math.max(0, limit - (window?.count ?? 0))), 'x-rate-limit-reset': resetAt(seconds) };
  };
  const overLimit = (label: string): boolean => {
    const limit = options.rateLimitPerMinute;
    if (!limit) return false;
    let window = windows.get(label);
    if (!window || fake.now() - window.start >= 60_000) windows.set(label, window = { start: fake.now(), count: 0 });
    if (window.count >= limit) return true;
    window.count += 1;
    return false;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const oktaError = (code: string, summary: string) => ({
    errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${randomBytes(10).toString('base64url')}`, errorCauses: [],
  });
  const count = (label: string) => { fake.calls[label] = (fake.calls[label] ?? 0) + 1; };

  /** Okta's Link header: self, and next when there is more. Its URLs keep the request's parameters. */
  const links = (path: string, query: URLSearchParams, after: string | undefined): string[] => {
    const self = new URL(`${origin()}${path}`);
    query.forEach((v, k) => self.searchParams.set(k, v));
    const out = [`<${self.href}>; rel="self"`];
    if (after !== undefined) {
      const next = new URL(fake.foreignNextLinks && path === '/api/v1/users' ? `https://evil.example${path}` : self.href);
      next.searchParams.set('after', after);
      out.push(`<${next.href}>; rel="next"`);
    }
    return out;
  };

  function page<T>(items: T[], query: URLSearchParams, idOf: (item: T) => string, defaultLimit: number, maxLimit: number): { slice: T[]; after?: string } {
    const limit = Math.min(Number(query.get('limit') ?? defaultLimit) || defaultLimit, maxLimit);
    const after = query.get('after');
    const start = after ? items.findIndex((item) => idOf(item) === after) + 1 : 0;
    const slice = items.slice(start, start + limit);
    return { slice, after: start + limit < items.length ? idOf(slice[slice.length - 1]!) : undefined };
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString('utf8'); }).on('end', () => resolve(text));
    });
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    count('POST /oauth2/v1/token');
    const form = new URLSearchParams(await readBody(req));
    const refuse = (why: string, error = 'invalid_client', status = 401) => {
      fake.refusedAssertions.push(why);
      const description = error === 'invalid_client' ? 'The client_assertion signature is invalid.' : why;
      send(res, status, { error, error_description: description });
    };
    if (!/application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) return refuse('not a form', 'invalid_request', 400);
    if (form.get('grant_type') !== 'client_credentials') return refuse('grant_type', 'unsupported_grant_type', 400);
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse('client_assertion_type', 'invalid_request', 400);
    fake.assertions.push(form.get('client_assertion') ?? '');
    const why = checkAssertion(form.get('client_assertion') ?? '');
    if (why) return refuse(why);
    const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const refused = asked.filter((s) => !fake.grantedScopes.has(s));
    if (asked.length === 0 || refused.length) {
      return send(res, 400, { error: 'invalid_scope', error_description: `The following scopes are not allowed: ${refused.join(', ') || '(none requested)'}` });
    }
    const access = `eyJ${randomBytes(24).toString('base64url')}`;
    accessTokens.set(access, { expires: fake.now() + ACCESS_TOKEN_TTL * 1000, scopes: new Set(asked) });
    fake.tokensIssued += 1;
    send(res, 200, { token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL, access_token: access, scope: asked.join(' ') });
  }

  /** Why the assertion is refused, or undefined when it is good (docs: implement-oauth-for-okta-serviceapp). */
  function checkAssertion(jwt: string): string | undefined {
    const parts = jwt.split('.');
    if (parts.length !== 3) return 'not a JWS';
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return 'undecodable';
    }
    if (header.alg !== 'RS256') return `alg ${String(header.alg)}`;
    if (options.keyId && header.kid !== undefined && header.kid !== options.keyId) return 'unknown kid';
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${parts[0]}.${parts[1]}`);
    if (!verifier.verify(pair.publicKey, Buffer.from(parts[2]!, 'base64url'))) return 'signature';
    if (claims.iss !== fake.clientId || claims.sub !== fake.clientId) return 'iss/sub';
    if (claims.aud !== `${origin()}/oauth2/v1/token`) return 'aud';
    const nowSeconds = fake.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return 'expired';
    if (claims.exp > nowSeconds + 3600 + 5) return 'exp more than an hour ahead';
    if (typeof claims.jti === 'string') {
      if (usedJti.has(claims.jti)) return 'jti reused';
      usedJti.add(claims.jti);
    }
    return undefined;
  }

  /** The 401/403 to answer, or undefined when the request may go on. */
  function authorize(req: IncomingMessage, path: string): { status: number; body: unknown; headers?: Record<string, string> } | undefined {
    const header = req.headers.authorization ?? '';
    const ssws = /^SSWS (.+)$/.exec(header)?.[1];
    const denied = { status: 403, body: oktaError('E0000006', 'You do not have permission to perform the requested action') };
    if (ssws !== undefined) {
      if (ssws !== fake.apiToken) return { status: 401, body: oktaError('E0000011', 'Invalid token provided') };
      const needed = SCOPE_FOR.find(([pattern]) => pattern.test(path))?.[1];
      return needed && fake.deniedScopes.has(needed) ? denied : undefined;
    }
    const bearer = /^Bearer (.+)$/.exec(header)?.[1];
    const issued = bearer ? accessTokens.get(bearer) : undefined;
    if (!issued || issued.expires <= fake.now()) {
      return { status: 401, body: oktaError('E0000011', 'Invalid token provided'), headers: { 'www-authenticate': 'Bearer realm="IdpMyAccountAPI", error="invalid_token", error_description="The access token is invalid."' } };
    }
    const needed = SCOPE_FOR.find(([pattern]) => pattern.test(path))?.[1];
    if (needed && !issued.scopes.has(needed)) {
      return {
        status: 403, body: oktaError('E0000006', 'You do not have permission to perform the requested action'),
        headers: { 'www-authenticate': `Bearer realm="IdpMyAccountAPI", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${path}"` },
      };
    }
    if (needed && fake.deniedScopes.has(needed)) return denied;
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    fake.requests.push(`${req.method} ${path}${url.search}`);
    if (failures.n > 0) {
      failures.n -= 1;
      res.writeHead(failures.status, { 'content-type': 'text/html' }).end('<html>gateway</html>');
      return;
    }
    if (req.method === 'POST' && path === '/oauth2/v1/token') return token(req, res);
    const label = labelOf(req.method ?? 'GET', path);
    if (throttle.n > 0 || overLimit(label)) {
      const scheduled = throttle.n > 0;
      if (scheduled) throttle.n -= 1;
      const seconds = scheduled ? throttle.resetSeconds : Number(rateHeaders(label)['x-rate-limit-reset']) - Math.ceil(fake.now() / 1000);
      const headers: Record<string, string> = { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': resetAt(seconds) };
      if (scheduled && throttle.retryAfter) headers['retry-after'] = String(seconds);
      return send(res, 429, oktaError('E0000047', 'API call exceeded rate limit due to too many requests.'), headers);
    }
    const refused = authorize(req, path);
    if (refused) return send(res, refused.status, refused.body, { ...rateHeaders(label), ...refused.headers });
    const headers = rateHeaders(label);
    count(label);
    const q = url.searchParams;
    let m: RegExpExecArray | null;

    if (req.method === 'GET' && path === '/api/v1/users') {
      const expression = q.get('filter') ?? q.get('search');
      let matched: OktaUserRecord[];
      if (expression === null) matched = fake.users.filter((u) => u.status !== 'DEPROVISIONED');
      else {
        const predicate = parseFilter(expression);
        if (!predicate) return send(res, 400, oktaError('E0000031', 'Invalid search criteria.'), headers);
        matched = fake.users.filter((u) => predicate(u, indexedLastUpdated.get(u.id) ?? u.lastUpdated));
      }
      const { slice, after } = page(matched, q, (u) => u.id, MAX_USERS_LIMIT, MAX_USERS_LIMIT);
      return send(res, 200, slice, { ...headers, link: links(path, q, after) });
    }
    if (req.method === 'GET' && (m = /^\/api\/v1\/users\/([^/]+)\/groups$/.exec(path))) {
      const user = userById(decodeURIComponent(m[1]!));
      if (!user) return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${m[1]} (User)`), headers);
      const groups = fake.groups.filter((g) => fake.members.get(g.id)?.has(user.id));
      const { slice, after } = page(groups, q, (g) => g.id, 200, 200);
      return send(res, 200, slice, { ...headers, link: links(path, q, after) });
    }
    if (req.method === 'GET' && (m = /^\/api\/v1\/users\/([^/]+)$/.exec(path))) {
      const user = userById(decodeURIComponent(m[1]!));
      if (!user) return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${m[1]} (User)`), headers);
      return send(res, 200, user, headers);
    }
    if (req.method === 'GET' && path === '/api/v1/groups') {
      const { slice, after } = page(fake.groups, q, (g) => g.id, 10_000, 10_000);
      return send(res, 200, slice, { ...headers, link: links(path, q, after) });
    }
    if (req.method === 'GET' && (m = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(path))) {
      const group = groupById(decodeURIComponent(m[1]!));
      if (!group) return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${m[1]} (UserGroup)`), headers);
      const ids = fake.members.get(group.id) ?? new Set<string>();
      const users = fake.users.filter((u) => ids.has(u.id));
      const { slice, after } = page(users, q, (u) => u.id, 1000, 1000);
      return send(res, 200, slice, { ...headers, link: links(path, q, after) });
    }
    if (req.method === 'GET' && (m = /^\/api\/v1\/groups\/([^/]+)$/.exec(path))) {
      const group = groupById(decodeURIComponent(m[1]!));
      if (!group) return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${m[1]} (UserGroup)`), headers);
      return send(res, 200, group, headers);
    }
    if (req.method === 'GET' && path === '/api/v1/logs') return logs(res, q, headers);
    send(res, 404, oktaError('E0000022', `The endpoint does not support the provided HTTP method`), headers);
  }

  /** GET /api/v1/logs. `after` is the index of the last event handed out, opaque to clients. */
  function logs(res: ServerResponse, q: URLSearchParams, headers: Record<string, string>): void {
    const now = fake.now();
    const since = q.get('since') ? Date.parse(q.get('since')!) : now - 7 * 24 * 3600 * 1000;
    const until = q.get('until') ? Date.parse(q.get('until')!) : undefined;
    const resuming = q.get('after') !== null;
    if (Number.isNaN(since) || (!resuming && since < now - RETENTION_MS)) {
      return send(res, 400, oktaError('E0000001', 'Api validation failed: since: The since parameter is over 90 days prior to the current day.'), headers);
    }
    const filter = q.get('filter') ? parseLogFilter(q.get('filter')!) : () => true;
    if (!filter) return send(res, 400, oktaError('E0000001', 'Api validation failed: filter'), headers);
    const limit = Math.min(Number(q.get('limit') ?? 100) || 100, LOG_MAX_LIMIT);
    const afterIndex = q.get('after') !== null ? Number(Buffer.from(q.get('after')!, 'base64url').toString()) : -1;
    // A position whose event has aged out of the 90 days is lost (the docs: a longer outage needs a full reconcile).
    const position = afterIndex >= 0 ? fake.events[afterIndex] : undefined;
    if (!Number.isInteger(afterIndex) || (position && Date.parse(position.published) < now - RETENTION_MS)) {
      return send(res, 400, oktaError('E0000001', 'Api validation failed: after'), headers);
    }
    const selected: Array<{ event: OktaLogEventRecord; index: number }> = [];
    for (let i = afterIndex + 1; i < fake.events.length && selected.length < limit; i++) {
      const event = fake.events[i]!;
      const at = Date.parse(event.published);
      // Retention: events older than 90 days are gone, whatever the cursor says.
      if (at < now - RETENTION_MS || at < since || (until !== undefined && at >= until) || !filter(event)) continue;
      selected.push({ event, index: i });
    }
    const descending = q.get('sortOrder') === 'DESCENDING';
    const polling = until === undefined && !descending;
    const more = selected.length === limit;
    // The cursor moves past every event scanned: a short page scanned to the end of the log.
    const lastIndex = more ? selected[selected.length - 1]!.index : Math.max(afterIndex, fake.events.length - 1);
    // A polling request always has a next link (even empty: it marks where to resume); a bounded one only while there is more.
    const next = polling || more ? Buffer.from(String(lastIndex)).toString('base64url') : undefined;
    const body = descending ? selected.map((s) => s.event).reverse() : selected.map((s) => s.event);
    send(res, 200, body, { ...headers, link: links('/api/v1/logs', q, next) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, oktaError('E0000009', `Internal Server Error: ${String(error)}`)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

const STATUS_EVENTS: Partial<Record<OktaStatus, string>> = {
  ACTIVE: 'user.lifecycle.activate', SUSPENDED: 'user.lifecycle.suspend', DEPROVISIONED: 'user.lifecycle.deactivate',
  LOCKED_OUT: 'user.account.lock', PASSWORD_EXPIRED: 'user.account.reset_password',
};

function labelOf(method: string, path: string): string {
  const template = path
    .replace(/^\/api\/v1\/users\/[^/]+/, '/api/v1/users/{id}')
    .replace(/^\/api\/v1\/groups\/[^/]+/, '/api/v1/groups/{id}');
  return `${method} ${template}`;
}

function randomUuid(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type UserPredicate = (user: OktaUserRecord, indexedLastUpdated: string) => boolean;

/**
 * Okta's filter grammar as the docs give it for users: `attr op "value"` terms joined by `and`/`or`
 * (and binds tighter), ops eq (any listed attribute), gt ge lt le (lastUpdated), sw (search).
 * Undefined for anything else (Okta answers 400 E0000031).
 */
function parseFilter(expression: string): UserPredicate | undefined {
  const alternatives = expression.split(/\s+or\s+/i).map((alt) => alt.split(/\s+and\s+/i).map(parseTerm));
  if (alternatives.some((terms) => terms.some((t) => t === undefined))) return undefined;
  return (user, indexed) => alternatives.some((terms) => terms.every((t) => t!(user, indexed)));
}

function parseTerm(term: string): UserPredicate | undefined {
  const m = /^\(?\s*(lastUpdated|status|id|profile\.\w+)\s+(eq|gt|ge|lt|le|sw)\s+"([^"]*)"\s*\)?$/.exec(term.trim());
  if (!m) return undefined;
  const [, attribute, op, value] = m as unknown as [string, string, string, string];
  if (attribute === 'lastUpdated') {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    const compare = { eq: (x: number) => x === at, gt: (x: number) => x > at, ge: (x: number) => x >= at, lt: (x: number) => x < at, le: (x: number) => x <= at, sw: undefined }[op as 'eq'];
    return compare && ((_user, indexed) => compare(Date.parse(indexed)));
  }
  if (op !== 'eq' && op !== 'sw') return undefined;
  const read = (user: OktaUserRecord): unknown => (attribute.startsWith('profile.') ? user.profile[attribute.slice(8)] : user[attribute as 'id']);
  return (user) => (op === 'eq' ? read(user) === value : String(read(user) ?? '').startsWith(value));
}

function parseLogFilter(expression: string): ((event: OktaLogEventRecord) => boolean) | undefined {
  const terms = expression.split(/\s+or\s+/i).map((term) => /^\(?\s*eventType\s+(eq|sw)\s+"([^"]+)"\s*\)?$/.exec(term.trim()));
  if (terms.some((t) => !t)) return undefined;
  return (event) => terms.some((t) => (t![1] === 'eq' ? event.eventType === t![2] : event.eventType.startsWith(t![2]!)));
}
