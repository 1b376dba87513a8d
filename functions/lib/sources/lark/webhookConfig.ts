/**
 * The `lark-webhook` function's configuration, parsed once at cold start. Problems name the
 * variable, never its value.
 *
 * | variable                  | default                              | meaning                                   |
 * |---------------------------|--------------------------------------|-------------------------------------------|
 * | `LARK_VERIFICATION_TOKEN` | required                             | the app's Verification Token              |
 * | `LARK_ENCRYPT_KEY`        | none (plaintext events)              | the app's Encrypt Key                     |
 * | `LARK_MAX_AGE_SECONDS`    | `300`                                | how far a signed timestamp may be from now |
 * | `LARK_USER_ID_TYPE`       | `union_id` (or `open_id`, `user_id`) | as the source reads it (config.ts)        |
 */
import { type Env, envReader } from '../../core/config';
import { ConfigProblems } from '../../core/errors';
import { readMaxAgeSeconds } from '../replayWindow';
import { DEFAULT_USER_ID_TYPE, LARK_USER_ID_TYPES, type LarkUserIdType } from './constants';

export interface LarkWebhookConfig {
  verificationToken: string;
  /** Absent: Lark sends plaintext bodies and only the token authenticates them. */
  encryptKey?: string;
  maxAgeSeconds: number;
  userIdType: LarkUserIdType;
}

/**
 * The webhook's settings; `LARK_VERIFICATION_TOKEN` is required.
 *
 * @example
 * const config = loadConfig(parseLarkWebhookConfig); // module scope
 */
export function parseLarkWebhookConfig(env: Env): LarkWebhookConfig {
  const problems = new ConfigProblems();
  const read = envReader(env, problems);
  const verificationToken = read.required('LARK_VERIFICATION_TOKEN', 'is required by the Lark webhook');
  const encryptKey = read.text('LARK_ENCRYPT_KEY');
  const maxAgeSeconds = readMaxAgeSeconds(read, 'LARK_MAX_AGE_SECONDS');
  const userIdType = read.oneOf('LARK_USER_ID_TYPE', LARK_USER_ID_TYPES, DEFAULT_USER_ID_TYPE);
  problems.throwIfAny();
  return { verificationToken: verificationToken!, ...(encryptKey && { encryptKey }), maxAgeSeconds, userIdType };
}
