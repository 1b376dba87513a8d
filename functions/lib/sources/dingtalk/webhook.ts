/**
 * DingTalk's HTTP push, from request to answer (reference/webhooks.md §1.1): check the signature,
 * decrypt, answer `check_url`, refuse events signed outside the replay window, enqueue the ids a
 * contact event names (once per signed request, across instances), and acknowledge every accepted
 * event with the encrypted `success` JSON. No DingTalk or RAM call happens here: DingTalk wants
 * the answer within 1,500 ms. Without that answer DingTalk keeps the push on its failed-callback
 * list (§1.3), which `dingtalk-poll` reads: that is how an event we could not enqueue still arrives.
 */
import { randomBytes } from 'node:crypto';
import type { ChangeQueue, Logger } from '../../core/ports';
import {
  badRequest, forbidden, HttpError, serviceUnavailable, unauthorized, type HttpRequest, type HttpResponse,
} from '../../core/http';

import { type MsgCrypt, MsgCryptError } from '../msgcrypt';
import type { RecentEvents } from '../recentEvents';
import { withinReplayWindow } from '../replayWindow';
import { enqueueChanges } from '../webhookEnqueue';
import { DingtalkEventError } from './errors';
import { readDingtalkEvent } from './events';

export interface DingtalkWebhookDeps {
  crypt: MsgCrypt;
  /** Owner ids accepted inside the plaintext: AppKey and/or CorpId. */
  receiveIds: readonly string[];
  queue: ChangeQueue;
  log: Logger;
  /** How far an event's signed timestamp may be from now (`WEBHOOK_MAX_AGE_SECONDS`). */
  maxAgeSeconds: number;
  /** Signed requests this instance already enqueued; a cheap check before the queue's dedupe key. */
  recent?: RecentEvents;
  /** Milliseconds since the epoch, for the replay window and the answer's `timeStamp`; default `Date.now`. */
  now?: () => number;
}

/** The encrypted acknowledgement DingTalk decrypts and checks for `success`. */
export interface DingtalkAck {
  msg_signature: string;
  timeStamp: string;
  nonce: string;
  encrypt: string;
}

const NONCE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * @example
 * export const handler = httpHandler('dingtalk-webhook', (req) => receiveDingtalkCallback(req, deps));
 */
export async function receiveDingtalkCallback(req: HttpRequest, deps: DingtalkWebhookDeps): Promise<HttpResponse> {
  if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST', { headers: { allow: 'POST' } });
  // The official demo reads msg_signature then signature, timeStamp then timestamp: accept both spellings.
  const signature = req.query.msg_signature ?? req.query.signature;
  const timestamp = req.query.timeStamp ?? req.query.timestamp;
  const nonce = req.query.nonce;
  if (!signature || !timestamp || !nonce) {
    throw unauthorized('signature, timestamp and nonce query parameters are required', 'missing_signature');
  }
  const encrypted = encryptedField(req.body);

  let opened: { message: string; receiveId: string };
  try {
    opened = deps.crypt.unseal(signature, timestamp, nonce, encrypted, deps.receiveIds);
  } catch (error) {
    if (error instanceof MsgCryptError) throw refusal(error);
    throw error;
  }

  let event;
  try {
    event = readDingtalkEvent(opened.message);
  } catch (error) {
    if (error instanceof DingtalkEventError) throw badRequest(error.message, 'invalid_event', error);
    throw error;
  }

  // The handshake enqueues nothing, so only events are held to the window.
  if (event.type !== 'check_url' && !withinReplayWindow(timestamp, deps.maxAgeSeconds, (deps.now ?? Date.now)())) {
    throw unauthorized(`the timestamp is more than ${deps.maxAgeSeconds} s from now`, 'stale_request');
  }
  const dedupeKey = `dingtalk\n${signature}\n${timestamp}\n${nonce}`;
  if (event.type === 'ignored') {
    deps.log.debug('dingtalk event ignored', { eventType: event.eventType });
  } else if (event.type === 'contact' && deps.recent?.has(dedupeKey)) {
    deps.log.info('dingtalk event repeated', { eventType: event.eventType });
  } else if (event.type === 'contact' && event.changes.length > 0) {
    try {
      await enqueueChanges(event.changes, dedupeKey, deps);
    } catch (error) {
      // 5xx makes DingTalk count the push as failed, so it is kept for dingtalk-poll: nothing is lost.
      throw serviceUnavailable('could not enqueue the changes', error);
    }
    deps.recent?.add(dedupeKey);
    deps.log.info('dingtalk event queued', { eventType: event.eventType, changes: event.changes.length });
  } else if (event.type === 'contact') {
    deps.log.warn('dingtalk contact event without ids', { eventType: event.eventType });
  }
  return { status: 200, body: acknowledge(deps, opened.receiveId) };
}

/** The encrypted `success`, sealed for the owner the event came for, with our own timestamp and nonce. */
export function acknowledge(deps: Pick<DingtalkWebhookDeps, 'crypt' | 'now'>, receiveId: string): DingtalkAck {
  const timeStamp = String((deps.now ?? Date.now)());
  const nonce = randomNonce();
  const sealed = deps.crypt.seal('success', timeStamp, nonce, receiveId);
  return { msg_signature: sealed.signature, timeStamp, nonce, encrypt: sealed.encrypt };
}

function encryptedField(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw badRequest('the body must be JSON {"encrypt": "…"}', 'invalid_body', error);
  }
  const encrypt = (parsed as { encrypt?: unknown } | null)?.encrypt;
  if (typeof encrypt !== 'string' || encrypt === '') throw badRequest('the body must be JSON {"encrypt": "…"}', 'invalid_body');
  return encrypt;
}

function refusal(error: MsgCryptError): HttpError {
  switch (error.reason) {
    case 'signature':
      return unauthorized('the signature does not match', 'invalid_signature', error);
    case 'receiveId':
      return forbidden('the event is for another app or organisation', 'wrong_owner', error);
    default:
      return badRequest('the ciphertext cannot be decrypted', 'invalid_ciphertext', error);
  }
}

function randomNonce(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += NONCE_ALPHABET[b % NONCE_ALPHABET.length];
  return out;
}
