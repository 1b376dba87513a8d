/**
 * The WeCom callback as one use case (reference/webhooks.md §3.1): GET is the URL check (verify,
 * decrypt `echostr`, answer its plaintext exactly); POST is an event (verify the signature over
 * `<Encrypt>`, refuse it outside the replay window, decrypt, check the ReceiveId is our CorpID, map,
 * enqueue once per signed request, answer 200). No vendor API call happens here: WeCom waits 1 s
 * for the URL check and 5 s for events.
 *
 * WeCom retries an event only when the answer times out or the connection fails, three times
 * (doc 90930 §3.2): a quick 5xx would be taken as delivered. So when the changes cannot be
 * enqueued, the answer is held past WeCom's 5 s: WeCom counts a timeout and sends the same request
 * again. The function's timeout (s.yaml) must exceed the hold.
 */
import type { ChangeQueue, Logger } from '../../core/ports';
import {
  badRequest, forbidden, methodNotAllowed, payloadTooLarge, serviceUnavailable, unauthorized, type HttpRequest, type HttpResponse,
} from '../../core/http';

import { realSleep } from '../../core/retryPolicy';
import { type MsgCrypt, MsgCryptError } from '../msgcrypt';
import type { RecentEvents } from '../recentEvents';
import { withinReplayWindow } from '../replayWindow';
import { enqueueChanges } from '../webhookEnqueue';
import { WecomEventError } from './errors';
import { changesFromEvent } from './events';
import { MAX_XML_BYTES, parseWecomXml, xmlText } from './xml';

export interface WecomCallbackDeps {
  /** Built once from WECOM_TOKEN, WECOM_AES_KEY and WECOM_CORP_ID. */
  crypt: MsgCrypt;
  /** The only ReceiveId accepted: the contact assistant and self-built apps encrypt for the CorpID. */
  corpId: string;
  queue: ChangeQueue;
  log: Logger;
  /** How far an event's signed timestamp may be from now (`WEBHOOK_MAX_AGE_SECONDS`). */
  maxAgeSeconds: number;
  /** Signed requests this instance already enqueued; a cheap check before the queue's dedupe key. */
  recent?: RecentEvents;
  /** How long after receipt a failed enqueue is answered; default `FAILURE_HOLD_MS`. */
  failureHoldMs?: number;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** WeCom drops the connection after 5 s without an answer and sends the request again (doc 90930 §3.2). */
export const WECOM_EVENT_DEADLINE_MS = 5_000;
/** A failed enqueue is answered no sooner than this after receipt: past the deadline, with margin. */
export const FAILURE_HOLD_MS = WECOM_EVENT_DEADLINE_MS + 1_000;

/** Bodies above this are answered 413 by the handler before decoding; the XML limit matches. */
export const MAX_CALLBACK_BODY_BYTES = MAX_XML_BYTES;

// Generous caps: WeCom sends a 10-digit timestamp, a short nonce and a ~100-character echostr.
const PARAM_LIMITS = { msg_signature: 64, timestamp: 32, nonce: 128, echostr: 8192 } as const;
type Param = keyof typeof PARAM_LIMITS;

/**
 * @example
 * export const handler = httpHandler('wecom-webhook', (req) => receiveWecomCallback(req, deps));
 */
export async function receiveWecomCallback(req: HttpRequest, deps: WecomCallbackDeps): Promise<HttpResponse> {
  if (req.method === 'GET') return verifyUrl(req, deps);
  if (req.method === 'POST') return receiveEvent(req, deps);
  throw methodNotAllowed(['GET', 'POST']);
}

function verifyUrl(req: HttpRequest, deps: WecomCallbackDeps): HttpResponse {
  const q = params(req, ['msg_signature', 'timestamp', 'nonce', 'echostr']);
  const plaintext = open(deps, q.msg_signature, q.timestamp, q.nonce, q.echostr);
  deps.log.info('wecom callback URL verified');
  // Exactly the plaintext: WeCom compares the bytes, so no quotes, newline or BOM.
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: plaintext };
}

async function receiveEvent(req: HttpRequest, deps: WecomCallbackDeps): Promise<HttpResponse> {
  const now = deps.now ?? Date.now;
  const receivedAt = now();
  const q = params(req, ['msg_signature', 'timestamp', 'nonce']);
  const encrypted = refusingMalformed('body', () => xmlText(parseWecomXml(req.body), 'Encrypt'));
  if (encrypted === undefined) throw badRequest('the body has no <Encrypt> element', 'missing_encrypt');
  const message = open(deps, q.msg_signature, q.timestamp, q.nonce, encrypted);
  // After the signature, which covers the timestamp. The GET URL check enqueues nothing and is not bounded.
  if (!withinReplayWindow(q.timestamp, deps.maxAgeSeconds, receivedAt)) {
    throw unauthorized(`the timestamp is more than ${deps.maxAgeSeconds} s from now`, 'stale_request');
  }
  const outcome = refusingMalformed('decrypted event', () => changesFromEvent(parseWecomXml(message)));
  if (outcome.kind === 'ignored') {
    deps.log.info('wecom callback acknowledged without changes', { what: outcome.what });
    return { status: 200, body: '' };
  }
  // WeCom's retry is the very same request: signature, timestamp and nonce name it.
  const dedupeKey = `wecom\n${q.msg_signature}\n${q.timestamp}\n${q.nonce}`;
  if (deps.recent?.has(dedupeKey)) {
    deps.log.info('wecom callback repeated', { changeType: outcome.changeType });
    return { status: 200, body: '' };
  }
  try {
    await enqueueChanges(outcome.changes, dedupeKey, deps);
  } catch (error) {
    await (deps.sleep ?? realSleep)(Math.max(0, (deps.failureHoldMs ?? FAILURE_HOLD_MS) - (now() - receivedAt)));
    throw serviceUnavailable('the changes could not be enqueued', error);
  }
  deps.recent?.add(dedupeKey);
  deps.log.info('wecom changes enqueued', { changeType: outcome.changeType, count: outcome.changes.length });
  return { status: 200, body: '' };
}

function params<K extends Param>(req: HttpRequest, names: readonly K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    let value = req.query[name];
    if (value === undefined || value === '') throw badRequest(`the query parameter ${name} is required`, 'missing_parameter');
    if (value.length > PARAM_LIMITS[name]) throw badRequest(`the query parameter ${name} is too long`, 'invalid_parameter');
    // base64 has no spaces: a '+' that reached us unescaped was decoded as a space on the way.
    if (name === 'echostr') value = value.replace(/ /g, '+');
    out[name] = value;
  }
  return out;
}

function open(deps: WecomCallbackDeps, signature: string, timestamp: string, nonce: string, encrypted: string): string {
  try {
    return deps.crypt.open(signature, timestamp, nonce, encrypted, [deps.corpId]);
  } catch (error) {
    if (!(error instanceof MsgCryptError)) throw error;
    if (error.reason === 'signature') throw unauthorized('the signature does not match', 'invalid_signature', error);
    if (error.reason === 'receiveId') throw forbidden('the message is not addressed to this CorpID', 'wrong_receiver', error);
    throw badRequest('the message cannot be decrypted', 'undecryptable', error);
  }
}

/** Runs a parsing step, turning its WecomEventError into the 4xx answer. */
function refusingMalformed<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof WecomEventError)) throw error;
    if (error.problem === 'tooLarge') throw payloadTooLarge(MAX_XML_BYTES);
    throw badRequest(`the ${what} was refused: ${error.message}`, 'malformed_event', error);
  }
}
