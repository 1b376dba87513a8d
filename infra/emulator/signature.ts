/**
 * Verifies Alibaba Cloud OpenAPI request signatures as the POP gateway does: V3
 * (`Authorization: ACS3-HMAC-SHA256 …`, what the SDK sends by default) and V2 (`Signature` in the
 * query, HMAC-SHA1, with `signatureAlgorithm: 'v2'`). Canonicalisation follows
 * @alicloud/openapi-core's `getAuthorization` and `getRPCSignature` exactly.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { formBody, header, type EmulatorRequest } from './http';

export type SignatureCheck =
  | { ok: true; accessKeyId: string; version: 'v3' | 'v2' }
  | { ok: false; status: number; code: string; message: string };

const CLOCK_SKEW_MS = 15 * 60_000;

/** Remembers signature nonces so a replayed request is refused, as RAM does. */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  /** False when the nonce was already used within the skew window. */
  claim(nonce: string): boolean {
    const now = Date.now();
    if (this.seen.size > 10_000) {
      for (const [n, until] of this.seen) if (until < now) this.seen.delete(n);
    }
    const until = this.seen.get(nonce);
    if (until !== undefined && until >= now) return false;
    this.seen.set(nonce, now + CLOCK_SKEW_MS);
    return true;
  }
}

/** RFC 3986 percent-encoding as the SDK's `encode` does it (encodeURIComponent plus !'()*). */
export function popEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Query parameters decoded, in the order sent (the later of two equal keys wins). */
function decodedQuery(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    out.set(decode(eq < 0 ? part : part.slice(0, eq)), eq < 0 ? '' : decode(part.slice(eq + 1)));
  }
  return out;
}

const fail = (status: number, code: string, message: string): SignatureCheck => ({ ok: false, status, code, message });

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Claimed only after the signature matched, so a forged request cannot burn a nonce. */
function claimNonce(nonces: NonceCache, nonce: string | undefined): SignatureCheck | undefined {
  if (!nonce) return fail(400, 'MissingSignatureNonce', 'SignatureNonce is mandatory for this action.');
  if (!nonces.claim(nonce)) return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  return undefined;
}

function fresh(timestamp: string | undefined): boolean {
  const at = timestamp === undefined ? NaN : Date.parse(timestamp);
  return Number.isFinite(at) && Math.abs(Date.now() - at) <= CLOCK_SKEW_MS;
}

export function verifySignature(
  req: EmulatorRequest,
  secrets: ReadonlyMap<string, string>,
  nonces: NonceCache,
): SignatureCheck {
  const authorization = header(req, 'authorization');
  try {
    if (authorization?.startsWith('ACS3-')) return verifyV3(req, authorization, secrets, nonces);
    if (req.query.has('Signature')) return verifyV2(req, secrets, nonces);
  } catch (err) {
    if (err instanceof URIError) return fail(400, 'InvalidParameter', 'The query string is not properly percent-encoded.');
    throw err;
  }
  return fail(400, 'MissingAccessKeyId', 'AccessKeyId is mandatory for this action.');
}

function verifyV3(
  req: EmulatorRequest,
  authorization: string,
  secrets: ReadonlyMap<string, string>,
  nonces: NonceCache,
): SignatureCheck {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(authorization);
  if (!match) return fail(400, 'IncompleteSignature', 'The Authorization header is malformed or uses an unsupported algorithm.');
  const [, accessKeyId = '', signedList = '', signature = ''] = match;
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const token = header(req, 'x-acs-security-token');
  if (token !== undefined && header(req, 'x-acs-accesskey-id') !== accessKeyId) {
    return fail(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token does not match the AccessKey.');
  }
  const signed = signedList.split(';');
  const mustSign = ['host', ...Object.keys(req.headers).filter((h) => h.startsWith('x-acs-'))];
  if (mustSign.some((h) => !signed.includes(h))) {
    return fail(400, 'IncompleteSignature', 'The host header and every x-acs-* header must be signed.');
  }
  if (!fresh(header(req, 'x-acs-date'))) return fail(400, 'InvalidTimeStamp.Expired', 'x-acs-date is missing or too far from now.');
  const query = decodedQuery(req.rawQuery);
  const canonicalQuery = [...query.keys()]
    .sort()
    .map((k) => `${k}=${popEncode(query.get(k) ?? '')}`)
    .join('&');
  const canonicalHeaders = signed.map((h) => `${h}:${(header(req, h) ?? '').trim()}\n`).join('');
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  const canonicalRequest = [req.method, req.rawPath, canonicalQuery, canonicalHeaders, signedList, payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
  if (!safeEqual(expected, signature)) {
    return fail(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  }
  return claimNonce(nonces, header(req, 'x-acs-signature-nonce')) ?? { ok: true, accessKeyId, version: 'v3' };
}

function verifyV2(req: EmulatorRequest, secrets: ReadonlyMap<string, string>, nonces: NonceCache): SignatureCheck {
  const params = decodedQuery(req.rawQuery);
  for (const [k, v] of formBody(req)) params.set(k, v);
  const signature = params.get('Signature') ?? '';
  params.delete('Signature');
  const accessKeyId = params.get('AccessKeyId');
  if (!accessKeyId) return fail(400, 'MissingAccessKeyId', 'AccessKeyId is mandatory for this action.');
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  if (params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0') {
    return fail(400, 'InvalidParameter.SignatureMethod', 'Only HMAC-SHA1 signature version 1.0 is supported.');
  }
  if (!fresh(params.get('Timestamp'))) return fail(400, 'InvalidTimeStamp.Expired', 'Timestamp is missing or too far from now.');
  const canonical = [...params.keys()]
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(params.get(k) ?? '')}`)
    .join('&');
  const stringToSign = `${req.method}&${popEncode('/')}&${popEncode(canonical)}`;
  const expected = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  if (!safeEqual(expected, signature)) {
    return fail(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  }
  return claimNonce(nonces, params.get('SignatureNonce')) ?? { ok: true, accessKeyId, version: 'v2' };
}
