/**
 * A local stand-in for FC's invoke endpoint, for both SDKs: FC 3.0
 * (`POST /2023-03-30/functions/<fn>/invocations`, ACS3-HMAC-SHA256 as verified by the RAM emulator)
 * and FC 2.0 (`POST /2016-08-15/services/<svc>[.<qualifier>]/functions/<fn>/invocations`,
 * `Authorization: FC <akid>:<base64 HMAC-SHA256>` as `@alicloud/fc2` lib/helper.js composes it).
 * It checks the signature and `x-fc-invocation-type: Async`, records accepted bodies and answers
 * 202 with `x-fc-request-id`, like FC. It can fail the next N requests or refuse bodies over 128 KiB.
 * An async task id (FC 3.0 `x-fc-async-task-id`, FC 2.0 `x-fc-stateful-async-invocation-id`) must
 * follow FC's rule, and one already accepted is refused with 409, as FC refuses it (reference/fc.md §3.1).
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { header, readRequest, type EmulatorRequest } from '../../infra/emulator/http';
import { NonceCache, verifySignature } from '../../infra/emulator/signature';

export interface FcInvocation {
  api: 'fc3' | 'fc2';
  path: string;
  functionName: string;
  /** FC 2.0 only. */
  serviceName?: string;
  qualifier?: string;
  /** The async task id it carried, if any. */
  taskId?: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** `drop` closes the socket without an answer; a number answers with that status. */
export type FailureKind = 'drop' | number;

export interface FcInvokeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  endpoint: string;
  /** Accepted invocations, in arrival order. */
  invocations: FcInvocation[];
  /** Requests refused before a body was accepted (bad signature, missing header, too large), by error code. */
  rejected: string[];
  /** The most requests seen in flight at once. */
  maxInFlight: number;
  failNext(n: number, kind?: FailureKind): void;
  close(): Promise<void>;
}

export interface FcInvokeServerOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  /** When set, requests must carry this STS token (x-acs-security-token / x-fc-security-token). */
  securityToken?: string;
  /** Refuse bodies above this many bytes with 413 EntityTooLarge. Default 128 KiB, FC's async limit. */
  maxBodyBytes?: number;
  /** Hold each answer this long, so parallelism is observable. Default 0. */
  delayMs?: number;
}

const FC3_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const FC2_PATH = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations$/;
const CLOCK_SKEW_MS = 15 * 60_000;
const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

type Outcome = { ok: true } | { ok: false; status: number; code: string; message: string };
const refuse = (status: number, code: string, message: string): Outcome => ({ ok: false, status, code, message });

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** FC 2.0: the string `@alicloud/fc2` signs, rebuilt from what arrived. */
function verifyFc2(req: EmulatorRequest, accessKeyId: string, secret: string, token: string | undefined): Outcome {
  const match = /^FC ([^:]+):(.+)$/.exec(header(req, 'authorization') ?? '');
  if (!match) return refuse(401, 'InvalidArgument', 'Authorization must be "FC <accessKeyId>:<signature>".');
  if (match[1] !== accessKeyId) return refuse(403, 'InvalidAccessKeyID', 'The access key id is unknown.');
  if (token !== undefined && header(req, 'x-fc-security-token') !== token) {
    return refuse(403, 'InvalidSecurityToken', 'The security token is missing or wrong.');
  }
  const date = header(req, 'date') ?? '';
  const at = Date.parse(date);
  if (!Number.isFinite(at) || Math.abs(Date.now() - at) > CLOCK_SKEW_MS) return refuse(403, 'RequestTimeTooSkewed', 'Date is missing or skewed.');
  const contentMd5 = header(req, 'content-md5') ?? '';
  // The SDK sends base64 of the *hex* MD5 digest.
  const md5 = Buffer.from(createHash('md5').update(req.body).digest('hex'), 'utf8').toString('base64');
  if (req.body.length > 0 && contentMd5 !== md5) return refuse(400, 'InvalidArgument', 'content-md5 does not match the body.');
  const fcHeaders = Object.keys(req.headers).filter((h) => h.startsWith('x-fc-')).sort()
    .map((h) => `${h}:${header(req, h) ?? ''}\n`).join('');
  const stringToSign = `${req.method}\n${contentMd5}\n${header(req, 'content-type') ?? ''}\n${date}\n${fcHeaders}${decodeURIComponent(req.rawPath)}`;
  const expected = createHmac('sha256', secret).update(stringToSign, 'utf8').digest('base64');
  return safeEqual(expected, match[2] ?? '') ? { ok: true } : refuse(403, 'SignatureNotMatch', 'The request signature does not match.');
}

export async function startFcInvokeServer(options: FcInvokeServerOptions = {}): Promise<FcInvokeServer> {
  const accessKeyId = options.accessKeyId ?? 'fc-test-akid';
  const accessKeySecret = options.accessKeySecret ?? 'fc-test-secret';
  const maxBodyBytes = options.maxBodyBytes ?? 128 * 1024;
  const nonces = new NonceCache();
  const secrets = new Map([[accessKeyId, accessKeySecret]]);
  const pending: FailureKind[] = [];
  const taskIds = new Set<string>();
  let inFlight = 0;

  const state: FcInvokeServer = {
    url: '', endpoint: '', invocations: [], rejected: [], maxInFlight: 0,
    failNext(n, kind = 500) { for (let i = 0; i < n; i++) pending.push(kind); },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const answer = (res: ServerResponse, api: 'fc3' | 'fc2', status: number, code?: string, message?: string) => {
    const requestId = randomUUID();
    const body = code === undefined ? '' : JSON.stringify(api === 'fc3'
      ? { Code: code, Message: message, RequestId: requestId }
      : { ErrorCode: code, ErrorMessage: message });
    res.writeHead(status, {
      'x-fc-request-id': requestId, 'content-length': String(Buffer.byteLength(body)),
      ...(body && { 'content-type': 'application/json' }),
    });
    res.end(body);
  };

  const handle = async (req: EmulatorRequest, res: ServerResponse): Promise<void> => {
    const fc3 = FC3_PATH.exec(req.rawPath);
    const fc2 = FC2_PATH.exec(req.rawPath);
    const api = fc2 ? 'fc2' : 'fc3';
    if (req.method !== 'POST' || (!fc3 && !fc2)) return answer(res, api, 404, 'PathNotSupported', 'Not an invoke path.');
    const reject = (status: number, code: string, message: string) => {
      state.rejected.push(code);
      answer(res, api, status, code, message);
    };

    const failure = pending.shift();
    if (failure === 'drop') return void res.socket?.destroy();
    if (failure !== undefined) return answer(res, api, failure, failure === 429 ? 'ResourceThrottled' : 'InternalError', 'Injected failure.');
    if (req.body.length > maxBodyBytes) return reject(413, 'EntityTooLarge', `Payload over ${maxBodyBytes} bytes.`);

    if (fc3) {
      const check = verifySignature(req, secrets, nonces);
      if (!check.ok) return reject(check.status, check.code, check.message);
      if (options.securityToken !== undefined && header(req, 'x-acs-security-token') !== options.securityToken) {
        return reject(403, 'InvalidSecurityToken', 'The security token is missing or wrong.');
      }
    } else {
      const check = verifyFc2(req, accessKeyId, accessKeySecret, options.securityToken);
      if (!check.ok) return reject(check.status, check.code, check.message);
    }
    if (header(req, 'x-fc-invocation-type') !== 'Async') return reject(400, 'InvalidArgument', 'Expected x-fc-invocation-type: Async.');
    const taskId = header(req, fc3 ? 'x-fc-async-task-id' : 'x-fc-stateful-async-invocation-id');
    if (taskId !== undefined && !TASK_ID.test(taskId)) return reject(400, 'InvalidArgument', 'The async task id is malformed.');
    if (taskId !== undefined && taskIds.has(taskId)) return reject(409, 'AsyncTaskAlreadyExists', 'An async task with this id exists.');
    if (taskId !== undefined) taskIds.add(taskId);

    // FC 2.0 carries the qualifier in the service segment (`svc.LATEST`), FC 3.0 in the query.
    const [serviceName, fc2Qualifier] = decodeURIComponent(fc2?.[1] ?? '').split('.');
    const qualifier = fc3 ? req.query.get('qualifier') ?? undefined : fc2Qualifier;
    state.invocations.push({
      api, path: req.rawPath, headers: req.headers, body: req.body,
      functionName: decodeURIComponent(fc3?.[1] ?? fc2?.[2] ?? ''),
      ...(fc2 && { serviceName }),
      ...(qualifier && { qualifier }),
      ...(taskId !== undefined && { taskId }),
    });
    answer(res, api, 202);
  };

  const server = createServer((req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    void (async () => {
      try {
        const request = await readRequest(req);
        // unref: a held answer must not keep the test process alive after close().
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs).unref());
        await handle(request, res);
      } catch {
        if (!res.headersSent) answer(res, 'fc3', 500, 'InternalError', 'The fake failed.');
      } finally {
        inFlight--;
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.endpoint = `127.0.0.1:${port}`;
  state.url = `http://${state.endpoint}`;
  return state;
}
