/**
 * Lark's webhook crypto (reference/webhooks.md §2.1): the request signature and the body cipher.
 * Only the Encrypt Key is secret; both are plain SHA-256 constructions, no HMAC.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LarkDecryptError } from './errors';

const IV_BYTES = 16;
const BLOCK_BYTES = 16;

/**
 * `X-Lark-Signature`: lowercase hex SHA-256 of `timestamp + nonce + encryptKey` followed by the
 * body bytes exactly as received (the SDK hashes re-serialised JSON, which differs for any body
 * that is not compact).
 *
 * @example
 * larkSignature('1700000000', 'n-1', 'test-encrypt-key', rawBody) // 'ac9d7de1…'
 */
export function larkSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8').update(rawBody).digest('hex');
}

/** Compares in constant time (for equal lengths), so a forger learns nothing from timing. */
export function signatureMatches(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(received, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * AES-256-CBC with `key = SHA-256(encryptKey)`; the message is `base64(iv ‖ ciphertext)` with a
 * random 16-byte IV and PKCS#7 padding. Build one per key and reuse it: the key hash is done once.
 *
 * @example
 * new LarkCipher('test key').decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=') // 'hello world'
 */
export class LarkCipher {
  private readonly key: Buffer;

  constructor(encryptKey: string) {
    this.key = createHash('sha256').update(encryptKey, 'utf8').digest();
  }

  /** @throws LarkDecryptError when the value is not base64, has the wrong length, or its padding is wrong */
  decrypt(encrypt: string): string {
    const bytes = Buffer.from(encrypt, 'base64');
    // Node skips characters outside the alphabet, so a shorter result means the text was not base64
    // (cheaper than a regular expression over the whole string, which cost more than the AES).
    const padding = encrypt.endsWith('==') ? 2 : encrypt.endsWith('=') ? 1 : 0;
    if (encrypt.length % 4 !== 0 || bytes.length !== (encrypt.length / 4) * 3 - padding) {
      throw new LarkDecryptError('encrypt is not base64');
    }
    if (bytes.length < IV_BYTES + BLOCK_BYTES || bytes.length % BLOCK_BYTES !== 0) {
      throw new LarkDecryptError(`encrypt is ${bytes.length} bytes; expected a 16-byte IV and whole 16-byte blocks`);
    }
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, bytes.subarray(0, IV_BYTES));
      return decipher.update(bytes.subarray(IV_BYTES), undefined, 'utf8') + decipher.final('utf8');
    } catch (error) {
      // Bad padding: another key, or bytes that were never ours. OpenSSL's message says nothing secret.
      throw new LarkDecryptError('encrypt does not decrypt under the configured Encrypt Key', { cause: error });
    }
  }

  /** What Lark sends: `base64(iv ‖ AES-256-CBC(plaintext))`. The IV is random unless given (test vectors). */
  encrypt(plaintext: string, iv: Buffer = randomBytes(IV_BYTES)): string {
    if (iv.length !== IV_BYTES) throw new RangeError(`the IV must be ${IV_BYTES} bytes`);
    const cipher = createCipheriv('aes-256-cbc', this.key, iv);
    return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
  }
}
