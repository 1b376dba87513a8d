/**
 * WXBizMsgCrypt, the callback crypto DingTalk (HTTP push) and WeCom share
 * (reference/webhooks.md §1.1, §3.1): SHA-1 signature over the sorted token, timestamp, nonce and
 * ciphertext; AES-256-CBC with the 43-character EncodingAESKey, IV = first 16 key bytes, 32-byte
 * PKCS#7 padding; the plaintext frame names its owner (DingTalk AppKey/CorpId, WeCom CorpID).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { MsgCryptConfigError, MsgCryptError } from './errors';
import { frame, PAD_BLOCK, RANDOM_BYTES, unframe } from './framing';

export interface MsgCryptKeys {
  /** The callback token configured in the vendor console. */
  token: string;
  /** The 43-character EncodingAESKey (base64 of 32 bytes without its trailing `=`). */
  aesKey: string;
  /** The owner id inside the plaintext. DingTalk: AppKey (console subscription) or CorpId; WeCom: CorpID. */
  receiveId: string;
}

const AES_KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;
const SIGNATURE_HEX_LENGTH = 40;

/**
 * One app's callback keys, parsed once (cold start) and reused for every request.
 *
 * @example
 * const crypt = new MsgCrypt({ token, aesKey, receiveId: appKey });
 * const json = crypt.open(query.signature, query.timestamp, query.nonce, body.encrypt);
 * const reply = crypt.seal('success', String(Date.now()), nonce);
 */
export class MsgCrypt {
  private readonly token: string;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly receiveId: string;

  constructor(keys: MsgCryptKeys) {
    if (typeof keys.token !== 'string' || keys.token.length === 0) {
      throw new MsgCryptConfigError('token', 'token must be a non-empty string');
    }
    if (typeof keys.aesKey !== 'string' || !AES_KEY_PATTERN.test(keys.aesKey)) {
      throw new MsgCryptConfigError('aesKey', 'aesKey must be 43 base64 characters (A-Z, a-z, 0-9, +, /)');
    }
    this.token = keys.token;
    // Node's decoder tolerates the 2 leftover bits of `key + "="` (gotcha §5.1).
    this.key = Buffer.from(`${keys.aesKey}=`, 'base64');
    this.iv = this.key.subarray(0, 16);
    this.receiveId = keys.receiveId;
  }

  /** Lowercase hex SHA-1 of the four strings sorted and joined without a separator. */
  signature(timestamp: string, nonce: string, encrypted: string): string {
    return createHash('sha1').update([this.token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
  }

  /** Whether `signature` matches, compared in constant time. Never throws on odd input. */
  verify(signature: string, timestamp: string, nonce: string, encrypted: string): boolean {
    if (typeof signature !== 'string' || signature.length !== SIGNATURE_HEX_LENGTH) return false;
    const expected = this.signature(timestamp, nonce, encrypted);
    // Constant time without allocating two Buffers for timingSafeEqual: no early exit, and whole
    // UTF-16 code units, so neither case variants nor look-alike characters ever compare equal.
    let diff = 0;
    for (let i = 0; i < SIGNATURE_HEX_LENGTH; i++) diff |= expected.charCodeAt(i) ^ signature.charCodeAt(i);
    return diff === 0;
  }

  /** Decrypts without checking signature or owner. Throws MsgCryptError('decrypt') on any malformation. */
  decrypt(encrypted: string): { message: string; receiveId: string } {
    const bytes = strictBase64(encrypted);
    if (bytes.length === 0 || bytes.length % PAD_BLOCK !== 0) {
      throw new MsgCryptError('decrypt', `ciphertext rejected: length is not a multiple of ${PAD_BLOCK}`);
    }
    const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
    decipher.setAutoPadding(false);
    const head = decipher.update(bytes);
    // Block-aligned input without auto padding leaves nothing for final(); skip the copy of a concat.
    const tail = decipher.final();
    return unframe(tail.length === 0 ? head : Buffer.concat([head, tail]));
  }

  /**
   * Verifies, decrypts and checks the owner; returns the message. `acceptedReceiveIds` defaults to
   * the configured receiveId (DingTalk accepts AppKey and CorpId, so its webhook passes both).
   */
  open(
    signature: string,
    timestamp: string,
    nonce: string,
    encrypted: string,
    acceptedReceiveIds: readonly string[] = [this.receiveId],
  ): string {
    return this.unseal(signature, timestamp, nonce, encrypted, acceptedReceiveIds).message;
  }

  /** Like `open`, and also says which accepted owner the message was for (to answer it in kind). */
  unseal(
    signature: string,
    timestamp: string,
    nonce: string,
    encrypted: string,
    acceptedReceiveIds: readonly string[] = [this.receiveId],
  ): { message: string; receiveId: string } {
    if (!this.verify(signature, timestamp, nonce, encrypted)) {
      throw new MsgCryptError('signature', 'signature does not match');
    }
    const opened = this.decrypt(encrypted);
    if (!acceptedReceiveIds.includes(opened.receiveId)) {
      throw new MsgCryptError('receiveId', 'message is addressed to another owner');
    }
    return opened;
  }

  /**
   * Encrypts `message`; returns base64. `random16` fixes the random prefix (tests); `receiveId`
   * defaults to the configured one.
   */
  encrypt(message: string, random16: Buffer = randomBytes(RANDOM_BYTES), receiveId: string = this.receiveId): string {
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    const framed = frame(message, receiveId, random16);
    return Buffer.concat([cipher.update(framed), cipher.final()]).toString('base64');
  }

  /** Encrypts and signs a reply (DingTalk's `success` answer), for `receiveId` (default: the configured one). */
  seal(message: string, timestamp: string, nonce: string, receiveId: string = this.receiveId): { encrypt: string; signature: string } {
    const encrypt = this.encrypt(message, randomBytes(RANDOM_BYTES), receiveId);
    return { encrypt, signature: this.signature(timestamp, nonce, encrypt) };
  }
}

/**
 * Standard, padded base64 only: the signature is over the exact string, so anything else is not
 * ours. Node's decoder skips characters outside the alphabet and stops at `=`, so a decoded length
 * short of what the text length promises means such a character was there; it also reads the
 * base64url `-` and `_`, which are refused separately. Cheaper than a regular expression.
 */
function strictBase64(text: string): Buffer {
  const refuse = () => new MsgCryptError('decrypt', 'ciphertext rejected: not base64');
  if (typeof text !== 'string' || text.length % 4 !== 0 || text.includes('-') || text.includes('_')) throw refuse();
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== (text.length / 4) * 3 - padding) throw refuse();
  return bytes;
}
