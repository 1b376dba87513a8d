import { AESCipher } from '@larksuiteoapi/node-sdk';
import fc from 'fast-check';
import { LarkCipher, larkSignature, signatureMatches } from '../../../../functions/lib/sources/lark/crypto';
import { LarkDecryptError } from '../../../../functions/lib/sources/lark/errors';

// reference/webhooks.md §2.1 (Lark's official vector) and §4 (our fixed vector).
const OFFICIAL = { key: 'test key', encrypt: 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', plaintext: 'hello world' };
const FIXED = {
  key: 'test-encrypt-key',
  iv: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
  plaintext: '{"challenge":"c-123","token":"vtok","type":"url_verification"}',
  encrypt: 'ABEiM0RVZneImaq7zN3u//GavWvmnTn9AFsYsgJxu9JDsHTYPZ8nksXp64FSMAcM8g/kK3BaYV2TImrsAS4hJ9yA3uX+wgxoEA61KugOwRg=',
  timestamp: '1700000000',
  nonce: 'n-1',
  signature: 'ac9d7de1c8eb80275de53fae63f3aaaaa4e797ae994f3ea6ada14354cec6b899',
};

describe('LarkCipher', () => {
  it("decrypts Lark's official vector", () => {
    expect(new LarkCipher(OFFICIAL.key).decrypt(OFFICIAL.encrypt)).toBe(OFFICIAL.plaintext);
  });

  it('encrypts our fixed vector byte for byte with a given IV, and decrypts it back', () => {
    const cipher = new LarkCipher(FIXED.key);
    expect(cipher.encrypt(FIXED.plaintext, FIXED.iv)).toBe(FIXED.encrypt);
    expect(cipher.decrypt(FIXED.encrypt)).toBe(FIXED.plaintext);
  });

  it("produces what the SDK's AESCipher decrypts, for any key and any text", () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ unit: 'grapheme' }), (key, text) => {
      const encrypt = new LarkCipher(key).encrypt(text);
      expect(new AESCipher(key).decrypt(encrypt)).toBe(text);
      expect(new LarkCipher(key).decrypt(encrypt)).toBe(text);
    }), { numRuns: 300 });
  });

  it('uses a fresh random IV per message', () => {
    const cipher = new LarkCipher(FIXED.key);
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it.each([
    ['not base64', 'not base64!'],
    ['base64 with a foreign character', `${FIXED.encrypt.slice(0, 40)}*${FIXED.encrypt.slice(41)}`],
    ['padding in the middle', `${FIXED.encrypt.slice(0, 40)}=${FIXED.encrypt.slice(41)}`],
    ['too short for an IV and a block', Buffer.alloc(16).toString('base64')],
    ['not whole blocks', Buffer.alloc(40).toString('base64')],
    ['unpadded base64', FIXED.encrypt.replace(/=+$/, '')],
  ])('refuses an encrypt value that is %s', (_what, encrypt) => {
    expect(() => new LarkCipher(FIXED.key).decrypt(encrypt)).toThrow(LarkDecryptError);
  });

  it('refuses a ciphertext made under another key (its padding breaks), without naming the key', () => {
    // Deterministic: fixed keys and IV. (A wrong key passes PKCS#7 about 1 time in 256; the JSON check upstream catches those.)
    const other = new LarkCipher('another key').encrypt(FIXED.plaintext, FIXED.iv);
    expect(() => new LarkCipher(FIXED.key).decrypt(other)).toThrow(LarkDecryptError);
    expect(() => new LarkCipher(FIXED.key).decrypt(other)).not.toThrow(new RegExp(FIXED.key));
  });
});

describe('larkSignature', () => {
  it('matches our fixed vector: sha256 hex of timestamp + nonce + key + the raw body', () => {
    const body = Buffer.from(JSON.stringify({ encrypt: FIXED.encrypt }));
    expect(larkSignature(FIXED.timestamp, FIXED.nonce, FIXED.key, body)).toBe(FIXED.signature);
  });

  it('covers every byte of the body: whitespace changes it', () => {
    const compact = Buffer.from(JSON.stringify({ encrypt: FIXED.encrypt }));
    const spaced = Buffer.from(JSON.stringify({ encrypt: FIXED.encrypt }, null, 1));
    expect(larkSignature('1', 'n', 'k', compact)).not.toBe(larkSignature('1', 'n', 'k', spaced));
  });
});

describe('signatureMatches', () => {
  it('accepts only the identical string', () => {
    expect(signatureMatches(FIXED.signature, FIXED.signature)).toBe(true);
    expect(signatureMatches(FIXED.signature, FIXED.signature.toUpperCase())).toBe(false);
    expect(signatureMatches(FIXED.signature, FIXED.signature.slice(1))).toBe(false);
    expect(signatureMatches(FIXED.signature, '')).toBe(false);
  });
});
