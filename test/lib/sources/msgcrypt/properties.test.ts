import * as fc from 'fast-check';
import { MsgCrypt, MsgCryptError } from '../../../../functions/lib/sources/msgcrypt';
import { DINGTALK_FIXED } from './vectors';

const crypt = new MsgCrypt(DINGTALK_FIXED.keys);
const messageArb = fc.string({ unit: 'binary', maxLength: 300 });
const timestampArb = fc.stringMatching(/^[0-9]{13}$/);
const nonceArb = fc.stringMatching(/^[A-Za-z0-9]{1,16}$/);

/** Flips one bit of a string's bytes, read as latin1 so every byte stays one character. */
function flipBit(text: string, bit: number): string {
  const bytes = Buffer.from(text, 'latin1');
  const at = bit % (bytes.length * 8);
  bytes[at >> 3] = (bytes[at >> 3] ?? 0) ^ (1 << (at & 7));
  return bytes.toString('latin1');
}

/** The refusal reason, failing the property on anything but a MsgCryptError. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MsgCryptError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('MsgCrypt properties', () => {
  it('opens whatever it seals', () => {
    fc.assert(
      fc.property(messageArb, timestampArb, nonceArb, (message, timestamp, nonce) => {
        const { encrypt, signature } = crypt.seal(message, timestamp, nonce);
        expect(crypt.open(signature, timestamp, nonce, encrypt)).toBe(message);
      }),
      { numRuns: 10_000 },
    );
  });

  it('refuses any single-bit change of the signature, with reason "signature"', () => {
    fc.assert(
      fc.property(messageArb, timestampArb, nonceArb, fc.nat(), (message, timestamp, nonce, bit) => {
        const { encrypt, signature } = crypt.seal(message, timestamp, nonce);
        expect(refusal(() => crypt.open(flipBit(signature, bit), timestamp, nonce, encrypt))).toBe('signature');
      }),
      { numRuns: 10_000 },
    );
  });

  it('refuses any single-bit change of the ciphertext text, never crashing', () => {
    fc.assert(
      fc.property(messageArb, timestampArb, nonceArb, fc.nat(), (message, timestamp, nonce, bit) => {
        const { encrypt, signature } = crypt.seal(message, timestamp, nonce);
        expect(refusal(() => crypt.open(signature, timestamp, nonce, flipBit(encrypt, bit)))).toBe('signature');
      }),
      { numRuns: 10_000 },
    );
  });

  it('decrypts or refuses with reason "decrypt" any ciphertext, even re-signed, never crashing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')),
          // Valid base64 whose bytes are a block-aligned multiple: exercises padding and length checks.
          fc.integer({ min: 1, max: 6 }).chain((n) => fc.uint8Array({ minLength: 32 * n, maxLength: 32 * n })).map((b) => Buffer.from(b).toString('base64')),
        ),
        (encrypted) => {
          const signature = crypt.signature('1', '2', encrypted);
          expect(['decrypt', 'receiveId', 'accepted']).toContain(refusal(() => crypt.open(signature, '1', '2', encrypted)));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('refuses a ciphertext truncated or extended by any number of bytes', () => {
    fc.assert(
      fc.property(messageArb, fc.integer({ min: -64, max: 64 }).filter((n) => n !== 0), (message, delta) => {
        const bytes = Buffer.from(crypt.encrypt(message), 'base64');
        const changed = delta < 0 ? bytes.subarray(0, Math.max(0, bytes.length + delta)) : Buffer.concat([bytes, Buffer.alloc(delta, 7)]);
        const encrypted = changed.toString('base64');
        const signature = crypt.signature('1', '2', encrypted);
        // Only whole-block truncations can still decrypt; then the owner id (now lost) refuses them.
        expect(['decrypt', 'receiveId']).toContain(refusal(() => crypt.open(signature, '1', '2', encrypted)));
      }),
      { numRuns: 10_000 },
    );
  });
});
