/**
 * The one PII masker: what the logger does to every value before it is written, and what every
 * adapter does to text a server or a person wrote before it goes into an error. Secrets and personal
 * data out. Rules: a value under a sensitive key (at any depth) becomes "[redacted]"; any email
 * address, phone number, bearer credential, JWT or secret query parameter inside any string is
 * masked wherever it appears (`maskText`); the credentials a call used are cut out by value
 * (`scrub`). Errors become `{name, message, code, retryable, …}` with the message masked too.
 *
 * Person ids are masked where messages are made (`maskId`, `maskExternalId`): only the code that
 * builds a message knows which part of it is an id.
 */
import { createHash } from 'node:crypto';

export const REDACTED = '[redacted]';

/**
 * Key fragments, matched case-insensitively against the key with `_`/`-` removed, so `secret`
 * covers `accessKeySecret`, `appSecret` and `client_secret`, and `token` covers `securityToken`.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'email', 'mail', 'mobile', 'phone', 'password', 'passwd', 'secret', 'token', 'authorization',
  'cookie', 'credential', 'accesskeysecret', 'securitytoken', 'aeskey', 'encryptkey', 'privatekey',
  'apikey', 'appsecret', 'clientsecret',
];

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// International numbers written with a plus (+86-138…, +1 415 555 0100) and CN mobiles
// (11 digits starting 13–19, optionally grouped 3-4-4 or prefixed 86), not digits inside longer runs.
const INTL_PHONE = /\+\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d){6,12}(?!\d)/g;
const CN_MOBILE = /(?<!\d)(?:86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g;

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*/g;
const SECRET_PARAM = /\b(access_token|refresh_token|client_secret|code|password|token)=([^&\s"]+)/gi;

/** Masks email addresses, phone numbers, bearer credentials, JWTs and secret query parameters inside free text. */
export function maskText(text: string): string {
  return text
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT, '[token]')
    .replace(SECRET_PARAM, `$1=${REDACTED}`)
    .replace(EMAIL, '[email]')
    .replace(INTL_PHONE, '[phone]')
    .replace(CN_MOBILE, '[phone]');
}

/**
 * Cuts the credentials a call used (a secret, the current token) out of text by value: `***` for
 * each one longer than 3 characters; then masks it as `maskText` does and caps it at 300 characters.
 */
export function scrub(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length > 3) out = out.split(s).join('***');
  out = maskText(out);
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

/**
 * How a message names a person's source id: `#` and 8 hex of its SHA-256. An export's ids may be
 * names, emails or mobiles; the hash still lets an operator who knows the id match it, and the
 * same id reads the same in every message.
 *
 * @example
 * maskId('e1003') // '#4309bc56' (the first 8 hex of sha256('e1003'))
 */
export function maskId(id: string): string {
  return `#${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 8)}`;
}

/**
 * Masks the id after the first `:` of an externalId, or of a state key holding one, keeping the
 * source: `file:e1003` → `file:#4309bc56`, `suspension/file:e1003` → `suspension/file:#4309bc56`.
 * Text without a colon (`ad/watermark`) names nobody and is returned as it is.
 */
export function maskExternalId(text: string): string {
  const colon = text.indexOf(':');
  return colon < 0 ? text : `${text.slice(0, colon + 1)}${maskId(text.slice(colon + 1))}`;
}

export interface SanitizeOptions {
  /** Key fragments whose values are replaced; default `DEFAULT_REDACT_KEYS`. */
  redactKeys?: readonly string[];
  /** Include errors' stacks (the logger does at debug level). */
  stack?: boolean;
}

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[_\-\s.]/g, '');

export function isSensitiveKey(key: string, redactKeys: readonly string[] = DEFAULT_REDACT_KEYS): boolean {
  const k = normalizeKey(key);
  return redactKeys.some((fragment) => k.includes(normalizeKey(fragment)));
}

const MAX_DEPTH = 8;

/** A JSON-safe copy of `value` with the rules above applied. Cycles become "[circular]". */
export function sanitize(value: unknown, options: SanitizeOptions = {}): unknown {
  const keys = options.redactKeys ?? DEFAULT_REDACT_KEYS;
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return maskText(v);
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[${v.byteLength} bytes]`;
    if (seen.has(v)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[too deep]';
    seen.add(v);
    try {
      if (v instanceof Error) return errorFields(v, (x) => walk(x, depth + 1), options.stack === true);
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
      if (v instanceof Set) return [...v].map((x) => walk(x, depth + 1));
      const entries = v instanceof Map ? [...v.entries()].map(([k, x]) => [String(k), x] as const) : Object.entries(v);
      const out: Record<string, unknown> = {};
      for (const [k, x] of entries) out[k] = isSensitiveKey(k, keys) ? REDACTED : walk(x, depth + 1);
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}

/** The fields an operator needs from an error, in a fixed order; never the raw object. */
function errorFields(error: Error, walk: (v: unknown) => unknown, withStack: boolean): Record<string, unknown> {
  const e = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { name: error.name, message: maskText(error.message) };
  for (const key of ['code', 'retryable', 'status', 'operation', 'reason', 'recommendedAction', 'problems', 'issues']) {
    if (e[key] !== undefined) out[key] = walk(e[key]);
  }
  if (error.cause !== undefined) out.cause = walk(error.cause);
  if (withStack && error.stack) out.stack = maskText(error.stack);
  return out;
}

/** One error as the logger writes it (see `sanitize`). */
export function serializeError(error: unknown, options: SanitizeOptions = {}): unknown {
  return sanitize(error, options);
}
