/**
 * One signed Alibaba Cloud OpenAPI request over `fetch`: the two calls this product makes (FC 3.0
 * InvokeFunction, RAM's RPC actions) need only signature V3 and an HTTP exchange, not the generated
 * SDKs, which with their runtime (credentials, XML, proxies, lodash, moment) were most of every bundle
 * and of its cold start. No retries here: each adapter retries under its own policy.
 */
import type { CloudCredentials } from '../core/ports';
import { OpenApiError, OpenApiNetworkError, OpenApiTimeoutError } from './errors';
import { canonicalQuery, signV3 } from './signature';

export interface OpenApiCall {
  protocol: 'http' | 'https';
  /** host[:port], signed as the `host` header. */
  host: string;
  action: string;
  version: string;
  method?: 'POST' | 'GET';
  /** Percent-encoded path; `/` for RPC. */
  path?: string;
  /** RPC parameters, or ROA query parameters; undefined values are left out. */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  headers?: Readonly<Record<string, string>>;
  body?: Uint8Array;
  /** Sent and signed when there is a body. */
  contentType?: string;
  credentials: CloudCredentials;
  /** Whole exchange, connect to last byte. */
  timeoutMs: number;
}

export interface OpenApiAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * @throws OpenApiError for a 4xx/5xx answer, OpenApiTimeoutError, or OpenApiNetworkError when the
 *   connection failed or closed without an answer
 * @example
 * const answer = await callOpenApi({ protocol: 'https', host: 'ram.aliyuncs.com', action: 'ListGroups',
 *   version: '2015-05-01', query: { MaxItems: 100 }, credentials, timeoutMs: 10_000 });
 * JSON.parse(answer.body.toString('utf8')).Groups.Group;
 */
export async function callOpenApi(call: OpenApiCall): Promise<OpenApiAnswer> {
  const method = call.method ?? 'POST';
  const path = call.path ?? '/';
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) query[k] = String(v);
  const body = call.body ?? new Uint8Array();
  const headers = signV3({
    method, path, query, body,
    headers: {
      host: call.host, 'x-acs-action': call.action, 'x-acs-version': call.version, accept: 'application/json',
      ...(call.body && call.contentType && { 'content-type': call.contentType }),
      ...call.headers,
    },
  }, call.credentials);
  const search = canonicalQuery(query);
  const url = `${call.protocol}://${call.host}${path}${search ? `?${search}` : ''}`;
  let response: Response;
  let received: Buffer;
  try {
    response = await fetch(url, { method, headers, body: call.body, signal: AbortSignal.timeout(call.timeoutMs) });
    received = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if ((error as { name?: unknown })?.name === 'TimeoutError') throw new OpenApiTimeoutError(call.timeoutMs, { cause: error });
    throw new OpenApiNetworkError(error);
  }
  if (response.status >= 400) {
    const retryAfter = Number.parseInt(response.headers.get('x-acs-retry-after') ?? '', 10);
    throw new OpenApiError({ statusCode: response.status, data: errorBody(received), retryAfter: Number.isNaN(retryAfter) ? undefined : retryAfter });
  }
  return { status: response.status, headers: response.headers, body: received };
}

/** The JSON error body, or none when a proxy answered with HTML or XML. */
function errorBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' ? parsed as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/**
 * Splits an endpoint setting into protocol and host[:port]. A bare host means https, except a
 * loopback address: the emulator or a test fake, which speak plain HTTP.
 *
 * @example
 * parseEndpoint('127.0.0.1:9100'); // { protocol: 'http', host: '127.0.0.1:9100' }
 */
export function parseEndpoint(endpoint: string): { protocol: 'http' | 'https'; host: string } {
  const match = /^(https?):\/\/([^/]+)\/?$/i.exec(endpoint.trim());
  if (match) return { protocol: match[1]!.toLowerCase() as 'http' | 'https', host: match[2]! };
  const host = endpoint.trim().replace(/\/+$/, '');
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i.test(host);
  return { protocol: loopback ? 'http' : 'https', host };
}
