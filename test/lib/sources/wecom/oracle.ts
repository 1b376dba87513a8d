/**
 * WeCom callbacks as WeCom would send them, built with `@wecom/crypto` (the independent oracle),
 * so every message a test sends is the oracle's, not ours. Also the official WXBizMsgCrypt vectors.
 */
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { buildFcHttpEvent } from '../../../../functions/lib/fc/httpEvent';
import type { FcHttpEvent } from '../../../../functions/lib/fc/types';

/** reference/webhooks.md §3.1, from the WXBizMsgCrypt sample. */
export const OFFICIAL = {
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  verify: {
    timestamp: '1409659589', nonce: '263014780', signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    plaintext: '1616140317555161061',
  },
  post: {
    timestamp: '1409659813', nonce: '1372623149', signature: '477715d11cdb4164915debcba66cb864d751f3e6',
    encrypt: 'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
    // The reference quotes this without CDATA and newlines; the bytes inside the vector have both.
    plaintext: '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n' +
      '<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n' +
      '<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
  },
} as const;

export interface CallbackKeys {
  token: string;
  aesKey: string;
  corpId: string;
}

/** Keys for our own tests (not the official ones, so both are exercised). */
export const KEYS: CallbackKeys = { token: 'wecomToken2024', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', corpId: 'ww9f8e7d6c5b4a3921' };

/** The variables the webhook reads, for these keys. */
export const webhookEnv = (keys: CallbackKeys = KEYS): Record<string, string> => ({
  WECOM_CORP_ID: keys.corpId, WECOM_TOKEN: keys.token, WECOM_AES_KEY: keys.aesKey,
});

export interface BuildOptions {
  timestamp?: string;
  nonce?: string;
  /** Encrypt for another ReceiveId (another corp or a suite). */
  receiveId?: string;
}

const stamp = (o: BuildOptions) => ({ timestamp: o.timestamp ?? String(Math.floor(Date.now() / 1000)), nonce: o.nonce ?? '1372623149' });

/** The query of a URL check: `?msg_signature&timestamp&nonce&echostr`, URL-encoded as WeCom sends it. */
export function urlCheck(plaintext: string, keys: CallbackKeys = KEYS, options: BuildOptions = {}): string {
  const { timestamp, nonce } = stamp(options);
  const echostr = encrypt(keys.aesKey, plaintext, options.receiveId ?? keys.corpId);
  const signature = getSignature(keys.token, timestamp, nonce, echostr);
  return `/wecom?${new URLSearchParams({ msg_signature: signature, timestamp, nonce, echostr })}`;
}

/** An event POST: the URL with its query and the outer XML around the oracle's ciphertext. */
export function eventPost(innerXml: string, keys: CallbackKeys = KEYS, options: BuildOptions = {}): { url: string; body: string; encrypted: string } {
  const { timestamp, nonce } = stamp(options);
  const encrypted = encrypt(keys.aesKey, innerXml, options.receiveId ?? keys.corpId);
  const signature = getSignature(keys.token, timestamp, nonce, encrypted);
  const body = `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><AgentID><![CDATA[]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  return { url: `/wecom?${new URLSearchParams({ msg_signature: signature, timestamp, nonce })}`, body, encrypted };
}

/**
 * A decrypted change_contact event as the contact assistant sends it. Values are CDATA-wrapped
 * unless `cdata: false` (the official samples mix both).
 */
export function contactEvent(fields: Record<string, string>, options: { cdata?: boolean; corpId?: string } = {}): string {
  const wrap = (v: string) => (options.cdata === false ? v : `<![CDATA[${v}]]>`);
  const body = Object.entries(fields).map(([k, v]) => `<${k}>${wrap(v)}</${k}>`).join('');
  return `<xml><ToUserName>${wrap(options.corpId ?? KEYS.corpId)}</ToUserName><FromUserName>${wrap('sys')}</FromUserName>` +
    `<CreateTime>1403610513</CreateTime><MsgType>${wrap('event')}</MsgType><Event>${wrap('change_contact')}</Event>${body}</xml>`;
}

/** The FC 3.0 HTTP event for a request. */
export function httpEvent(method: string, url: string, body?: string): FcHttpEvent {
  return buildFcHttpEvent({ method, url, body, headers: { 'content-type': 'text/xml' }, sourceIp: '101.226.103.1' });
}

/** Decrypts with the oracle (to check what we encrypt). */
export const oracleDecrypt = (aesKey: string, encrypted: string) => decrypt(aesKey, encrypted);
export const oracleSignature = getSignature;
export const oracleEncrypt = encrypt;
