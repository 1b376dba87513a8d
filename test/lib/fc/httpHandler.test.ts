import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { HttpError, serviceUnavailable, unauthorized } from '../../../functions/lib/fc/errors';
import { httpHandler } from '../../../functions/lib/fc/handlers';
import type { HttpRequest, HttpResponse } from '../../../functions/lib/fc/http';
import { serveFc } from './fcServer';
import { captureLogger } from './logSink';

/** Sends raw bytes and repeated headers exactly as given, which fetch would normalise. */
function send(url: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('httpHandler', () => {
  let seen: HttpRequest[] = [];
  let answer: (req: HttpRequest) => Promise<HttpResponse> = async () => ({ status: 200 });
  const captured = captureLogger();
  const handler = httpHandler('test-webhook', async (req) => {
    seen.push(req);
    captured.log.info('handling', { path: req.path });
    return answer(req);
  }, { logger: captured.log, maxBodyBytes: 64 * 1024 });
  let server: Awaited<ReturnType<typeof serveFc>>;

  beforeAll(async () => {
    server = await serveFc(handler);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    seen = [];
    captured.lines.length = 0;
    answer = async () => ({ status: 200 });
  });

  it('hands over the body bytes exactly, non-UTF-8 bytes included, so signatures can hash them', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]), Buffer.from('签名 ok', 'utf8'), Buffer.from([0xe4, 0xb8])]);
    answer = async (req) => ({ status: 200, body: { sha256: createHash('sha256').update(req.rawBody).digest('hex'), length: req.rawBody.length } });
    const res = await send(`${server.url}/lark`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length });
    expect(seen[0]!.rawBody.equals(bytes)).toBe(true);
  });

  it('decodes a UTF-8 body both as bytes and as text', async () => {
    const json = JSON.stringify({ encrypt: '加密的内容', n: 1 });
    await send(`${server.url}/dingtalk`, { body: json, headers: { 'content-type': 'application/json' } });
    expect(seen[0]!.body).toBe(json);
    expect(seen[0]!.rawBody.equals(Buffer.from(json, 'utf8'))).toBe(true);
  });

  it('gives headers lower-case keys with repeated values comma-joined, and the query decoded', async () => {
    await send(`${server.url}/wecom?msg_signature=abc&timestamp=1700000000&echostr=a%2Bb%3D%3D&tag=1&tag=2`, {
      method: 'GET', headers: { 'X-Lark-Signature': 'sig', 'X-Forwarded-For': ['1.1.1.1', '2.2.2.2'] },
    });
    const req = seen[0]!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/wecom');
    expect(req.headers['x-lark-signature']).toBe('sig');
    expect(req.headers['x-forwarded-for']).toBe('1.1.1.1,2.2.2.2');
    expect(Object.keys(req.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(req.query).toEqual({ msg_signature: 'abc', timestamp: '1700000000', echostr: 'a+b==', tag: '1,2' });
    expect(req.sourceIp).toBe('127.0.0.1');
    expect(req.rawBody.length).toBe(0);
  });

  it('answers any status with plain text, XML, JSON or bytes', async () => {
    answer = async () => ({ status: 200, body: 'success' });
    let res = await send(`${server.url}/wecom`, {});
    expect([res.status, res.headers['content-type'], res.body.toString()]).toEqual([200, 'text/plain; charset=utf-8', 'success']);

    const xml = '<xml><Encrypt><![CDATA[密文]]></Encrypt></xml>';
    answer = async () => ({ status: 202, headers: { 'Content-Type': 'application/xml' }, body: xml });
    res = await send(`${server.url}/wecom`, {});
    expect([res.status, res.headers['content-type'], res.body.toString()]).toEqual([202, 'application/xml', xml]);

    answer = async () => ({ status: 200, body: { challenge: 'c-1' } });
    res = await send(`${server.url}/lark`, {});
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body.toString())).toEqual({ challenge: 'c-1' });

    answer = async () => ({ status: 200, body: Buffer.from([0, 255, 1]) });
    res = await send(`${server.url}/bin`, {});
    expect(res.body.equals(Buffer.from([0, 255, 1]))).toBe(true);

    answer = async () => ({ status: 204 });
    res = await send(`${server.url}/x`, {});
    expect([res.status, res.body.length]).toEqual([204, 0]);
  });

  it('answers an HttpError under 500 with its status, code and message, and logs it as a warning', async () => {
    answer = async () => {
      throw unauthorized('the signature does not match the body', 'invalid_signature');
    };
    const res = await send(`${server.url}/dingtalk?signature=s3cr3t`, { body: '{}' });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body.toString())).toEqual({
      error: 'invalid_signature', message: 'the signature does not match the body', requestId: server.requestIds.at(-1),
    });
    const refused = captured.lines.find((l) => l.msg === 'request refused');
    expect(refused).toMatchObject({ level: 'warn', status: 401, method: 'POST', path: '/dingtalk', error: { code: 'invalid_signature' } });
    expect(JSON.stringify(captured.lines)).not.toContain('s3cr3t');
  });

  it('answers anything else with a bare 500 and the request id, and logs the detail', async () => {
    answer = async () => {
      throw new Error('SQLITE_BUSY at /var/data/queue.db for alice@corp.example');
    };
    const res = await send(`${server.url}/lark`, { body: '{}' });
    expect(res.status).toBe(500);
    const requestId = server.requestIds.at(-1);
    expect(JSON.parse(res.body.toString())).toEqual({ error: 'internal_error', requestId });
    expect(res.body.toString()).not.toContain('SQLITE');
    const failed = captured.lines.find((l) => l.msg === 'invocation failed');
    expect(failed).toMatchObject({ level: 'error', status: 500, requestId, error: { name: 'Error', message: expect.stringContaining('SQLITE_BUSY') } });
    expect(failed!.error.message).not.toContain('alice@corp.example');
  });

  it('keeps the status of a 5xx HttpError but hides its message, so the platform retries', async () => {
    answer = async () => {
      throw serviceUnavailable('queue write failed: connection refused by 10.0.0.5');
    };
    const res = await send(`${server.url}/wecom`, { body: '<xml/>' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString())).toEqual({ error: 'service_unavailable', requestId: server.requestIds.at(-1) });
  });

  it('adds the headers an HttpError carries', async () => {
    answer = async () => {
      throw new HttpError(405, 'method_not_allowed', 'use POST', { headers: { Allow: 'POST' } });
    };
    const res = await send(`${server.url}/lark`, { method: 'PUT' });
    expect([res.status, res.headers.allow]).toEqual([405, 'POST']);
  });

  it('refuses a body over the limit with 413 before calling the handler', async () => {
    const res = await send(`${server.url}/lark`, { body: Buffer.alloc(64 * 1024 + 1, 0xff) });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'payload_too_large' });
    expect(seen).toEqual([]);
  });

  it('tags every line of an invocation with its request id, and logs start and end with the duration', async () => {
    await send(`${server.url}/dingtalk`, { body: '{}' });
    const requestId = server.requestIds.at(-1);
    expect(captured.lines.map((l) => l.msg)).toEqual(['invocation start', 'handling', 'invocation end']);
    expect(captured.lines.every((l) => l.requestId === requestId && l.function === 'test-fn')).toBe(true);
    expect(captured.lines[2]).toMatchObject({ method: 'POST', path: '/dingtalk', status: 200, durationMs: expect.any(Number) });
  });

  it('answers 400 to an invocation that is not an HTTP event, and 500 to a handler returning nonsense', async () => {
    const direct = await handler(Buffer.from('{"triggerName":"t"}'), { requestId: 'r-direct' });
    expect(direct.statusCode).toBe(400);
    expect(JSON.parse(direct.body)).toMatchObject({ error: 'invalid_event', requestId: 'r-direct' });
    const garbage = await handler(Buffer.from('not json'), { requestId: 'r-garbage' });
    expect(garbage.statusCode).toBe(400);

    answer = async () => ({ status: 42 } as HttpResponse);
    const res = await send(`${server.url}/x`, {});
    expect(res.status).toBe(500);
  });
});
