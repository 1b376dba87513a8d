/**
 * MNS (Simple Message Queue) request signatures, as the service documents them ("Sign requests",
 * help.aliyun.com document 27487):
 *
 *   Authorization: MNS <AccessKeyId>:base64(hmac-sha1(secret,
 *     VERB \n CONTENT-MD5 \n CONTENT-TYPE \n DATE \n CanonicalizedMNSHeaders CanonicalizedResource))
 *
 * CanonicalizedMNSHeaders: every `x-mns-*` header, name lower-cased, sorted, `name:value\n` each.
 * CanonicalizedResource: the request path with its query, as sent. Shared by the client and the
 * local fake; the documentation's worked example pins it (test/infra/mns/signature.test.ts).
 */
import { createHmac } from 'node:crypto';

export interface MnsSignedParts {
  method: string;
  /** '' when the request has no Content-MD5 header. */
  contentMd5?: string;
  /** '' when the request has no Content-Type header. */
  contentType?: string;
  /** The Date header (GMT), or x-mns-date when Date cannot be set. */
  date: string;
  /** All headers; only `x-mns-*` ones are signed. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Path and query as sent: `/queues/q/messages?numOfMessages=16`. */
  resource: string;
}

export function canonicalMnsHeaders(headers: MnsSignedParts['headers']): string {
  return Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(',') : value ?? ''] as const)
    .filter(([name]) => name.startsWith('x-mns-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value.trim()}\n`)
    .join('');
}

export function mnsStringToSign(parts: MnsSignedParts): string {
  return [parts.method.toUpperCase(), parts.contentMd5 ?? '', parts.contentType ?? '', parts.date].join('\n') +
    `\n${canonicalMnsHeaders(parts.headers)}${parts.resource}`;
}

/** The signature part of `Authorization: MNS <id>:<signature>`. */
export function mnsSignature(secret: string, parts: MnsSignedParts): string {
  return createHmac('sha1', secret).update(mnsStringToSign(parts), 'utf8').digest('base64');
}

export function mnsAuthorization(accessKeyId: string, secret: string, parts: MnsSignedParts): string {
  return `MNS ${accessKeyId}:${mnsSignature(secret, parts)}`;
}
