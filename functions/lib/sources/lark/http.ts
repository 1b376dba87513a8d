/**
 * One HTTP exchange with Lark's open-apis, and the translation of its answer: Lark answers
 * `{code, msg, data}`, code 0 meaning success, with throttling as HTTP 429 (or 400) and code
 * 99991400. Retrying is the caller's job (`LarkApi`); this says what happened.
 */
import { maskText } from '../../core/redact';
import { LARK_CODES, RATE_LIMIT_RESET_HEADER } from './constants';

export interface LarkAnswer {
  status: number;
  code: number;
  msg: string;
  data: Record<string, unknown>;
  /** Seconds from `x-ogw-ratelimit-reset`, when sent. */
  resetSeconds?: number;
  /** The whole JSON body: the token endpoint puts its fields at the top level. */
  body: Record<string, unknown>;
}

export type Outcome =
  | { kind: 'answer'; answer: LarkAnswer }
  | { kind: 'failure'; reason: string; retryable: boolean; status?: number; code?: number; resetSeconds?: number; cause?: unknown };

export interface ExchangeInit {
  method: 'GET' | 'POST';
  url: string;
  token?: string;
  json?: unknown;
  timeoutMs: number;
}

/** Performs the request; never throws. */
export async function exchange(init: ExchangeInit): Promise<Outcome> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(init.url, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.json !== undefined && { 'content-type': 'application/json; charset=utf-8' }),
        ...(init.token && { authorization: `Bearer ${init.token}` }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timeout = (error as Error)?.name === 'TimeoutError';
    return { kind: 'failure', reason: timeout ? `no answer within ${init.timeoutMs} ms` : 'network error', retryable: true, cause: error };
  }
  const resetSeconds = parseReset(response.headers.get(RATE_LIMIT_RESET_HEADER));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A gateway's HTML error page: worth retrying when the status says the server failed.
    return { kind: 'failure', reason: `HTTP ${response.status} without a JSON body`, retryable: response.status >= 500 || response.status === 429, status: response.status, resetSeconds };
  }
  const record = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {};
  const code = typeof record.code === 'number' ? record.code : response.ok ? LARK_CODES.ok : -1;
  const msg = typeof record.msg === 'string' ? maskText(record.msg).slice(0, 200) : '';
  const data = typeof record.data === 'object' && record.data !== null ? record.data as Record<string, unknown> : {};
  return { kind: 'answer', answer: { status: response.status, code, msg, data, resetSeconds, body: record } };
}

function parseReset(value: string | null): number | undefined {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}
