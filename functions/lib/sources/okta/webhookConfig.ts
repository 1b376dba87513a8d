/**
 * The `okta-webhook` function's configuration, parsed once at cold start. Problems name the
 * variable, never its value.
 *
 * | variable                 | default         | meaning                                                        |
 * |--------------------------|-----------------|----------------------------------------------------------------|
 * | `OKTA_EVENT_HOOK_SECRET` | required        | the Event Hook's **Authentication secret**, sent verbatim       |
 * | `OKTA_EVENT_HOOK_HEADER` | `Authorization` | the Event Hook's **Authentication field** (the header's name)   |
 * | `OKTA_DEPARTMENTS`       | `groups`        | as the source reads it (config.ts): group events matter unless `attribute` |
 *
 * No replay window (`WEBHOOK_MAX_AGE_SECONDS`): the other webhooks apply theirs to a *signed*
 * timestamp, and Okta signs nothing. Its secret is static, so whoever holds it can send a fresh
 * `published` as easily as an old one: a window would add no protection, and it would refuse
 * genuine deliveries, which Okta may send minutes late with no stated bound (reference/idp.md §2.5)
 * and never sends again after a 4xx. A replayed delivery costs only a re-read: the engine reads
 * the current state of whoever an event names.
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { OKTA_DEPARTMENT_MODES, type OktaDepartmentMode } from './config';

export const DEFAULT_EVENT_HOOK_HEADER = 'Authorization';

/** Long enough not to be guessed online; Okta's own example is 30 characters. */
export const MIN_SECRET_LENGTH = 16;

/** RFC 9110 field-name (a token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/**
 * Header values lose surrounding whitespace on the way (RFC 9110 §5.5) and cannot carry control
 * characters, so a secret with either could never match what Okta sends.
 */
const HEADER_VALUE = /^[^\s\u0000-\u001f\u007f](?:[^\u0000-\u0008\u000a-\u001f\u007f]*[^\s\u0000-\u001f\u007f])?$/;

/** Headers Okta or FC set themselves: a secret there would be overwritten or never reach us. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'accept', 'host', 'x-okta-verification-challenge']);

export interface OktaWebhookConfig {
  /** The Authentication secret exactly as configured in Okta. */
  secret: string;
  /** Lower case, as request headers arrive. */
  headerName: string;
  departments: OktaDepartmentMode;
}

/**
 * @example
 * const config = loadConfig(parseOktaWebhookConfig); // module scope
 */
export function parseOktaWebhookConfig(env: Env): OktaWebhookConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const secret = read.secret('OKTA_EVENT_HOOK_SECRET');
  if (secret === undefined) {
    problems.add({ variable: 'OKTA_EVENT_HOOK_SECRET', problem: 'is required by the Okta webhook: the Event Hook\'s Authentication secret' });
  } else if (!HEADER_VALUE.test(secret)) {
    problems.add({ variable: 'OKTA_EVENT_HOOK_SECRET', problem: 'must be usable as a header value: no leading or trailing spaces, no control characters' });
  } else if (secret.length < MIN_SECRET_LENGTH) {
    problems.add({ variable: 'OKTA_EVENT_HOOK_SECRET', problem: `must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)` });
  }
  const header = read.matching('OKTA_EVENT_HOOK_HEADER', HEADER_NAME, 'must be an HTTP header name (letters, digits and -), e.g. Authorization')
    ?? DEFAULT_EVENT_HOOK_HEADER;
  if (RESERVED_HEADERS.has(header.toLowerCase())) {
    problems.add({ variable: 'OKTA_EVENT_HOOK_HEADER', problem: 'names a header Okta sets itself: use Authorization or a name of your own' });
  }
  const departments = read.oneOf('OKTA_DEPARTMENTS', OKTA_DEPARTMENT_MODES, 'groups');
  problems.throwIfAny();
  return { secret: secret!, headerName: header.toLowerCase(), departments };
}
