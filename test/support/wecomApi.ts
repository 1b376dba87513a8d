/**
 * A local WeCom server API (`/cgi-bin`) following reference/webhooks.md §3.3: `gettoken` (checks
 * corpid and corpsecret, 7200 s tokens), `user/get`, `department/get`, `department/simplelist`,
 * `user/list_id` (opaque cursor, one row per person and department, limit 1–10000). Tokens can be
 * expired (42001) or revoked (40014); any path can be made to answer an errcode, an HTTP status or
 * a dropped connection for its next N calls. Departments can be moved, renamed and deleted (refused
 * while members or sub-departments remain, as WeCom's department/delete refuses).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequest, type EmulatorRequest } from '../../infra/emulator/http';

export interface WecomFakeUser {
  userid: string;
  name: string;
  department: number[];
  main_department?: number;
  position?: string;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  alias?: string;
  /** 1 activated, 2 disabled, 4 not activated, 5 exited. */
  status: number;
  direct_leader?: string[];
}

export interface WecomFakeDepartment {
  id: number;
  name: string;
  /** 0 for the root (id 1). */
  parentid: number;
  order?: number;
}

/** An errcode answered with HTTP 200, an HTTP status, or `drop` (socket closed without an answer). */
export type WecomFault = { errcode: number; errmsg?: string } | { http: number } | 'drop';

export interface WecomApiFakeOptions {
  corpId?: string;
  secret?: string;
  tokenTtlSeconds?: number;
  /** Caps `user/list_id` pages below the requested limit, to exercise paging. */
  maxPageSize?: number;
  /** Leave `next_cursor` out of the last page instead of sending "" (one integrator reports this). */
  omitFinalCursor?: boolean;
}

export interface WecomApiFake {
  /** The API base to use as WECOM_API_URL: `http://127.0.0.1:<port>/cgi-bin`. */
  url: string;
  corpId: string;
  secret: string;
  users: Map<string, WecomFakeUser>;
  departments: Map<number, WecomFakeDepartment>;
  /** Every call answered: path and errcode (-2 for HTTP faults and drops). */
  calls: { path: string; errcode: number }[];
  tokensIssued: number;
  callCount(path: string): number;
  /** Tokens issued so far now answer 42001 (expired). */
  expireTokens(): void;
  /** Tokens issued so far now answer 40014 (invalid). */
  revokeTokens(): void;
  failNext(path: string, fault: WecomFault, times?: number): void;
  renameUser(from: string, to: string): void;
  moveDepartment(id: number, parentId: number): void;
  renameDepartment(id: number, name: string): void;
  deleteDepartment(id: number): void;
  close(): Promise<void>;
}

const DEFAULT_CORP_ID = 'ww0123456789abcdef';
const DEFAULT_SECRET = 'contact-sync-secret-0123456789abcdefghij';

const errmsgFor = (errcode: number, what: string) =>
  `${what}, hint: [1700000000_1_fake], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;

export async function startWecomApi(options: WecomApiFakeOptions = {}): Promise<WecomApiFake> {
  const corpId = options.corpId ?? DEFAULT_CORP_ID;
  const secret = options.secret ?? DEFAULT_SECRET;
  const ttl = options.tokenTtlSeconds ?? 7200;
  const tokens = new Map<string, { expiresAt: number; state: 'ok' | 'expired' | 'revoked' }>();
  const faults = new Map<string, WecomFault[]>();
  let serial = 0;

  const fake: WecomApiFake = {
    url: '', corpId, secret, users: new Map(), departments: new Map(), calls: [], tokensIssued: 0,
    callCount: (path) => fake.calls.filter((c) => c.path === path).length,
    expireTokens: () => { for (const t of tokens.values()) t.state = 'expired'; },
    revokeTokens: () => { for (const t of tokens.values()) t.state = 'revoked'; },
    failNext(path, fault, times = 1) {
      faults.set(path, [...(faults.get(path) ?? []), ...Array.from({ length: times }, () => fault)]);
    },
    renameUser(from, to) {
      const user = fake.users.get(from);
      if (!user) throw new Error(`no user ${from}`);
      fake.users.delete(from);
      fake.users.set(to, { ...user, userid: to });
    },
    moveDepartment(id, parentId) { fake.departments.set(id, { ...department(id), parentid: parentId }); },
    renameDepartment(id, name) { fake.departments.set(id, { ...department(id), name }); },
    deleteDepartment(id) {
      department(id);
      if ([...fake.departments.values()].some((d) => d.parentid === id)) throw new Error(`department ${id} has sub-departments`);
      if ([...fake.users.values()].some((u) => u.status !== 5 && u.department.includes(id))) throw new Error(`department ${id} has members`);
      fake.departments.delete(id);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const department = (id: number): WecomFakeDepartment => {
    const found = fake.departments.get(id);
    if (!found) throw new Error(`no department ${id}`);
    return found;
  };

  const fail = (errcode: number, what: string) => ({ errcode, errmsg: errmsgFor(errcode, what) });
  const ok = (body: Record<string, unknown>) => ({ errcode: 0, errmsg: 'ok', ...body });

  const checkToken = (req: EmulatorRequest): Record<string, unknown> | undefined => {
    const token = req.query.get('access_token');
    if (!token) return fail(41001, 'access_token missing');
    const entry = tokens.get(token);
    if (!entry || entry.state === 'revoked') return fail(40014, 'invalid access_token');
    if (entry.state === 'expired' || Date.now() >= entry.expiresAt) return fail(42001, 'access_token expired');
    return undefined;
  };

  const routes: Record<string, (req: EmulatorRequest) => Record<string, unknown>> = {
    gettoken(req) {
      if (req.query.get('corpid') !== corpId) return fail(40013, 'invalid corpid');
      if (req.query.get('corpsecret') !== secret) return fail(40001, 'invalid credential');
      const token = `fake-token-${++serial}-${Math.random().toString(36).slice(2)}`;
      tokens.set(token, { expiresAt: Date.now() + ttl * 1000, state: 'ok' });
      fake.tokensIssued++;
      return ok({ access_token: token, expires_in: ttl });
    },
    'user/get'(req) {
      const user = fake.users.get(req.query.get('userid') ?? '');
      return user ? ok({ ...user }) : fail(60111, 'userid not found');
    },
    'department/get'(req) {
      const department = fake.departments.get(Number(req.query.get('id')));
      return department ? ok({ department: { ...department, department_leader: [] } }) : fail(60123, 'invalid party id');
    },
    'department/simplelist'(req) {
      const root = req.query.get('id');
      const all = [...fake.departments.values()];
      if (root === null || root === '') return ok({ department_id: all.map(({ id, parentid, order }) => ({ id, parentid, order: order ?? 0 })) });
      if (!fake.departments.has(Number(root))) return fail(60123, 'invalid party id');
      const inTree = (d: WecomFakeDepartment): boolean =>
        d.id === Number(root) || (d.parentid !== 0 && fake.departments.has(d.parentid) && inTree(fake.departments.get(d.parentid)!));
      return ok({ department_id: all.filter(inTree).map(({ id, parentid, order }) => ({ id, parentid, order: order ?? 0 })) });
    },
    'user/list_id'(req) {
      let body: { cursor?: unknown; limit?: unknown };
      try {
        body = JSON.parse(req.body.toString('utf8') || '{}');
      } catch {
        return fail(47001, 'data format error');
      }
      const limit = body.limit === undefined ? 10000 : Number(body.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10000) return fail(40058, 'invalid limit');
      const cursor = typeof body.cursor === 'string' ? body.cursor : '';
      const offset = cursor === '' ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^offset:/, ''));
      if (!Number.isInteger(offset) || offset < 0) return fail(40058, 'invalid cursor');
      const rows = [...fake.users.values()]
        .filter((u) => u.status !== 5)
        .sort((a, b) => (a.userid < b.userid ? -1 : 1))
        .flatMap((u) => u.department.map((department) => ({ userid: u.userid, department })));
      const size = Math.min(limit, options.maxPageSize ?? limit);
      const page = rows.slice(offset, offset + size);
      const end = offset + size >= rows.length;
      const next = end ? '' : Buffer.from(`offset:${offset + size}`).toString('base64url');
      return ok({ ...(end && options.omitFinalCursor ? {} : { next_cursor: next }), dept_user: page });
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const request = await readRequest(req);
      const path = request.rawPath.replace(/^\/cgi-bin\//, '');
      const route = routes[path];
      const fault = faults.get(path)?.shift();
      if (fault === 'drop') {
        fake.calls.push({ path, errcode: -2 });
        return void res.socket?.destroy();
      }
      if (fault && 'http' in fault) {
        fake.calls.push({ path, errcode: -2 });
        return answer(res, fault.http, { error: 'gateway' });
      }
      if (fault) {
        fake.calls.push({ path, errcode: fault.errcode });
        return answer(res, 200, { errcode: fault.errcode, errmsg: fault.errmsg ?? errmsgFor(fault.errcode, 'injected') });
      }
      if (!route) return answer(res, 404, { errcode: 404, errmsg: 'no such API' });
      const refused = path === 'gettoken' ? undefined : checkToken(request);
      const body = refused ?? route(request);
      fake.calls.push({ path, errcode: Number(body.errcode) });
      answer(res, 200, body);
    })().catch(() => {
      if (!res.headersSent) answer(res, 500, { errcode: -1, errmsg: 'fake failed' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin`;
  return fake;
}
