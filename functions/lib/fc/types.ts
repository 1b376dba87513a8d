/**
 * The shapes Function Compute 3.0 hands a built-in Node.js runtime (reference/fc.md §2):
 * every trigger calls `handler(event: Buffer, context)`; an HTTP trigger's Buffer holds the JSON
 * HTTP event below and expects an `FcHttpResult` back; a timer's holds an `FcTimerEvent`.
 */
import type { CloudCredentials } from '../core/ports';


/** The second handler argument. `credentials` is `{}` when the function has no role. */
export interface FcContext {
  requestId: string;
  region?: string;
  accountId?: string;
  credentials?: Partial<CloudCredentials>;
  function?: { name: string; handler?: string; memory?: number; timeout?: number };
  /** Async invocations: 0 on the first attempt, then 1, 2, … on FC's retries. */
  retryCount?: number;
}

/**
 * The HTTP trigger event. A header or query key sent several times arrives once, its values joined
 * with commas; a binary body arrives base64-encoded with `isBase64Encoded: true`.
 */
export interface FcHttpEvent {
  version: string;
  /** URL-encoded; `requestContext.http.path` is the decoded path. */
  rawPath: string;
  headers: Record<string, string>;
  queryParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: {
    requestId?: string;
    accountId?: string;
    http: { method: string; path: string; protocol?: string; sourceIp?: string; userAgent?: string };
  };
}

/** What an HTTP-triggered function returns; FC turns it into the HTTP answer. */
export interface FcHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

/** The timer trigger event; `payload` is the trigger's configured string, if any. */
export interface FcTimerEvent {
  triggerTime: string;
  triggerName: string;
  payload?: string;
}
