/**
 * A local stand-in for one MNS (Simple Message Queue) queue's HTTP API (2015-06-06): BatchReceiveMessage
 * (`GET /queues/<q>/messages?numOfMessages=&waitseconds=`), ChangeMessageVisibility
 * (`PUT …?receiptHandle=&visibilityTimeout=`) and DeleteMessage (`DELETE …?ReceiptHandle=`), with
 * XML answers and MNS's error document. It checks every request's signature as MNS does
 * (`Authorization: MNS <id>:<sig>`, Date within 15 minutes, x-mns-version, the STS token in
 * `security-token` when configured) and refuses a forged one with 403 SignatureDoesNotMatch.
 * Messages carry visibility: a receive hides a message for the queue's visibility timeout and gives
 * it a new receipt handle; the old handle, or one whose visibility has ended, is refused
 * (ReceiptHandleError), so a client that deletes late or with a stale handle fails here as on MNS.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { header, readRequest, type EmulatorRequest } from '../../infra/emulator/http';
import { mnsSignature } from '../../infra/mns/signature';

export interface FakeMnsMessage {
  id: string;
  body: string;
  enqueueTime: number;
  dequeueCount: number;
  /** Epoch ms before which it is not received. */
  visibleAt: number;
  /** The receipt handle of its latest receive, while it is hidden by that receive. */
  handle?: string;
}

export interface MnsServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/queues/<name>`: what PUSH_DLQ_URL takes. */
  queueUrl: string;
  messages: FakeMnsMessage[];
  /** Requests refused, by MNS error code. */
  rejected: string[];
  /** Enqueues a message as FC's destination would; answers its id. */
  send(body: string): string;
  /** The next `n` DeleteMessage requests answer 500 (after the signature check). */
  failDeletes(n: number): void;
  close(): Promise<void>;
}

export interface MnsServerOptions {
  queueName?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** The queue's VisibilityTimeout attribute. Default 30 s, MNS's default. */
  visibilityTimeoutSeconds?: number;
}

const CLOCK_SKEW_MS = 15 * 60_000;
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const NS = 'xmlns="http://mns.aliyuncs.com/doc/v1/"';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startMnsServer(options: MnsServerOptions = {}): Promise<MnsServer> {
  const queueName = options.queueName ?? 'ram-scim-sync-push-dlq';
  const accessKeyId = options.accessKeyId ?? 'mns-test-akid';
  const secret = options.accessKeySecret ?? 'mns-test-secret';
  const visibilityMs = (options.visibilityTimeoutSeconds ?? 30) * 1000;
  let deleteFailures = 0;

  const state: MnsServer = {
    url: '', queueUrl: '', messages: [], rejected: [],
    send(body) {
      const id = randomBytes(16).toString('hex').toUpperCase();
      state.messages.push({ id, body, enqueueTime: Date.now(), dequeueCount: 0, visibleAt: 0 });
      return id;
    },
    failDeletes(n) { deleteFailures += n; },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const reply = (res: ServerResponse, status: number, body = '') => {
    res.writeHead(status, {
      'x-mns-request-id': randomBytes(12).toString('hex').toUpperCase(), 'x-mns-version': '2015-06-06',
      'content-length': String(Buffer.byteLength(body)), ...(body && { 'content-type': 'text/xml;charset=utf-8' }),
    });
    res.end(body);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string, counted = true) => {
    if (counted) state.rejected.push(code);
    reply(res, status, `<?xml version="1.0" encoding="UTF-8"?><Error ${NS}><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
      `<RequestId>${randomBytes(12).toString('hex').toUpperCase()}</RequestId><HostId>${state.url}</HostId></Error>`);
  };

  /** The signature MNS would compute for what arrived; undefined when it matches. */
  const refusal = (req: EmulatorRequest): [number, string, string] | undefined => {
    const match = /^MNS ([^:]+):(.+)$/.exec(header(req, 'authorization') ?? '');
    if (!match) return [403, 'AccessDenied', 'Authorization must be "MNS <AccessKeyId>:<Signature>".'];
    if (match[1] !== accessKeyId) return [403, 'InvalidAccessKeyId', 'The access key id does not exist.'];
    if (options.securityToken !== undefined && header(req, 'security-token') !== options.securityToken) {
      return [403, 'AccessDenied', 'The security token is missing or wrong.'];
    }
    const date = header(req, 'x-mns-date') ?? header(req, 'date') ?? '';
    const at = Date.parse(date);
    if (!Number.isFinite(at) || Math.abs(Date.now() - at) > CLOCK_SKEW_MS) return [400, 'TimeExpired', 'The Date is missing or more than 15 minutes off.'];
    if (header(req, 'x-mns-version') !== '2015-06-06') return [400, 'InvalidArgument', 'x-mns-version must be 2015-06-06.'];
    const contentMd5 = header(req, 'content-md5');
    if (contentMd5 !== undefined && contentMd5 !== createHash('md5').update(req.body).digest('base64') &&
      contentMd5 !== Buffer.from(createHash('md5').update(req.body).digest('hex')).toString('base64')) {
      return [400, 'InvalidDigest', 'Content-MD5 does not match the body.'];
    }
    const resource = req.rawQuery ? `${req.rawPath}?${req.rawQuery}` : req.rawPath;
    const expected = mnsSignature(secret, {
      method: req.method, contentMd5: contentMd5 ?? '', contentType: header(req, 'content-type') ?? '', date: header(req, 'date') ?? date,
      headers: req.headers, resource,
    });
    return safeEqual(expected, match[2] ?? '') ? undefined : [403, 'SignatureDoesNotMatch', 'The request signature does not match.'];
  };

  const byHandle = (handle: string | null): FakeMnsMessage | undefined => {
    const now = Date.now();
    return state.messages.find((m) => m.handle !== undefined && m.handle === handle && m.visibleAt > now);
  };
  const newHandle = (m: FakeMnsMessage, hiddenForMs: number) => {
    m.handle = `${m.id}-${randomBytes(8).toString('hex')}`;
    m.visibleAt = Date.now() + hiddenForMs;
    return m.handle;
  };

  const handle = (req: EmulatorRequest, res: ServerResponse): void => {
    const path = /^\/queues\/([^/]+)\/messages$/.exec(req.rawPath);
    const refused = refusal(req);
    if (refused) return error(res, ...refused);
    if (!path) return error(res, 404, 'InvalidArgument', 'Not a message path of this fake.');
    if (decodeURIComponent(path[1]!) !== queueName) return error(res, 404, 'QueueNotExist', 'The queue does not exist.');

    if (req.method === 'GET') {
      const n = Number(req.query.get('numOfMessages') ?? '1');
      if (!Number.isInteger(n) || n < 1 || n > 16) return error(res, 400, 'InvalidArgument', 'numOfMessages must be 1-16.');
      const now = Date.now();
      const ready = state.messages.filter((m) => m.visibleAt <= now).slice(0, n);
      if (ready.length === 0) return error(res, 404, 'MessageNotExist', 'Message not exist.', false);
      const items = ready.map((m) => {
        const receipt = newHandle(m, visibilityMs);
        m.dequeueCount++;
        return `<Message><MessageId>${m.id}</MessageId><ReceiptHandle>${receipt}</ReceiptHandle>` +
          `<MessageBodyMD5>${createHash('md5').update(m.body).digest('hex').toUpperCase()}</MessageBodyMD5><MessageBody>${xmlEscape(m.body)}</MessageBody>` +
          `<EnqueueTime>${m.enqueueTime}</EnqueueTime><NextVisibleTime>${m.visibleAt}</NextVisibleTime><FirstDequeueTime>${now}</FirstDequeueTime>` +
          `<DequeueCount>${m.dequeueCount}</DequeueCount><Priority>8</Priority></Message>`;
      });
      return reply(res, 200, `<?xml version="1.0" encoding="UTF-8"?><Messages ${NS}>${items.join('')}</Messages>`);
    }
    if (req.method === 'PUT') {
      const seconds = Number(req.query.get('visibilityTimeout'));
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 43200) return error(res, 400, 'InvalidArgument', 'visibilityTimeout must be 1-43200.');
      const m = byHandle(req.query.get('receiptHandle'));
      if (!m) return error(res, 400, 'ReceiptHandleError', 'The receipt handle is invalid or expired.');
      const receipt = newHandle(m, seconds * 1000);
      return reply(res, 200, `<?xml version="1.0" encoding="UTF-8"?><ChangeVisibility ${NS}><ReceiptHandle>${receipt}</ReceiptHandle>` +
        `<NextVisibleTime>${m.visibleAt}</NextVisibleTime></ChangeVisibility>`);
    }
    if (req.method === 'DELETE') {
      const m = byHandle(req.query.get('ReceiptHandle'));
      if (!m) return error(res, 400, 'ReceiptHandleError', 'The receipt handle is invalid or expired.');
      if (deleteFailures > 0) {
        deleteFailures--;
        return error(res, 500, 'InternalError', 'Injected failure.', false);
      }
      state.messages.splice(state.messages.indexOf(m), 1);
      return reply(res, 204);
    }
    return error(res, 405, 'InvalidArgument', 'Method not supported by this fake.');
  };

  const server = createServer((req, res) => {
    void readRequest(req).then((request) => handle(request, res), () => error(res, 500, 'InternalError', 'The fake failed.'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.queueUrl = `${state.url}/queues/${queueName}`;
  return state;
}
