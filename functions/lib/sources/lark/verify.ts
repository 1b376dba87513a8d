/**
 * Opening a webhook request: check the signature and its age (with an Encrypt Key), decrypt, and
 * check the verification token. Everything refused here is answered 4xx and never enqueued.
 */
import { timingSafeEqual } from 'node:crypto';
import { withinReplayWindow } from '../replayWindow';
import type { LarkWebhookConfig } from './webhookConfig';
import { LARK_HEADERS } from './constants';
import { LarkCipher, larkSignature, signatureMatches } from './crypto';
import { LarkWebhookError } from './errors';

export type JsonObject = Record<string, unknown>;

export interface LarkRequestLike {
  /** Lower-case keys. */
  headers: Record<string, string>;
  /** The body bytes exactly as received: the signature covers them. */
  rawBody: Buffer;
}

export interface OpenedRequest {
  /** The decrypted (or plaintext) JSON body. */
  payload: JsonObject;
  /** Whether the signature headers were present and verified. */
  signed: boolean;
}

/** Per-key state built once (the cipher hashes the key), then reused for every request. */
export interface RequestOpener {
  open(request: LarkRequestLike, nowMs?: number): OpenedRequest;
}

/**
 * @example
 * const opener = createRequestOpener(config);
 * const { payload } = opener.open(req); // throws LarkWebhookError
 */
export function createRequestOpener(config: LarkWebhookConfig): RequestOpener {
  const cipher = config.encryptKey ? new LarkCipher(config.encryptKey) : undefined;
  const token = Buffer.from(config.verificationToken, 'utf8');
  return {
    open(request, nowMs = Date.now()) {
      const body = parseObject(request.rawBody.toString('utf8'), 'the body is not a JSON object');
      if (!cipher && typeof body.encrypt === 'string') {
        // Lark encrypts because the app has an Encrypt Key we were not given: say so rather than "no token".
        throw new LarkWebhookError('malformed', 'the body is encrypted but LARK_ENCRYPT_KEY is not set');
      }
      const opened = cipher ? openEncrypted(body, request, cipher, config, nowMs) : { payload: body, signed: false };
      checkToken(opened.payload, token);
      return opened;
    },
  };
}

function openEncrypted(
  body: JsonObject, request: LarkRequestLike, cipher: LarkCipher, config: LarkWebhookConfig, nowMs: number,
): OpenedRequest {
  if (typeof body.encrypt !== 'string') {
    throw new LarkWebhookError('encryption_required', 'an Encrypt Key is configured, so the body must be {"encrypt": …}');
  }
  const signed = checkSignature(request, config.encryptKey!, config.maxAgeSeconds, nowMs);
  let payload: JsonObject;
  try {
    payload = parseObject(cipher.decrypt(body.encrypt), 'the decrypted body is not a JSON object');
  } catch (error) {
    // Signed by the key holder but unreadable: malformed. Unsigned and unreadable: not from Lark.
    if (signed) throw new LarkWebhookError('malformed', (error as Error).message, { cause: error });
    throw new LarkWebhookError('undecryptable', 'the request is unsigned and does not decrypt under the Encrypt Key', { cause: error });
  }
  // Lark leaves the URL-verification request unsigned; decrypting it and its token authenticate it.
  if (!signed && payload.type !== 'url_verification') {
    throw new LarkWebhookError('missing_signature', 'events must carry X-Lark-Signature, -Request-Timestamp and -Request-Nonce');
  }
  return { payload, signed };
}

/** True when signed and valid; false when no signature header at all was sent. */
function checkSignature(request: LarkRequestLike, encryptKey: string, maxAgeSeconds: number, nowMs: number): boolean {
  const timestamp = request.headers[LARK_HEADERS.timestamp];
  const nonce = request.headers[LARK_HEADERS.nonce];
  const signature = request.headers[LARK_HEADERS.signature];
  if (timestamp === undefined && nonce === undefined && signature === undefined) return false;
  if (timestamp === undefined || nonce === undefined || signature === undefined) {
    throw new LarkWebhookError('missing_signature', 'X-Lark-Signature, -Request-Timestamp and -Request-Nonce must be sent together');
  }
  const expected = larkSignature(timestamp, nonce, encryptKey, request.rawBody);
  if (!signatureMatches(expected, signature)) {
    throw new LarkWebhookError('invalid_signature', 'X-Lark-Signature does not match the body');
  }
  // Checked after the signature, which covers the timestamp, so a forger cannot probe the clock.
  if (!withinReplayWindow(timestamp, maxAgeSeconds, nowMs)) {
    throw new LarkWebhookError('stale_request', `X-Lark-Request-Timestamp is more than ${maxAgeSeconds} s from now`);
  }
  return true;
}

/** v2 events carry the token in `header.token`; v1 events and URL verification at the top level. */
function checkToken(payload: JsonObject, expected: Buffer): void {
  const header = payload.header;
  const received = payload.schema === undefined ? payload.token : isObject(header) ? header.token : undefined;
  if (typeof received !== 'string' || received === '') {
    throw new LarkWebhookError('missing_token', 'the event carries no verification token');
  }
  const got = Buffer.from(received, 'utf8');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    throw new LarkWebhookError('invalid_token', 'the verification token does not match LARK_VERIFICATION_TOKEN');
  }
}

function parseObject(text: string, problem: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LarkWebhookError('malformed', problem, { cause: error });
  }
  if (!isObject(value)) throw new LarkWebhookError('malformed', problem);
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
