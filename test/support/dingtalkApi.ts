/**
 * A local DingTalk open API following reference/webhooks.md §1.5: `GET /gettoken` issuing tokens
 * that expire, `topapi/v2/user/get` (60121 for a person who is gone), `v2/department/get`
 * (60003), `v2/department/listsub`, and `v2/user/list` with cursor pages (size ≤ 100). It can
 * answer the next calls with a rate limit (90002, 90018, 90019), the per-IP ban page, or a 502,
 * and it can expire every token at once (errcode 42001 on the next use). It lists failed pushes
 * (`get_call_back_failed_result`, paged, deleted once fetched). Departments can be moved,
 * renamed, deleted (refused while people or sub-departments remain, as DingTalk does) and put
 * outside the app's contact scope (errcode 50004).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DingtalkDepartment, DingtalkUser } from '../../functions/lib/sources/dingtalk/types';

export type DingtalkFault = 90002 | 90018 | 90019 | -1 | 'ip-ban' | 'ip-ban-html' | 502;

export interface DingtalkApiFakeOptions {
  appKey?: string;
  appSecret?: string;
  /** `expires_in` of issued tokens, seconds. Default 7200. */
  tokenTtlSeconds?: number;
  users?: DingtalkUser[];
  departments?: DingtalkDepartment[];
  /** Entries per `get_call_back_failed_result` page; DingTalk's is 200. */
  failedCallbackPageSize?: number;
}

export interface DingtalkApiFake {
  url: string;
  users: Map<string, DingtalkUser>;
  departments: Map<number, DingtalkDepartment>;
  /** Calls per path (token included), in arrival order. */
  calls: string[];
  /** Department ids outside the app's contact scope: 50004 on reading them, left out of listsub. */
  hidden: Set<number>;
  tokensIssued: number;
  /**
   * Pushes DingTalk failed to deliver, as `get_call_back_failed_result` lists them
   * (`{call_back_tag, event_time, <tag>: {...}}`, ids possibly missing): paged by `has_more`, each
   * page removed once answered, as DingTalk deletes what it hands over (reference/webhooks.md §1.3).
   */
  failedCallbacks: Array<Record<string, unknown>>;
  /** Calls answered so far on `path` (e.g. `/topapi/v2/user/list`), faults included. */
  callCount(path: string): number;
  moveDepartment(id: number, parentId: number): void;
  renameDepartment(id: number, name: string): void;
  /** Refused, as DingTalk refuses, while the department or one below it has people or sub-departments. */
  deleteDepartment(id: number): void;
  /** Answer the next `n` calls (any path) with `fault`. */
  failNext(n: number, fault: DingtalkFault): void;
  /** Every token issued so far becomes invalid (errcode 42001 on use). */
  expireTokens(): void;
  close(): Promise<void>;
}

const ROOT: DingtalkDepartment = { dept_id: 1, name: 'Example Corp' };

export async function startDingtalkApi(options: DingtalkApiFakeOptions = {}): Promise<DingtalkApiFake> {
  const appKey = options.appKey ?? 'dingappkey0001';
  const appSecret = options.appSecret ?? 'app-secret-0001';
  const ttl = options.tokenTtlSeconds ?? 7200;
  const tokens = new Map<string, number>();
  const faults: DingtalkFault[] = [];
  const state: DingtalkApiFake = {
    url: '',
    users: new Map((options.users ?? []).map((u) => [u.userid, u])),
    departments: new Map([ROOT, ...(options.departments ?? [])].map((d) => [d.dept_id, d])),
    calls: [],
    hidden: new Set(),
    tokensIssued: 0,
    failedCallbacks: [],
    callCount: (path) => state.calls.filter((c) => c === path).length,
    moveDepartment(id, parentId) { state.departments.set(id, { ...department(id), parent_id: parentId }); },
    renameDepartment(id, name) { state.departments.set(id, { ...department(id), name }); },
    deleteDepartment(id) {
      department(id);
      if ([...state.departments.values()].some((d) => d.parent_id === id)) throw new Error(`department ${id} has sub-departments`);
      if ([...state.users.values()].some((u) => (u.dept_id_list ?? []).includes(id))) throw new Error(`department ${id} has members`);
      state.departments.delete(id);
    },
    failNext(n, fault) { for (let i = 0; i < n; i++) faults.push(fault); },
    expireTokens() { for (const token of tokens.keys()) tokens.set(token, 0); },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const department = (id: number): DingtalkDepartment => {
    const found = state.departments.get(id);
    if (!found) throw new Error(`no department ${id}`);
    return found;
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const ok = (res: ServerResponse, result: unknown) => json(res, 200, { errcode: 0, errmsg: 'ok', result, request_id: 'r1' });
  const err = (res: ServerResponse, errcode: number, errmsg: string) => json(res, 200, { errcode, errmsg, request_id: 'r1' });

  const fault = (res: ServerResponse, f: DingtalkFault) => {
    if (f === 502) return json(res, 502, { message: 'bad gateway' });
    if (f === 'ip-ban') return json(res, 200, { status: 1111, wait: 0.01, message: 'ip banned' });
    if (f === 'ip-ban-html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html><body>访问频率过快</body></html>');
    }
    return err(res, f, f === -1 ? '系统繁忙' : '调用频率超限');
  };

  const handle = (req: IncomingMessage, url: URL, body: Record<string, unknown>, res: ServerResponse) => {
    if (url.pathname === '/gettoken') {
      if (url.searchParams.get('appkey') !== appKey || url.searchParams.get('appsecret') !== appSecret) {
        return err(res, 40089, '不合法的corpid或corpsecret');
      }
      const token = `tok-${++state.tokensIssued}`;
      tokens.set(token, Date.now() + ttl * 1000);
      return json(res, 200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: ttl });
    }
    const failedList = req.method === 'GET' && url.pathname === '/call_back/get_call_back_failed_result';
    if (req.method !== 'POST' && !failedList) return json(res, 404, { message: 'not found' });
    const token = url.searchParams.get('access_token') ?? '';
    const expiry = tokens.get(token);
    if (expiry === undefined) return err(res, 40014, '不合法的access_token');
    if (expiry <= Date.now()) return err(res, 42001, 'access_token超时');
    if (failedList) {
      const page = state.failedCallbacks.splice(0, options.failedCallbackPageSize ?? 200);
      return json(res, 200, { errcode: 0, errmsg: 'ok', has_more: state.failedCallbacks.length > 0, failed_list: page });
    }

    const deptId = Number(body.dept_id);
    if (url.pathname.startsWith('/topapi/v2/department/') || url.pathname === '/topapi/v2/user/list') {
      if (state.hidden.has(deptId)) return err(res, 50004, '请求的部门id不在授权范围内');
    }
    switch (url.pathname) {
      case '/topapi/v2/user/get': {
        const user = state.users.get(String(body.userid));
        return user ? ok(res, user) : err(res, 60121, '找不到该用户');
      }
      case '/topapi/v2/department/get': {
        const dept = state.departments.get(Number(body.dept_id));
        return dept ? ok(res, dept) : err(res, 60003, '部门不存在');
      }
      case '/topapi/v2/department/listsub': {
        const id = Number(body.dept_id);
        if (!state.departments.has(id)) return err(res, 60003, '部门不存在');
        return ok(res, [...state.departments.values()].filter((d) => d.parent_id === id && !state.hidden.has(d.dept_id)));
      }
      case '/topapi/v2/user/list': {
        const id = Number(body.dept_id);
        const size = Number(body.size);
        const cursor = Number(body.cursor ?? 0);
        if (!Number.isInteger(size) || size < 1 || size > 100) return err(res, 40035, '不合法的参数: size');
        if (!state.departments.has(id)) return err(res, 60003, '部门不存在');
        const members = [...state.users.values()].filter((u) => (u.dept_id_list ?? []).includes(id));
        const list = members.slice(cursor, cursor + size);
        const hasMore = cursor + size < members.length;
        return ok(res, { has_more: hasMore, ...(hasMore ? { next_cursor: cursor + size } : {}), list });
      }
      default:
        return err(res, 404, 'no such api');
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      state.calls.push(url.pathname);
      const next = faults.shift();
      if (next !== undefined) return fault(res, next);
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        return err(res, 40035, '不合法的参数');
      }
      handle(req, url, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
