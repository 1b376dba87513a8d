import { errorToFcHttpResult, toFcHttpResult, toHttpRequest } from '../../../functions/lib/fc/http';
import { buildFcHttpEvent, decodeFcHttpResult } from '../../../functions/lib/fc/httpEvent';
import { HttpError, badRequest } from '../../../functions/lib/fc/errors';
import type { FcHttpEvent } from '../../../functions/lib/fc/types';

/** The event as FC documents it (reference/fc.md §2.1), canonical-case headers included. */
const fcEvent = (over: Partial<FcHttpEvent> = {}): FcHttpEvent => ({
  version: 'v1',
  rawPath: '/caf%C3%A9',
  body: 'Hello FC!',
  isBase64Encoded: false,
  headers: { 'Content-Type': 'text/plain', 'X-Custom': 'a', 'x-custom': 'b', header2: 'value1,value2' },
  queryParameters: { parameter1: 'value1', parameter2: 'value1,value2' },
  requestContext: {
    accountId: '123456', requestId: '1-64f6cd87-0001',
    http: { method: 'post', path: '/café', protocol: 'HTTP/1.1', sourceIp: '11.11.11.1', userAgent: 'PostmanRuntime/7.32.3' },
  },
  ...over,
});

describe('toHttpRequest', () => {
  it('reads the documented FC event: method, decoded path, lower-case headers, query and body', () => {
    const req = toHttpRequest(fcEvent());
    expect(req).toEqual({
      method: 'POST', path: '/café', sourceIp: '11.11.11.1',
      headers: { 'content-type': 'text/plain', 'x-custom': 'a,b', header2: 'value1,value2' },
      query: { parameter1: 'value1', parameter2: 'value1,value2' },
      rawBody: Buffer.from('Hello FC!'), body: 'Hello FC!',
    });
  });

  it('decodes a base64 body to the exact bytes', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x80, 0x7f, 0xc0]);
    const req = toHttpRequest(fcEvent({ body: bytes.toString('base64'), isBase64Encoded: true }));
    expect(req.rawBody.equals(bytes)).toBe(true);
  });

  it('copes with a missing body, query and decoded path', () => {
    const e = fcEvent({ body: undefined, queryParameters: undefined });
    e.requestContext.http.path = '';
    const req = toHttpRequest(e);
    expect([req.body, req.query, req.path]).toEqual(['', {}, '/café']);
  });

  it('refuses events that are not HTTP events, and bodies over the limit', () => {
    expect(() => toHttpRequest({ triggerName: 't' })).toThrow(HttpError);
    expect(() => toHttpRequest(undefined)).toThrow(/HTTP trigger events only/);
    const big = Buffer.alloc(101, 1).toString('base64');
    expect(() => toHttpRequest(fcEvent({ body: big, isBase64Encoded: true }), { maxBodyBytes: 100 })).toThrow(expect.objectContaining({ status: 413 }));
    expect(toHttpRequest(fcEvent({ body: Buffer.alloc(100, 1).toString('base64'), isBase64Encoded: true }), { maxBodyBytes: 100 }).rawBody).toHaveLength(100);
  });
});

describe('toFcHttpResult', () => {
  it('keeps a content-type the handler set, in any case', () => {
    expect(toFcHttpResult({ status: 200, headers: { 'Content-Type': 'text/xml' }, body: '<xml/>' }))
      .toEqual({ statusCode: 200, headers: { 'content-type': 'text/xml' }, body: '<xml/>' });
  });

  it('refuses a status outside 100..599', () => {
    expect(() => toFcHttpResult({ status: 700 })).toThrow(TypeError);
  });
});

describe('errorToFcHttpResult', () => {
  it('shows an exposed error and hides an unexposed one, with the request id in both', () => {
    expect(JSON.parse(errorToFcHttpResult(badRequest('missing timestamp'), 'r1').body))
      .toEqual({ error: 'bad_request', message: 'missing timestamp', requestId: 'r1' });
    const hidden = new HttpError(409, 'conflict', 'row 7 of /var/db', { expose: false });
    expect(JSON.parse(errorToFcHttpResult(hidden, 'r2').body)).toEqual({ error: 'conflict', requestId: 'r2' });
    const other = errorToFcHttpResult(new TypeError('x is undefined'), 'r3');
    expect([other.statusCode, JSON.parse(other.body)]).toEqual([500, { error: 'internal_error', requestId: 'r3' }]);
  });
});

describe('buildFcHttpEvent and decodeFcHttpResult (the local side of the trigger)', () => {
  it('sends UTF-8 bodies as text and anything else as base64, and round-trips through toHttpRequest', () => {
    const text = buildFcHttpEvent({ method: 'post', url: '/lark?a=1&a=2&b=%E4%B8%AD', headers: { 'x-k': ['1', '2'] }, body: '{"中":1}' });
    expect(text).toMatchObject({ isBase64Encoded: false, body: '{"中":1}', queryParameters: { a: '1,2', b: '中' }, headers: { 'x-k': '1,2' } });
    const bytes = Buffer.from([0xe4, 0xb8, 0x41, 0xff]);
    const binary = buildFcHttpEvent({ method: 'POST', url: '/x', body: bytes });
    expect(binary.isBase64Encoded).toBe(true);
    const req = toHttpRequest(JSON.parse(JSON.stringify(binary)));
    expect(req.rawBody.equals(bytes)).toBe(true);
  });

  it('turns a result back into status, headers and bytes, and a plain value into a 200 body', () => {
    expect(decodeFcHttpResult({ statusCode: 201, headers: { a: 'b' }, body: 'AP8=', isBase64Encoded: true }))
      .toEqual({ status: 201, headers: { a: 'b' }, body: Buffer.from([0, 255]) });
    expect(decodeFcHttpResult({ ok: true }).body.toString()).toBe('{"ok":true}');
  });
});
