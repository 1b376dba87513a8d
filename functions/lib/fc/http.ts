/**
 * The HTTP trigger, as a handler sees it: `HttpRequest` in (raw body bytes exactly as sent, so
 * webhook signatures can hash them; headers with lower-case keys; query parameters), and
 * `HttpResponse` out (any status, any body). These functions convert from and to FC's shapes.
 */
import { badRequest, isHttpError, payloadTooLarge } from './errors';
import type { HttpRequest, HttpResponse } from '../core/http';
import type { FcHttpEvent, FcHttpResult } from './types';

export type { HttpRequest, HttpResponse } from '../core/http';

/** Webhook payloads are a few KB; refuse anything far larger before decoding it. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface ToHttpRequestOptions {
  maxBodyBytes?: number;
}

/**
 * @throws HttpError 400 when `event` is not an HTTP trigger event, 413 when the body is too large
 */
export function toHttpRequest(event: unknown, options: ToHttpRequestOptions = {}): HttpRequest {
  const e = event as Partial<FcHttpEvent> | undefined;
  const http = e?.requestContext?.http;
  if (!e || typeof e !== 'object' || !http || typeof http.method !== 'string') {
    throw badRequest('this function answers HTTP trigger events only', 'invalid_event');
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const text = typeof e.body === 'string' ? e.body : '';
  // Checked on the encoded size first so an oversized body is never decoded.
  const encodedBytes = e.isBase64Encoded ? Math.floor((text.length * 3) / 4) : Buffer.byteLength(text);
  if (encodedBytes > limit + 2) throw payloadTooLarge(limit);
  const rawBody = e.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  if (rawBody.length > limit) throw payloadTooLarge(limit);
  return {
    method: http.method.toUpperCase(),
    path: typeof http.path === 'string' && http.path ? http.path : decodePath(e.rawPath),
    headers: lowerCaseKeys(e.headers),
    query: stringValues(e.queryParameters),
    rawBody,
    body: rawBody.toString('utf8'),
    ...(http.sourceIp ? { sourceIp: http.sourceIp } : {}),
  };
}

function decodePath(rawPath: unknown): string {
  if (typeof rawPath !== 'string' || rawPath === '') return '/';
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

/** Merges keys that differ only in case, joining their values with commas. */
export function lowerCaseKeys(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(stringValues(headers))) {
    const k = key.toLowerCase();
    out[k] = out[k] === undefined ? value : `${out[k]},${value}`;
  }
  return out;
}

function stringValues(record: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!record || typeof record !== 'object') return out;
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

/** A handler's answer in FC's shape. */
export function toFcHttpResult(response: HttpResponse): FcHttpResult {
  const status = response?.status;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new TypeError(`an HTTP handler answered with status ${String(status)}; expected 100..599`);
  }
  const headers = lowerCaseKeys(response.headers);
  const body = response.body;
  const withType = (type: string): Record<string, string> => ({ 'content-type': type, ...headers });
  if (body === undefined || body === null) return { statusCode: status, headers, body: '' };
  if (typeof body === 'string') return { statusCode: status, headers: withType('text/plain; charset=utf-8'), body };
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    return {
      statusCode: status,
      headers: withType('application/octet-stream'),
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    };
  }
  return { statusCode: status, headers: withType('application/json; charset=utf-8'), body: JSON.stringify(body) };
}

/**
 * A failure as an answer. An exposed `HttpError` (by default any under 500) shows its code and
 * message; any other error shows only a code and the request id, to quote when reporting it.
 */
export function errorToFcHttpResult(error: unknown, requestId: string): FcHttpResult {
  if (isHttpError(error)) {
    const body = error.expose
      ? { error: error.code, message: error.message, requestId }
      : { error: error.code, requestId };
    return toFcHttpResult({ status: error.status, headers: error.headers, body });
  }
  return toFcHttpResult({ status: 500, body: { error: 'internal_error', requestId } });
}
