/**
 * RAM's SCIM surface: `/Users` (POST, GET with filter and paging), `/Users/{id}` (GET, PUT, DELETE),
 * and unauthenticated discovery. No /scim/v2 prefix, no PATCH, no Groups, as in RAM.
 */
import { RamEntityError } from './errors';
import { json, mediaType, type EmulatorReply, type EmulatorRequest } from './http';
import type { OAuthServer } from './oauth';
import { SCIM_SCOPE } from './oauth';
import { ERROR_SCHEMA, LIST_SCHEMA, USER_SCHEMA, listOf, userResourceType, userSchema } from './scimDiscovery';
import { ScimFilterError, parseScimFilter, usersMatchingScimFilter } from './scimFilter';
import type { EmulatorState, StoredUser, UserInput } from './store';

export interface ScimContext {
  state: EmulatorState;
  oauth: OAuthServer;
  baseUrl: string;
}

export interface ScimRoute {
  /** Counter key, e.g. `SCIM GET /Users/{id}`. */
  action: string;
  write: boolean;
  run(req: EmulatorRequest, ctx: ScimContext): EmulatorReply;
}

const USER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const DEFAULT_COUNT = 30;
const MAX_COUNT = 100;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function scimError(status: number, detail: string, scimType?: string, headers?: Record<string, string>): EmulatorReply {
  return json(status, { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail }, headers);
}

/** The route for a SCIM path, or undefined when the path is not RAM SCIM (answered 404). */
export function scimRoute(req: EmulatorRequest): ScimRoute | undefined {
  const path = req.rawPath;
  const route = (template: string, run: ScimRoute['run']): ScimRoute => ({
    action: `SCIM ${req.method} ${template}`,
    write: WRITE_METHODS.has(req.method),
    run,
  });
  if (path === '/ResourceTypes' || path === '/ResourceTypes/User') return route(path, discovery);
  if (path === '/Schemas' || path === `/Schemas/${USER_SCHEMA}`) return route(path, discovery);
  if (path === '/Users') return route('/Users', authenticated(usersCollection));
  const id = /^\/Users\/([^/]+)$/.exec(path)?.[1];
  if (id !== undefined) return route('/Users/{id}', authenticated((r, c) => userItem(r, c, decodePathSegment(id))));
  return undefined;
}

/** A malformed escape cannot name a user; keep it raw so the lookup answers 404. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function authenticated(run: ScimRoute['run']): ScimRoute['run'] {
  return (req, ctx) => {
    const check = ctx.oauth.checkBearer(req.headers.authorization);
    const challenge = { 'www-authenticate': 'Bearer realm="scim"' };
    if (!check.ok) return scimError(401, `Bearer token ${check.reason}`, undefined, challenge);
    if (!check.scope.split(' ').includes(SCIM_SCOPE)) return scimError(403, 'token lacks the /acs/scim scope');
    return run(req, ctx);
  };
}

function discovery(req: EmulatorRequest, ctx: ScimContext): EmulatorReply {
  if (req.method !== 'GET') return scimError(405, 'method not allowed', undefined, { allow: 'GET' });
  switch (req.rawPath) {
    case '/ResourceTypes':
      return json(200, listOf([userResourceType(ctx.baseUrl)]));
    case '/ResourceTypes/User':
      return json(200, userResourceType(ctx.baseUrl));
    case '/Schemas':
      return json(200, listOf([userSchema(ctx.baseUrl)]));
    default:
      return json(200, userSchema(ctx.baseUrl));
  }
}

function usersCollection(req: EmulatorRequest, ctx: ScimContext): EmulatorReply {
  if (req.method === 'GET') return listUsers(req, ctx);
  if (req.method !== 'POST') return scimError(405, 'method not allowed', undefined, { allow: 'GET, POST' });
  const input = readUserInput(req);
  if ('status' in input) return input;
  return storeCall(() => {
    // A client-sent id is ignored: RAM assigns it.
    const user = ctx.state.createUser(input.fields, 'scim');
    const location = `${ctx.baseUrl}/Users/${user.id}`;
    return json(201, resource(user, ctx.baseUrl), { location });
  });
}

function userItem(req: EmulatorRequest, ctx: ScimContext, id: string): EmulatorReply {
  const user = ctx.state.userById(id);
  if (req.method === 'PATCH') {
    return scimError(405, 'PATCH is not supported by RAM; use PUT', undefined, { allow: 'GET, PUT, DELETE' });
  }
  if (!['GET', 'PUT', 'DELETE'].includes(req.method)) {
    return scimError(405, 'method not allowed', undefined, { allow: 'GET, PUT, DELETE' });
  }
  if (!user) return scimError(404, `User ${id} not found`);
  if (req.method === 'GET') return json(200, resource(user, ctx.baseUrl));
  // Users made in the console cannot be changed through SCIM (RAM: "changing existing users: no").
  if (user.createdBy !== 'scim') return scimError(403, 'the user was not created by SCIM and cannot be changed by it');
  if (req.method === 'DELETE') {
    return storeCall(() => {
      ctx.state.deleteUser(id);
      return { status: 204 };
    });
  }
  const input = readUserInput(req);
  if ('status' in input) return input;
  if (input.id !== undefined && input.id !== id) return scimError(400, 'id is immutable', 'mutability');
  return storeCall(() => json(200, resource(ctx.state.replaceUser(id, input.fields), ctx.baseUrl)));
}

function listUsers(req: EmulatorRequest, ctx: ScimContext): EmulatorReply {
  const filterText = req.query.get('filter');
  let users: readonly StoredUser[] = ctx.state.userList();
  if (filterText !== null) {
    try {
      users = usersMatchingScimFilter(parseScimFilter(filterText), ctx.state);
    } catch (err) {
      if (err instanceof ScimFilterError) return scimError(400, err.message, 'invalidFilter');
      throw err;
    }
  }
  const startIndex = intParam(req, 'startIndex');
  const count = intParam(req, 'count');
  if (startIndex === null || count === null) return scimError(400, 'startIndex and count must be integers', 'invalidValue');
  const start = Math.max(1, startIndex ?? 1);
  const size = Math.min(MAX_COUNT, Math.max(0, count ?? DEFAULT_COUNT));
  const page = users.slice(start - 1, start - 1 + size);
  return json(200, {
    schemas: [LIST_SCHEMA],
    totalResults: users.length,
    // RAM's documented example reports the page size here, not the number returned.
    itemsPerPage: size,
    startIndex: start,
    Resources: page.map((u) => resource(u, ctx.baseUrl)),
  });
}

/** undefined when absent, null when not an integer. */
function intParam(req: EmulatorRequest, name: string): number | undefined | null {
  const raw = req.query.get(name);
  if (raw === null) return undefined;
  return /^-?\d+$/.test(raw.trim()) ? Number(raw) : null;
}

function resource(user: StoredUser, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA],
    id: user.id,
    ...(user.externalId !== undefined ? { externalId: user.externalId } : {}),
    userName: user.userName,
    displayName: user.displayName,
    meta: {
      created: user.createDate,
      lastModified: user.updateDate,
      location: `${baseUrl}/Users/${user.id}`,
      resourceType: 'User',
    },
  };
}

/** The RAM-mapped attributes of a POST/PUT body; any other attribute is ignored, as RAM does. */
function readUserInput(req: EmulatorRequest): { fields: UserInput; id?: string } | EmulatorReply {
  const type = mediaType(req);
  if (type !== 'application/json' && type !== 'application/scim+json') {
    return scimError(415, 'Content-Type must be application/json');
  }
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    return scimError(400, 'request body is not valid JSON', 'invalidSyntax');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return scimError(400, 'request body must be a JSON object', 'invalidSyntax');
  }
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.schemas) || !b.schemas.includes(USER_SCHEMA)) {
    return scimError(400, `schemas must include ${USER_SCHEMA}`, 'invalidSyntax');
  }
  if (typeof b.userName !== 'string' || !USER_NAME.test(b.userName)) {
    return scimError(400, 'userName must be 1-64 of letters, digits, ".", "_", "-"', 'invalidValue');
  }
  if (typeof b.displayName !== 'string' || b.displayName.length < 1 || b.displayName.length > 128) {
    return scimError(400, 'displayName is required, 1-128 characters', 'invalidValue');
  }
  if (b.externalId !== undefined && b.externalId !== null && (typeof b.externalId !== 'string' || b.externalId === '')) {
    return scimError(400, 'externalId must be a non-empty string', 'invalidValue');
  }
  if (b.id !== undefined && typeof b.id !== 'string') return scimError(400, 'id must be a string', 'invalidValue');
  return {
    fields: {
      userName: b.userName,
      displayName: b.displayName,
      ...(typeof b.externalId === 'string' ? { externalId: b.externalId } : {}),
    },
    ...(typeof b.id === 'string' ? { id: b.id } : {}),
  };
}

/** Runs a store operation, translating RAM refusals into SCIM errors. */
function storeCall(run: () => EmulatorReply): EmulatorReply {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof RamEntityError)) throw err;
    if (err.code === 'EntityAlreadyExists.User') return scimError(409, err.message, 'uniqueness');
    if (err.code === 'EntityNotExist.User') return scimError(404, err.message);
    // DELETE refused: name RAM's code so a client can tell which attachment blocks it.
    return scimError(err.status, `${err.code}: ${err.message}`);
  }
}
