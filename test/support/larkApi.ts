/**
 * Lark, as our code meets it, on loopback:
 * - `larkRequest` builds what Lark's event push sends (v2 or v1 envelope; `{"encrypt"}` body and
 *   `X-Lark-*` signature headers when an Encrypt Key is set), for the webhook tests.
 * - `startLarkApi` serves the open-apis our client calls (reference/webhooks.md §2.3): the
 *   tenant_access_token, users by id, department children with fetch_child, users by department,
 *   with paging, token expiry, rate limiting (429 / 99991400 and x-ogw-ratelimit-reset) and
 *   absent users and departments answered with Lark's codes. Departments can be moved, renamed and
 *   deleted (refused while users or sub-departments remain, as Lark's delete API refuses).
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LarkCipher, larkSignature } from '../../functions/lib/sources/lark/crypto';

// ── events ────────────────────────────────────────────────────────────────────────────────────

export interface LarkKeys {
  verificationToken: string;
  encryptKey?: string;
}

export interface LarkRequestOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  nonce?: string;
  /** Indent the JSON (Lark's bodies are compact; the SDK only verifies compact ones). */
  indent?: number;
  /** Fixed IV, for reproducible bodies. */
  iv?: Buffer;
  /** Leave the X-Lark-* headers off, as Lark does for URL verification. */
  unsigned?: boolean;
}

export interface LarkHttpRequest {
  headers: Record<string, string>;
  body: string;
  rawBody: Buffer;
}

/** What Lark POSTs for `payload` (an already-built envelope). */
export function larkRequest(payload: object, keys: LarkKeys, options: LarkRequestOptions = {}): LarkHttpRequest {
  const json = (v: unknown) => JSON.stringify(v, null, options.indent);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (!keys.encryptKey) {
    const body = json(payload);
    return { headers, body, rawBody: Buffer.from(body) };
  }
  const encrypt = new LarkCipher(keys.encryptKey).encrypt(JSON.stringify(payload), options.iv);
  const body = json({ encrypt });
  const rawBody = Buffer.from(body);
  if (!options.unsigned) {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = options.nonce ?? randomBytes(8).toString('hex');
    headers['x-lark-request-timestamp'] = timestamp;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = larkSignature(timestamp, nonce, keys.encryptKey, rawBody);
  }
  return { headers, body, rawBody };
}

let counter = 0;
const eventId = () => `${Date.now().toString(16)}${(++counter).toString(16).padStart(8, '0')}${randomBytes(8).toString('hex')}`;

/** A schema 2.0 envelope. */
export function v2Event(
  eventType: string, event: Record<string, unknown>, token: string, id: string = eventId(),
): Record<string, unknown> {
  return {
    schema: '2.0',
    header: { event_id: id, event_type: eventType, create_time: String(Date.now()), token, app_id: 'cli_test', tenant_key: 'tenant-1' },
    event,
  };
}

/** A schema 1.0 envelope. */
export function v1Event(event: Record<string, unknown>, token: string, uuid: string = eventId()): Record<string, unknown> {
  return { uuid, token, ts: String(Date.now() / 1000), type: 'event_callback', event: { app_id: 'cli_test', tenant_key: 'tenant-1', ...event } };
}

export function urlVerification(token: string, challenge = `c-${randomBytes(6).toString('hex')}`): Record<string, unknown> {
  return { challenge, token, type: 'url_verification' };
}

/** A user as Lark's contact APIs and events show it (every field scope granted). */
export interface LarkUserRecord {
  union_id: string;
  open_id: string;
  user_id?: string;
  name: string;
  en_name?: string;
  email?: string;
  enterprise_email?: string;
  mobile?: string;
  employee_no?: string;
  job_title?: string;
  department_ids: string[];
  leader_user_id?: string;
  status: { is_frozen: boolean; is_resigned: boolean; is_activated: boolean; is_exited: boolean; is_unjoin: boolean };
}

export interface LarkDepartmentRecord {
  open_department_id: string;
  department_id?: string;
  name: string;
  parent_department_id: string;
  status?: { is_deleted: boolean };
}

export const ACTIVE = { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false };

export function larkUser(n: number, overrides: Partial<LarkUserRecord> = {}): LarkUserRecord {
  return {
    union_id: `on_${n.toString(16).padStart(8, '0')}`, open_id: `ou_${n.toString(16).padStart(8, '0')}`, user_id: `u${n}`,
    name: `用户${n}`, en_name: `User ${n}`, email: `user${n}@corp.example`, enterprise_email: `user${n}@mail.corp.example`,
    mobile: `+86 1380000${String(n).padStart(4, '0')}`, employee_no: `E${n}`, job_title: 'Engineer',
    department_ids: ['od-eng'], status: { ...ACTIVE }, ...overrides,
  };
}

// ── the open-apis fake ───────────────────────────────────────────────────────────────────────

export interface LarkApiFakeOptions {
  appId?: string;
  appSecret?: string;
  users?: LarkUserRecord[];
  departments?: LarkDepartmentRecord[];
  /** Seconds a tenant_access_token lives; default 7200. */
  tokenTtlSeconds?: number;
  /** Largest page the fake hands out, whatever page_size asks (Lark's limit is 50). */
  maxPageSize?: number;
}

export interface LarkApiFake {
  /** The base URL, as LARK_API_URL: `http://127.0.0.1:<port>/open-apis`. */
  url: string;
  users: LarkUserRecord[];
  departments: LarkDepartmentRecord[];
  /** Ids (any type) the app's contact scope does not cover: answered 41050. */
  outOfScope: Set<string>;
  /** Requests by path template, e.g. `GET /contact/v3/users/:user_id`. */
  calls: Record<string, number>;
  tokensIssued: number;
  /** Throttle the next n requests: HTTP 429 (or 400, as older APIs do) with code 99991400. */
  rateLimitNext(n: number, options?: { resetSeconds?: number; status?: 429 | 400 }): void;
  /** Answer the next n requests with this HTTP status and no JSON. */
  failNext(n: number, status: number): void;
  /** Every token issued so far stops working (Lark answers 99991663). */
  revokeTokens(): void;
  moveDepartment(id: string, parentId: string): void;
  renameDepartment(id: string, name: string): void;
  /** Marks it deleted (`status.is_deleted`, as the deleted event shows it); refused while users or sub-departments remain. */
  deleteDepartment(id: string): void;
  close(): Promise<void>;
}

const ROOT = '0';

export async function startLarkApi(options: LarkApiFakeOptions = {}): Promise<LarkApiFake> {
  const appId = options.appId ?? 'cli_fake_app';
  const appSecret = options.appSecret ?? 'fake-app-secret';
  const ttl = options.tokenTtlSeconds ?? 7200;
  const maxPage = options.maxPageSize ?? 50;
  const tokens = new Map<string, number>();
  let throttle = { n: 0, resetSeconds: 1, status: 429 as 429 | 400 };
  let failures = { n: 0, status: 500 };

  const fake: LarkApiFake = {
    url: '', users: options.users ?? [], departments: options.departments ?? [], outOfScope: new Set(), calls: {}, tokensIssued: 0,
    rateLimitNext: (n, o = {}) => { throttle = { n, resetSeconds: o.resetSeconds ?? 1, status: o.status ?? 429 }; },
    failNext: (n, status) => { failures = { n, status }; },
    revokeTokens: () => tokens.clear(),
    moveDepartment: (id, parentId) => { department(id).parent_department_id = parentId; },
    renameDepartment: (id, name) => { department(id).name = name; },
    deleteDepartment(id) {
      const doomed = department(id);
      if (descendants(id, false).length > 0) throw new Error(`department ${id} has sub-departments`);
      if (fake.users.some((u) => u.department_ids.includes(id) && !u.status.is_resigned)) throw new Error(`department ${id} has users`);
      doomed.status = { is_deleted: true };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const department = (id: string): LarkDepartmentRecord => {
    const found = fake.departments.find((d) => d.open_department_id === id && !d.status?.is_deleted);
    if (!found) throw new Error(`no department ${id}`);
    return found;
  };

  const reply = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  };
  const count = (label: string) => { fake.calls[label] = (fake.calls[label] ?? 0) + 1; };

  const userId = (u: LarkUserRecord, type: string) => (type === 'open_id' ? u.open_id : type === 'user_id' ? u.user_id : u.union_id);
  const asSeen = (u: LarkUserRecord, type: string) => {
    const leader = u.leader_user_id ? fake.users.find((l) => l.union_id === u.leader_user_id) : undefined;
    const { leader_user_id: _l, ...rest } = u;
    return { ...rest, ...(leader && { leader_user_id: userId(leader, type) }) };
  };
  const page = <T>(items: T[], query: URLSearchParams) => {
    const size = Math.min(Number(query.get('page_size') ?? 20) || 20, maxPage);
    const offset = query.get('page_token') ? Number(Buffer.from(query.get('page_token')!, 'base64url').toString()) : 0;
    const slice = items.slice(offset, offset + size);
    const more = offset + size < items.length;
    return { has_more: more, ...(more && { page_token: Buffer.from(String(offset + size)).toString('base64url') }), items: slice };
  };
  const descendants = (parent: string, all: boolean): LarkDepartmentRecord[] => {
    const children = fake.departments.filter((d) => d.parent_department_id === parent && !d.status?.is_deleted);
    return all ? children.flatMap((c) => [c, ...descendants(c.open_department_id, true)]) : children;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/open-apis/, '');
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString('utf8'); }).on('end', () => resolve(text));
    });
    if (failures.n > 0) {
      failures.n -= 1;
      res.writeHead(failures.status, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      return;
    }
    if (throttle.n > 0) {
      throttle.n -= 1;
      reply(res, throttle.status, { code: 99991400, msg: 'request trigger frequency limit' },
        { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': String(throttle.resetSeconds) });
      return;
    }

    if (req.method === 'POST' && path === '/auth/v3/tenant_access_token/internal') {
      count('POST /auth/v3/tenant_access_token/internal');
      const creds = JSON.parse(body || '{}') as { app_id?: string; app_secret?: string };
      if (creds.app_id !== appId || creds.app_secret !== appSecret) return reply(res, 400, { code: 10014, msg: 'app secret invalid' });
      const token = `t-${randomBytes(12).toString('hex')}`;
      tokens.set(token, Date.now() + ttl * 1000);
      fake.tokensIssued += 1;
      return reply(res, 200, { code: 0, msg: 'ok', tenant_access_token: token, expire: ttl });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = bearer ? tokens.get(bearer) : undefined;
    if (expiry === undefined || expiry < Date.now()) {
      return reply(res, 400, { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' });
    }
    const idType = url.searchParams.get('user_id_type') ?? 'open_id';
    const departmentIdType = url.searchParams.get('department_id_type') ?? 'open_department_id';
    if (departmentIdType !== 'open_department_id') return reply(res, 400, { code: 40001, msg: 'the fake serves open_department_id only' });

    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/contact/v3/users/find_by_department') {
      count('GET /contact/v3/users/find_by_department');
      const department = url.searchParams.get('department_id') ?? '';
      if (fake.outOfScope.has(department)) return reply(res, 403, { code: 40004, msg: 'no dept authority error' });
      // Resigned people are no longer members of any department.
      const members = fake.users.filter((u) => u.department_ids.includes(department) && !u.status.is_resigned);
      return reply(res, 200, { code: 0, msg: 'success', data: page(members.map((u) => asSeen(u, idType)), url.searchParams) });
    }
    if (req.method === 'GET' && (m = /^\/contact\/v3\/users\/([^/]+)$/.exec(path))) {
      count('GET /contact/v3/users/:user_id');
      const id = decodeURIComponent(m[1]!);
      const user = fake.users.find((u) => userId(u, idType) === id);
      if (!user) return reply(res, 400, { code: 41012, msg: 'user id invalid error' });
      if (fake.outOfScope.has(id)) return reply(res, 400, { code: 41050, msg: 'no user authority error' });
      return reply(res, 200, { code: 0, msg: 'success', data: { user: asSeen(user, idType) } });
    }
    if (req.method === 'GET' && (m = /^\/contact\/v3\/departments\/([^/]+)\/children$/.exec(path))) {
      count('GET /contact/v3/departments/:department_id/children');
      const parent = decodeURIComponent(m[1]!);
      if (parent !== ROOT && !fake.departments.some((d) => d.open_department_id === parent)) {
        return reply(res, 400, { code: 40015, msg: 'department not exist' });
      }
      if (fake.outOfScope.has(parent)) return reply(res, 403, { code: 40004, msg: 'no dept authority error' });
      const items = descendants(parent, url.searchParams.get('fetch_child') === 'true');
      return reply(res, 200, { code: 0, msg: 'success', data: page(items, url.searchParams) });
    }
    if (req.method === 'GET' && (m = /^\/contact\/v3\/departments\/([^/]+)$/.exec(path))) {
      count('GET /contact/v3/departments/:department_id');
      const id = decodeURIComponent(m[1]!);
      const department = fake.departments.find((d) => d.open_department_id === id);
      if (!department) return reply(res, 400, { code: 40015, msg: 'department not exist' });
      if (fake.outOfScope.has(id)) return reply(res, 403, { code: 40004, msg: 'no dept authority error' });
      return reply(res, 200, { code: 0, msg: 'success', data: { department } });
    }
    reply(res, 404, { code: 404, msg: `no route ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, { code: 1500, msg: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/open-apis`;
  return fake;
}
