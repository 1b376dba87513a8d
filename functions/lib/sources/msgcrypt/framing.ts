/**
 * The plaintext frame and padding of WXBizMsgCrypt:
 * `random(16) ‖ uint32be(len(msg)) ‖ msg ‖ receiveId`, padded PKCS#7-style to a 32-byte block
 * (pad value 1..32, so an already aligned frame gets a whole block of 32s).
 */
import { isUtf8 } from 'node:buffer';
import { MsgCryptError } from './errors';

export const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const HEADER_BYTES = RANDOM_BYTES + LENGTH_BYTES;
export const PAD_BLOCK = 32;


/** Builds the padded frame; `random` must be 16 bytes. */
export function frame(message: string, receiveId: string, random: Buffer): Buffer {
  if (random.length !== RANDOM_BYTES) throw new RangeError(`random must be ${RANDOM_BYTES} bytes`);
  const msg = Buffer.from(message, 'utf8');
  const id = Buffer.from(receiveId, 'utf8');
  const unpadded = HEADER_BYTES + msg.length + id.length;
  const pad = PAD_BLOCK - (unpadded % PAD_BLOCK);
  const out = Buffer.allocUnsafe(unpadded + pad);
  random.copy(out, 0);
  // The length is the UTF-8 byte count, not the character count (gotcha §5.4).
  out.writeUInt32BE(msg.length, RANDOM_BYTES);
  msg.copy(out, HEADER_BYTES);
  id.copy(out, HEADER_BYTES + msg.length);
  out.fill(pad, unpadded);
  return out;
}

/** Checks the padding and the length field, and splits the frame into message and receiveId. */
export function unframe(padded: Buffer): { message: string; receiveId: string } {
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > padded.length) throw decryptError('bad padding');
  for (let i = padded.length - pad; i < padded.length - 1; i++) {
    if (padded[i] !== pad) throw decryptError('bad padding');
  }
  const end = padded.length - pad;
  if (end < HEADER_BYTES) throw decryptError('frame too short');
  const length = padded.readUInt32BE(RANDOM_BYTES);
  if (length > end - HEADER_BYTES) throw decryptError('length field exceeds the frame');
  const message = padded.subarray(HEADER_BYTES, HEADER_BYTES + length);
  const receiveId = padded.subarray(HEADER_BYTES + length, end);
  // Invalid UTF-8 is refused rather than silently replaced, so garbage never passes as an id.
  if (!isUtf8(message) || !isUtf8(receiveId)) throw decryptError('not UTF-8');
  return { message: message.toString('utf8'), receiveId: receiveId.toString('utf8') };
}

function decryptError(what: string): MsgCryptError {
  return new MsgCryptError('decrypt', `ciphertext rejected: ${what}`);
}
