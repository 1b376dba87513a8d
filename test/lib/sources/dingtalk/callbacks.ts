/**
 * DingTalk callbacks as DingTalk sends them, sealed by `@wecom/crypto` (the independent oracle,
 * reference/webhooks.md §4) rather than by our own code, and its check of our answers.
 */
import * as oracle from '@wecom/crypto';

export const DINGTALK_KEYS = {
  token: 'token123',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appKey: 'dingappkey0001',
  corpId: 'dingc7c5220402493357f2c783f7214b6d69',
} as const;

export const WEBHOOK_ENV = {
  DINGTALK_TOKEN: DINGTALK_KEYS.token,
  DINGTALK_AES_KEY: DINGTALK_KEYS.aesKey,
  DINGTALK_APP_KEY: DINGTALK_KEYS.appKey,
  DINGTALK_CORP_ID: DINGTALK_KEYS.corpId,
} as const;

export interface CallbackOptions {
  /** The owner id inside the plaintext; default the AppKey. */
  owner?: string;
  token?: string;
  aesKey?: string;
  timestamp?: string;
  nonce?: string;
  /** Which query spellings DingTalk uses: `signature`/`timestamp` (default) or `msg_signature`/`timeStamp`. */
  spelling?: 'plain' | 'msg';
}

export interface Callback {
  /** Path and query, e.g. `/dingtalk?signature=…&timestamp=…&nonce=…`. */
  url: string;
  body: string;
  encrypt: string;
  signature: string;
  timestamp: string;
  nonce: string;
}

/** A callback carrying `plaintext` (a JSON string or an object to stringify). */
export function dingtalkCallback(plaintext: string | object, options: CallbackOptions = {}): Callback {
  const message = typeof plaintext === 'string' ? plaintext : JSON.stringify(plaintext);
  const encrypt = oracle.encrypt(options.aesKey ?? DINGTALK_KEYS.aesKey, message, options.owner ?? DINGTALK_KEYS.appKey);
  return signedCallback(encrypt, options);
}

/** A callback around any `encrypt` string, correctly signed. */
export function signedCallback(encrypt: string, options: CallbackOptions = {}): Callback {
  const timestamp = options.timestamp ?? String(Date.now());
  const nonce = options.nonce ?? 'nonce' + Math.random().toString(36).slice(2, 10);
  const signature = oracle.getSignature(options.token ?? DINGTALK_KEYS.token, timestamp, nonce, encrypt);
  const [sig, ts] = options.spelling === 'msg' ? ['msg_signature', 'timeStamp'] : ['signature', 'timestamp'];
  const query = new URLSearchParams({ [sig]: signature, [ts]: timestamp, nonce });
  return { url: `/dingtalk?${query}`, body: JSON.stringify({ encrypt }), encrypt, signature, timestamp, nonce };
}

/**
 * What DingTalk does with our answer: check the signature over our timestamp and nonce, decrypt,
 * and expect `success` for the owner. Returns the owner id, throws when DingTalk would refuse.
 */
export function checkAck(body: unknown, token: string = DINGTALK_KEYS.token, aesKey: string = DINGTALK_KEYS.aesKey): string {
  const ack = body as { msg_signature?: string; timeStamp?: string; nonce?: string; encrypt?: string };
  if (!ack.msg_signature || !ack.timeStamp || !ack.nonce || !ack.encrypt) throw new Error('the answer is not an encrypted ack');
  if (oracle.getSignature(token, ack.timeStamp, ack.nonce, ack.encrypt) !== ack.msg_signature) throw new Error('ack signature mismatch');
  const opened = oracle.decrypt(aesKey, ack.encrypt);
  if (opened.message !== 'success') throw new Error('ack does not say success');
  return opened.id;
}
