/**
 * Errors of the WXBizMsgCrypt scheme shared by DingTalk and WeCom. Messages never carry the token,
 * the key, the ciphertext or the plaintext: a callback body is full of names and mobile numbers.
 */

/** Why a callback was refused, so a webhook can answer 401/403 (forged) or 400 (malformed). */
export const MsgCryptFailure = {
  /** The signature does not match: forged, replayed with other parameters, or the wrong token. */
  signature: 'signature',
  /** The ciphertext is not base64, has the wrong length or padding, or does not hold a framed message. */
  decrypt: 'decrypt',
  /** The message decrypted, but for another owner (AppKey, CorpId, suiteid): the wrong app or tenant. */
  receiveId: 'receiveId',
} as const;
export type MsgCryptFailureReason = (typeof MsgCryptFailure)[keyof typeof MsgCryptFailure];

/** A callback that cannot be accepted. `reason` says which check refused it. */
export class MsgCryptError extends Error {
  override readonly name = 'MsgCryptError';
  readonly reason: MsgCryptFailureReason;

  constructor(reason: MsgCryptFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** The token or EncodingAESKey is malformed: a deployment problem, raised once at start-up. */
export class MsgCryptConfigError extends Error {
  override readonly name = 'MsgCryptConfigError';
  /** Which key is wrong (`token`, `aesKey`), never its value. */
  readonly field: 'token' | 'aesKey';

  constructor(field: 'token' | 'aesKey', message: string) {
    super(message);
    this.field = field;
  }
}
