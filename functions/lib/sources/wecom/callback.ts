/**
 * The WeCom callback as one use case (reference/webhooks.md §3.1): GET is the URL check (verify,
 * decrypt `echostr`, answer its plaintext exactly); POST is an event (verify the signature over
 * `<Encrypt>`, decrypt, check the ReceiveId is our CorpID, map, enqueue, answer 200). No vendor
 * API call happens here: WeCom waits 1 s for the URL check and 5 s for events.
 */
import type { ChangeQueue } from '../../core/ports';
import { badRequest, forbidden, methodNotAllowed, payloadTooLarge, serviceUnavailable, unauthorized } from '../../fc/errors';
import type { HttpRequest, HttpResponse } from '../../fc/http';
import type { Logger } from '../../fc/logger';
import { type MsgCrypt, MsgCryptError } from '../msgcrypt';
import { WecomEventError } from './errors';
import { changesFromEvent } from './events';
import { MAX_XML_BYTES, parseWecomXml, xmlText } from './xml';

export interface WecomCallbackDeps {
  /** Built once from WECOM_TOKEN, WECOM_AES_KEY and WECOM_CORP_ID. */
  crypt: MsgCrypt;
  /** The only ReceiveId accepted: the contact assistant and self-built apps encrypt for the CorpID. */
  corpId: string;
  queue: ChangeQueue;
  log?: Logger;
}

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
  deps.log?.info('wecom callback URL verified');
  // Exactly the plaintext: WeCom compares the bytes, so no quotes, newline or BOM.
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: plaintext };
}

async function receiveEvent(req: HttpRequest, deps: WecomCallbackDeps): Promise<HttpResponse> {
  const q = params(req, ['msg_signature', 'timestamp', 'nonce']);
  const encrypted = refusingMalformed('body', () => xmlText(parseWecomXml(req.body), 'Encrypt'));
  if (encrypted === undefined) throw badRequest('the body has no <Encrypt> element', 'missing_encrypt');
  const message = open(deps, q.msg_signature, q.timestamp, q.nonce, encrypted);
  const outcome = refusingMalformed('decrypted event', () => changesFromEvent(parseWecomXml(message)));
  if (outcome.kind === 'ignored') {
    deps.log?.info('wecom callback acknowledged without changes', { what: outcome.what });
    return { status: 200, body: '' };
  }
  try {
    await deps.queue.publish(outcome.changes);
  } catch (error) {
    // WeCom retries only on timeouts and network errors, but a 5xx is still the honest answer.
    throw serviceUnavailable('the changes could not be enqueued', error);
  }
  deps.log?.info('wecom changes enqueued', { changeType: outcome.changeType, count: outcome.changes.length });
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
