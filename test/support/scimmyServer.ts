/**
 * A strict, independent SCIM 2.0 server for tests: `scimmy` + `scimmy-routers` on express 5, configured
 * like RAM's SCIM (reference/ram_scim.md §1–§2). It is our second opinion that the RAM client speaks
 * correct SCIM, so it refuses what RAM refuses rather than what is merely convenient.
 *
 * @example
 * const scim = await startScimmyServer({ tokenTtlSeconds: 2 });
 * // RAM_SCIM_URL=scim.url, RAM_OAUTH_TOKEN_URL=scim.tokenUrl, client id/secret from scim.clientId/clientSecret
 * await scim.close();
 */
import { randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export interface ScimmyServerOptions { clientId?: string; clientSecret?: string; tokenTtlSeconds?: number }
export interface RunningScimmyServer {
  url: string; tokenUrl: string; clientId: string; clientSecret: string;
  /** Every issued token becomes invalid (401), so a client's refresh-on-401 path can be tested. */
  revokeTokens(): void;
  users(): { id: string; userName: string; displayName?: string; externalId?: string }[];
  close(): Promise<void>;
}

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** RAM: "only `and` and `eq` on `id`, `userName` and `externalId`". */
type FilterAttribute = 'id' | 'userName' | 'externalId';
const FILTERABLE = new Map<string, FilterAttribute>([['id', 'id'], ['username', 'userName'], ['externalid', 'externalId']]);
interface Condition { attribute: FilterAttribute; value: string }

interface UserFields { userName: string; displayName?: string; externalId?: string }
interface StoredUser extends UserFields { id: string; created: Date; lastModified: Date }

class FilterRefusedError extends Error {}

/** Users in creation order; uniqueness as RAM has it (userName case-insensitive, externalId exact). */
class UserStore {
  private readonly byId = new Map<string, StoredUser>();

  list(): StoredUser[] { return [...this.byId.values()]; }
  get(id: string): StoredUser | undefined { return this.byId.get(id); }

  create(fields: UserFields): StoredUser {
    this.assertUnique(fields);
    const now = new Date();
    const user: StoredUser = { ...fields, id: this.newId(), created: now, lastModified: now };
    this.byId.set(user.id, user);
    return user;
  }

  replace(id: string, fields: UserFields): StoredUser {
    const current = this.byId.get(id);
    if (!current) throw new SCIMMY.Types.Error(404, '', `Resource ${id} not found`);
    this.assertUnique(fields, id);
    const user: StoredUser = { ...fields, id, created: current.created, lastModified: new Date() };
    this.byId.set(id, user); // Map.set on an existing key keeps its place: creation order holds
    return user;
  }

  delete(id: string): void {
    if (!this.byId.delete(id)) throw new SCIMMY.Types.Error(404, '', `Resource ${id} not found`);
  }

  private assertUnique(fields: UserFields, selfId?: string): void {
    for (const other of this.byId.values()) {
      if (other.id === selfId) continue;
      if (other.userName.toLowerCase() === fields.userName.toLowerCase()) {
        throw new SCIMMY.Types.Error(409, 'uniqueness', 'userName is already taken');
      }
      if (fields.externalId !== undefined && other.externalId === fields.externalId) {
        throw new SCIMMY.Types.Error(409, 'uniqueness', 'externalId is already taken');
      }
    }
  }

  /** Numeric like RAM's user ids (e.g. 27648498165273xxxx). */
  private newId(): string {
    for (;;) {
      const id = `2${Array.from({ length: 16 }, () => randomInt(10)).join('')}`;
      if (!this.byId.has(id)) return id;
    }
  }
}

/** Reads a parsed SCIMMY filter as RAM's subset: one `and`-only branch of string `eq` tests. */
function ramConditions(filter: SCIMMY.Types.Filter): Condition[] {
  if (filter.length !== 1) throw new FilterRefusedError('only "eq" joined by "and" is supported ("or" is not)');
  const conditions: Condition[] = [];
  for (const [key, expression] of Object.entries(filter[0] as Record<string, unknown>)) {
    const attribute = FILTERABLE.get(key.toLowerCase());
    if (!attribute) throw new FilterRefusedError(`filtering on "${key}" is not supported`);
    const tests = Array.isArray(expression) && Array.isArray(expression[0]) ? expression : [expression];
    for (const test of tests) {
      if (!Array.isArray(test) || test.length !== 2 || test[0] !== 'eq' || typeof test[1] !== 'string') {
        throw new FilterRefusedError(`only "${attribute} eq \\"…\\"" is supported`);
      }
      conditions.push({ attribute, value: test[1] });
    }
  }
  return conditions;
}

function matches(user: StoredUser, conditions: Condition[]): boolean {
  return conditions.every(({ attribute, value }) => (attribute === 'userName'
    ? user.userName.toLowerCase() === value.toLowerCase() // caseExact=false (RFC 7643), and RAM ignores case
    : user[attribute] === value));
}

interface ScimUser extends UserFields { id: string; meta: { created: Date; lastModified: Date } }

function toScim(user: StoredUser): ScimUser {
  const { id, userName, displayName, externalId, created, lastModified } = user;
  return { id, userName, displayName, externalId, meta: { created, lastModified } };
}

/** Keeps only what RAM maps; everything else SCIMMY accepted is dropped, as RAM does. */
function fieldsOf(instance: unknown): UserFields {
  const { userName, displayName, externalId } = instance as Partial<UserFields>;
  if (typeof userName !== 'string' || !userName.trim()) {
    throw new SCIMMY.Types.Error(400, 'invalidValue', 'userName must be a non-empty string');
  }
  return { userName, displayName: displayName || undefined, externalId: externalId || undefined };
}

interface ServerContext { store: UserStore }
const storeOf = (ctx: unknown): UserStore => (ctx as ServerContext).store;

/**
 * SCIMMY's handlers are static (one per process), so they reach each server's store through the
 * per-request context rather than a closure: several servers can run in one test file.
 */
function declareUsers(): void {
  const User = SCIMMY.Resources.User
    .ingress((resource, instance, ctx) => {
      const fields = fieldsOf(instance);
      const store = storeOf(ctx);
      return toScim(resource.id ? store.replace(resource.id, fields) : store.create(fields));
    })
    .egress((resource, ctx) => {
      const store = storeOf(ctx);
      if (resource.id) {
        const user = store.get(resource.id);
        if (!user) throw new SCIMMY.Types.Error(404, '', `Resource ${resource.id} not found`);
        return toScim(user);
      }
      const conditions = resource.filter ? ramConditions(resource.filter) : [];
      const matched = store.list().filter((u) => matches(u, conditions));
      // SCIMMY's ListResponse returns the first page again when startIndex is past the end; answer empty.
      if ((resource.constraints?.startIndex ?? 1) > matched.length) {
        resource.constraints = { ...resource.constraints, totalResults: matched.length } as typeof resource.constraints;
        return [];
      }
      return matched.map(toScim);
    })
    .degress((resource, ctx) => { storeOf(ctx).delete(String(resource.id)); });
  if (!SCIMMY.Resources.declared(User)) SCIMMY.Resources.declare(User);
}

function sendScimError(res: Response, status: number, detail: string, scimType?: string): void {
  res.status(status).type('application/scim+json')
    .send({ schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail });
}

/**
 * express 5 re-parses `req.query` on every read, so scimmy-routers' cast of `startIndex`/`count` to
 * numbers is lost and SCIMMY would ignore paging; cast them in the parser itself.
 */
function parseQuery(query: string): Record<string, unknown> {
  const parsed: Record<string, unknown> = { ...parseQueryString(query) };
  for (const key of ['startIndex', 'count']) {
    const value = parsed[key];
    if (typeof value === 'string' && /^-?\d+$/.test(value)) parsed[key] = Number(value);
  }
  return parsed;
}

/** Only RAM's surface: /Users (GET, POST), /Users/:id (GET, PUT, DELETE), discovery. No Groups, Bulk, Me, .search. */
function ramSurface(req: Request, res: Response, next: NextFunction): void {
  const allowed = /^\/Users\/?$/.test(req.path) ? ['GET', 'POST']
    : /^\/Users\/[^/]+$/.test(req.path) ? ['GET', 'PUT', 'DELETE']
      : /^\/(Schemas|ResourceTypes)(\/[^/]+)?$|^\/ServiceProviderConfig$/.test(req.path) ? ['GET']
        : undefined;
  if (!allowed) return sendScimError(res, 404, 'Endpoint Not Found');
  if (!allowed.includes(req.method)) {
    res.setHeader('Allow', allowed.join(', '));
    return sendScimError(res, 405, `${req.method} is not supported on ${req.path}`);
  }
  next();
}

function ramQuery(req: Request, res: Response, next: NextFunction): void {
  for (const key of ['startIndex', 'count']) {
    if (key in req.query && typeof req.query[key] !== 'number') {
      return sendScimError(res, 400, `${key} must be an integer`, 'invalidValue');
    }
  }
  if (!('filter' in req.query)) return next();
  const raw = req.query.filter;
  try {
    if (typeof raw !== 'string' || !raw.trim()) throw new FilterRefusedError('filter must be one non-empty string');
    ramConditions(new SCIMMY.Types.Filter(raw));
  } catch (err) {
    return sendScimError(res, 400, `Unsupported filter: ${(err as Error).message}`, 'invalidFilter');
  }
  next();
}

/** RFC 7644 §3.3: a resource body names its schema; SCIMMY alone would accept a body without one. */
function userSchemaRequired(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST' && req.method !== 'PUT') return next();
  const schemas = (req.body as { schemas?: unknown } | undefined)?.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(USER_SCHEMA)) {
    return sendScimError(res, 400, `body must list "${USER_SCHEMA}" in schemas`, 'invalidSyntax');
  }
  next();
}

function badJson(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  sendScimError(res, 400, `Request body is not valid JSON: ${(err as Error).message}`, 'invalidSyntax');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startScimmyServer(opts: ScimmyServerOptions = {}): Promise<RunningScimmyServer> {
  const clientId = opts.clientId ?? 'scimmy-client';
  const clientSecret = opts.clientSecret ?? 'scimmy-secret';
  const ttlSeconds = opts.tokenTtlSeconds ?? 3599;
  const tokens = new Map<string, number>(); // token → expiry (epoch ms)
  const context: ServerContext = { store: new UserStore() };
  let url = '';

  const app = express();
  app.set('query parser', parseQuery);
  app.disable('x-powered-by');

  // RAM's OAuth: client credentials in the query, client authentication by HTTP Basic.
  app.post('/v1/token', (req, res) => {
    const [scheme, encoded] = (req.header('authorization') ?? '').split(' ');
    const [id, ...rest] = Buffer.from(encoded ?? '', 'base64').toString('utf8').split(':');
    if (scheme?.toLowerCase() !== 'basic' || !sameSecret(id ?? '', clientId) || !sameSecret(rest.join(':'), clientSecret)) {
      res.status(401).setHeader('WWW-Authenticate', 'Basic').json({ error: 'invalid_client' });
      return;
    }
    if (req.query.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    if (req.query.client_id !== clientId) {
      res.status(400).json({ error: 'invalid_request', error_description: 'client_id must match the Basic credentials' });
      return;
    }
    const accessToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, Date.now() + ttlSeconds * 1000);
    res.json({
      access_token: accessToken, token_type: 'Bearer', expires_in: String(ttlSeconds), scope: '/acs/scim',
      request_id: randomUUID(),
    });
  });

  const authenticate = (req: Request): string => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    const expiresAt = match?.[1] ? tokens.get(match[1]) : undefined;
    if (expiresAt === undefined || expiresAt <= Date.now()) throw new Error('Invalid or expired access token');
    return clientId;
  };
  // Authenticate before the shape and filter checks: an anonymous caller learns nothing.
  app.use((req, res, next) => {
    try {
      authenticate(req);
      next();
    } catch (err) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      sendScimError(res, 401, (err as Error).message);
    }
  });
  app.use(ramSurface, ramQuery);
  app.use(express.json({ type: ['application/scim+json', 'application/json'] }), badJson, userSchemaRequired);

  declareUsers();
  SCIMMY.Config.set({ authenticationSchemes: [] }); // each router appends its scheme to the global config
  app.use(new SCIMMYRouters({
    type: 'bearer', handler: authenticate, context: () => context, baseUri: () => url,
  }) as unknown as express.Router);
  // After the router: it switches on patch, bulk and sort; RAM has none of them.
  SCIMMY.Config.set({ patch: false, bulk: false, sort: false, filter: true });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url, tokenUrl: `${url}/v1/token`, clientId, clientSecret,
    revokeTokens: () => tokens.clear(),
    users: () => context.store.list().map(({ id, userName, displayName, externalId }) => ({
      id, userName, ...(displayName !== undefined ? { displayName } : {}), ...(externalId !== undefined ? { externalId } : {}),
    })),
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections(); // keep-alive sockets from fetch would hold close() open
    }),
  };
}
