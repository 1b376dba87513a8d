/**
 * What FC 3.0 writes to an MNS `onFailure` destination when an async invocation has used up its
 * retries ("Result callback" / 结果回调, help.aliyun.com/zh/functioncompute/user-guide/result-callback,
 * section 异步调用目标的事件内容):
 *
 *   { "timestamp": 1660120276975,
 *     "requestContext": { "requestId", "functionArn", "condition", "approximateInvokeCount" },
 *     "requestPayload": "<the original payload, as a string>",
 *     "responseContext": { "statusCode", "functionError" },
 *     "responsePayload": "<what the function answered, as a string>" }
 *
 * `condition` is FC's error code (e.g. FunctionResourceExhausted), `functionError` its error text,
 * and `responsePayload` the function's error (`{"errorMessage", "errorType"}` for a thrown error).
 * For push, `requestPayload` is a ChangeBatch.
 */
import * as z from 'zod';
import type { ChangeBatch } from '../../functions/lib/core/model';
import { maskText } from '../../functions/lib/core/redact';
import { parseChangeBatch } from '../../functions/lib/sync/messages';

export interface FcFailureRecord {
  batch: ChangeBatch;
  /** When FC gave up (ISO), from `timestamp`. */
  failedAt: string;
  attempts?: number;
  /** FC's condition and the function's error, masked and shortened: never a change's hint. */
  error: string;
}

const record = z.object({
  timestamp: z.number(),
  requestContext: z.object({
    requestId: z.string().optional(),
    functionArn: z.string().optional(),
    condition: z.string().optional(),
    approximateInvokeCount: z.number().optional(),
  }),
  requestPayload: z.string(),
  responseContext: z.object({ statusCode: z.number().optional(), functionError: z.string().optional() }).optional(),
  responsePayload: z.string().optional(),
});

/** A dead letter that cannot be read: its MNS message is reported and left in the queue. */
export class UnreadableRecordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreadableRecordError';
  }
}

const MAX_ERROR_CHARS = 200;

/**
 * @throws UnreadableRecordError when the body is not FC's record or its payload not a ChangeBatch
 * @example
 * parseFcFailureRecord(message.body).batch.id
 */
export function parseFcFailureRecord(body: string): FcFailureRecord {
  const parsed = record.safeParse(parseJson(body, 'the message'));
  if (!parsed.success) throw new UnreadableRecordError(`not an FC failure record (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message})`);
  const r = parsed.data;
  let batch: ChangeBatch;
  try {
    batch = parseChangeBatch(parseJson(r.requestPayload, 'requestPayload'));
  } catch (error) {
    if (error instanceof UnreadableRecordError) throw error;
    throw new UnreadableRecordError('requestPayload is not a change batch', { cause: error });
  }
  const when = new Date(r.timestamp);
  return {
    batch,
    failedAt: Number.isNaN(when.getTime()) ? String(r.timestamp) : when.toISOString(),
    ...(r.requestContext.approximateInvokeCount !== undefined && { attempts: r.requestContext.approximateInvokeCount }),
    error: describeError(r),
  };
}

/** MNS bodies are text; some senders base64-encode them, so a body that is not JSON is tried decoded. */
function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(text.trim()) ? Buffer.from(text.trim(), 'base64').toString('utf8') : '';
    try {
      if (decoded.trimStart().startsWith('{')) return JSON.parse(decoded) as unknown;
    } catch { /* reported below */ }
    throw new UnreadableRecordError(`${what} is not JSON`);
  }
}

function describeError(r: z.infer<typeof record>): string {
  const parts = [r.requestContext.condition, r.responseContext?.functionError, functionAnswer(r.responsePayload)]
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  const text = maskText([...new Set(parts)].join(': ') || 'no error given');
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

/** `errorType: errorMessage` of a thrown error's answer; anything else as sent. */
function functionAnswer(payload: string | undefined): string | undefined {
  if (!payload) return undefined;
  try {
    const answer = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof answer.errorMessage === 'string') return typeof answer.errorType === 'string' ? `${answer.errorType}: ${answer.errorMessage}` : answer.errorMessage;
  } catch { /* not JSON: as sent */ }
  return payload;
}
