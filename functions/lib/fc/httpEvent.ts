/**
 * The other side of FC's HTTP trigger, for the local stack and tests: turn an HTTP request into
 * the event FC would send, and FC's result back into status, headers and bytes. Follows FC's rules
 * (reference/fc.md §2.1): repeated keys comma-joined, a body that is not UTF-8 sent as base64.
 */
import { randomUUID } from 'node:crypto';
import type { FcHttpEvent, FcHttpResult } from './types';

export interface HttpRequestLike {
  method: string;
  /** Path and query as on the request line, e.g. `/wecom?msg_signature=…&timestamp=…`. */
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
  sourceIp?: string;
  requestId?: string;
}

export function buildFcHttpEvent(request: HttpRequestLike): FcHttpEvent {
  const url = new URL(request.url, 'http://localhost');
  const queryParameters: Record<string, string> = {};
  for (const [k, v] of url.searchParams) queryParameters[k] = k in queryParameters ? `${queryParameters[k]},${v}` : v;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const bytes = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : (request.body ?? Buffer.alloc(0));
  const text = bytes.toString('utf8');
  // FC base64-encodes bodies that are not text; UTF-8 that round-trips is sent as is.
  const isBase64Encoded = !Buffer.from(text, 'utf8').equals(bytes);
  let path = url.pathname;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    // A malformed escape stays as sent, like rawPath.
  }
  const userAgent = headers['user-agent'] ?? headers['User-Agent'];
  return {
    version: 'v1',
    rawPath: url.pathname,
    headers,
    queryParameters,
    body: isBase64Encoded ? bytes.toString('base64') : text,
    isBase64Encoded,
    requestContext: {
      requestId: request.requestId ?? randomUUID(),
      http: {
        method: request.method.toUpperCase(),
        path,
        protocol: 'HTTP/1.1',
        ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
        ...(userAgent ? { userAgent } : {}),
      },
    },
  };
}

export interface DecodedHttpResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * What an HTTP client gets for a handler's return value. A value without `statusCode` is sent
 * whole as a 200 body (JSON for objects), as FC does for event handlers.
 */
export function decodeFcHttpResult(result: unknown): DecodedHttpResult {
  const r = result as Partial<FcHttpResult> | undefined;
  if (r && typeof r === 'object' && typeof r.statusCode === 'number') {
    const body = typeof r.body === 'string' ? r.body : '';
    return {
      status: r.statusCode,
      headers: { ...(r.headers ?? {}) },
      body: r.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    };
  }
  if (Buffer.isBuffer(result)) return { status: 200, headers: {}, body: result };
  const text = typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result);
  return { status: 200, headers: {}, body: Buffer.from(text, 'utf8') };
}
