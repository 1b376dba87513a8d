/**
 * Alibaba Cloud OpenAPI signature V3 (`ACS3-HMAC-SHA256`), as documented in "Request syntax and
 * signature method V3" (alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature)
 * and implemented by @alicloud/openapi-core's `getAuthorization`:
 *
 *   CanonicalRequest = method \n path \n sorted query (RFC 3986) \n `name:value\n` per signed header
 *                      \n signed header names joined by `;` \n hex SHA-256 of the body
 *   Authorization    = ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=…,Signature=<hex HMAC-SHA256>
 *
 * Signed headers are `host`, `content-type` when present and every `x-acs-*` header, lower-case and
 * sorted. STS credentials add `x-acs-accesskey-id` and `x-acs-security-token`, both signed.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { CloudCredentials } from '../core/ports';

export const ALGORITHM = 'ACS3-HMAC-SHA256';

/** RFC 3986 percent-encoding, as the SDK's `encode`: encodeURIComponent plus `!'()*`. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `a=1&b=x%20y`, keys sorted: the canonical query and, in that order, the query string sent. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query).sort().map((k) => `${percentEncode(k)}=${percentEncode(query[k]!)}`).join('&');
}

export interface UnsignedRequest {
  method: string;
  /** Already percent-encoded, e.g. `/2023-03-30/functions/push/invocations`. */
  path: string;
  query: Readonly<Record<string, string>>;
  /** Lower-case names; must include `host`, `x-acs-action`, `x-acs-version`. */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
}

/**
 * The request's headers plus the date, nonce, payload hash, STS headers and `authorization`.
 *
 * @example
 * signV3({ method: 'POST', path: '/', query: { GroupName: 'dev' },
 *   headers: { host: 'ram.aliyuncs.com', 'x-acs-action': 'CreateGroup', 'x-acs-version': '2015-05-01' },
 *   body: new Uint8Array() }, { accessKeyId, accessKeySecret });
 */
export function signV3(
  request: UnsignedRequest, credentials: CloudCredentials, now = new Date(), nonce = randomBytes(16).toString('hex'),
): Record<string, string> {
  const headers: Record<string, string> = {
    ...request.headers,
    // Second precision: the gateway's format is `2023-10-26T09:01:01Z`.
    'x-acs-date': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': createHash('sha256').update(request.body).digest('hex'),
    ...(credentials.securityToken && {
      'x-acs-accesskey-id': credentials.accessKeyId, 'x-acs-security-token': credentials.securityToken,
    }),
  };
  const signed = Object.keys(headers).filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-')).sort();
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery(request.query),
    signed.map((h) => `${h}:${headers[h]!.trim()}\n`).join(''),
    signed.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', credentials.accessKeySecret).update(stringToSign).digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
  return headers;
}
