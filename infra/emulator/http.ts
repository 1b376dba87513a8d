/**
 * Plumbing shared by the three surfaces. Handlers compute a reply as a value instead of writing to
 * the socket, so a fault can apply a request and then drop the connection instead of answering.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EmulatorReply {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is; undefined as an empty body. */
  body?: unknown;
}

/** A parsed request, body read in full. */
export interface EmulatorRequest {
  method: string;
  /** Path without the query string, as sent (not decoded). */
  rawPath: string;
  /** The raw query string without '?'. */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024; // RAM's POST limit

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export async function readRequest(req: IncomingMessage): Promise<EmulatorRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawQuery = q >= 0 ? url.slice(q + 1) : '';
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath: q >= 0 ? url.slice(0, q) : url,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
}

export function header(req: EmulatorRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The media type of the request body, lowercased, without parameters. */
export function mediaType(req: EmulatorRequest): string {
  return (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Form fields of an `application/x-www-form-urlencoded` body, or none. */
export function formBody(req: EmulatorRequest): URLSearchParams {
  return mediaType(req) === 'application/x-www-form-urlencoded'
    ? new URLSearchParams(req.body.toString('utf8'))
    : new URLSearchParams();
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorReply {
  return { status, headers: { 'content-type': 'application/json;charset=utf-8', ...headers }, body };
}

export function writeReply(res: ServerResponse, reply: EmulatorReply): void {
  const payload =
    reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}
