/**
 * The private_key_jwt client assertion an Okta service app signs to get an access token
 * (reference/idp.md §2.2; RFC 7523): RS256 over `iss` = `sub` = the client id, `aud` = the token
 * URL, `exp` five minutes ahead (Okta allows at most an hour), a fresh `jti` (Okta refuses a
 * reused one) and `kid` when the app's key has one. Signed with node:crypto: no JWT library.
 *
 * @example
 * const assertion = clientAssertion({ clientId: '0oa…', privateKey: pem }, 'https://acme.okta.com/oauth2/v1/token');
 */
import { createPrivateKey, createSign, randomUUID, type KeyObject } from 'node:crypto';

const LIFETIME_SECONDS = 300;

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface AssertionKey {
  clientId: string;
  /** PEM, or a parsed key. */
  privateKey: string | KeyObject;
  keyId?: string;
}

export function clientAssertion(key: AssertionKey, audience: string, nowMs: number = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.keyId && { kid: key.keyId }) };
  const claims = { iss: key.clientId, sub: key.clientId, aud: audience, iat, exp: iat + LIFETIME_SECONDS, jti: randomUUID() };
  const input = `${base64url(header)}.${base64url(claims)}`;
  const privateKey = typeof key.privateKey === 'string' ? createPrivateKey(key.privateKey) : key.privateKey;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
  return `${input}.${signature}`;
}
