import { createCipheriv } from 'node:crypto';
import { MsgCrypt, MsgCryptConfigError, MsgCryptError } from '../../../../functions/lib/sources/msgcrypt';
import { DINGTALK_FIXED, WECOM_OFFICIAL } from './vectors';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof MsgCryptError) return error.reason;
    throw error;
  }
  return undefined;
}

/** Encrypts a hand-made plaintext frame, for malformations our own encrypt() never produces. */
function encryptRaw(aesKey: string, plain: Buffer): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

describe('MsgCrypt', () => {
  describe('with the official WeCom WXBizMsgCrypt vectors', () => {
    const crypt = new MsgCrypt(WECOM_OFFICIAL.keys);

    it('opens the URL-verification echostr', () => {
      const { signature, timestamp, nonce, encrypted, message } = WECOM_OFFICIAL.verify;
      expect(crypt.open(signature, timestamp, nonce, encrypted)).toBe(message);
    });

    it('opens the POSTed event and reports its receiveId', () => {
      const { signature, timestamp, nonce, encrypted, message } = WECOM_OFFICIAL.post;
      expect(crypt.signature(timestamp, nonce, encrypted)).toBe(signature);
      expect(crypt.decrypt(encrypted)).toEqual({ message, receiveId: WECOM_OFFICIAL.keys.receiveId });
      expect(crypt.open(signature, timestamp, nonce, encrypted)).toBe(message);
    });
  });

  describe('with the DingTalk fixed vectors', () => {
    const crypt = new MsgCrypt(DINGTALK_FIXED.keys);

    it.each([DINGTALK_FIXED.checkUrl, DINGTALK_FIXED.success])('encrypts and signs $message byte for byte', (v) => {
      const encrypted = crypt.encrypt(v.message, Buffer.from(v.random, 'latin1'));
      expect(encrypted).toBe(v.encrypted);
      expect(crypt.signature(v.timestamp, v.nonce, encrypted)).toBe(v.signature);
      expect(crypt.open(v.signature, v.timestamp, v.nonce, v.encrypted)).toBe(v.message);
    });

    it('seals a reply that it opens again', () => {
      const reply = crypt.seal('success', '1700000000002', 'n0nce');
      expect(crypt.open(reply.signature, '1700000000002', 'n0nce', reply.encrypt)).toBe('success');
    });

    it('counts the length in UTF-8 bytes, so non-ASCII messages round-trip', () => {
      const message = '{"name":"张三","emoji":"🙂"}';
      expect(crypt.decrypt(crypt.encrypt(message)).message).toBe(message);
    });
  });

  describe('refusing', () => {
    const crypt = new MsgCrypt(DINGTALK_FIXED.keys);
    const { signature, timestamp, nonce, encrypted } = DINGTALK_FIXED.checkUrl;

    it('a wrong or differently cased signature, with reason "signature"', () => {
      expect(reasonOf(() => crypt.open('0'.repeat(40), timestamp, nonce, encrypted))).toBe('signature');
      expect(reasonOf(() => crypt.open(signature.toUpperCase(), timestamp, nonce, encrypted))).toBe('signature');
      expect(reasonOf(() => crypt.open('', timestamp, nonce, encrypted))).toBe('signature');
      // 'š' is U+0161: its low byte is 'a', which a latin1 comparison would take for the real thing.
      const lookAlike = signature.replace(/[a-f]/, (c) => String.fromCharCode(0x100 + c.charCodeAt(0)));
      expect(reasonOf(() => crypt.open(lookAlike, timestamp, nonce, encrypted))).toBe('signature');
      expect(reasonOf(() => crypt.open(signature, '1700000000009', nonce, encrypted))).toBe('signature');
    });

    it('a message for another owner, with reason "receiveId"', () => {
      const other = new MsgCrypt({ ...DINGTALK_FIXED.keys, receiveId: 'dingOTHER' });
      const sealed = other.seal('{"EventType":"check_url"}', timestamp, nonce);
      expect(reasonOf(() => crypt.open(sealed.signature, timestamp, nonce, sealed.encrypt))).toBe('receiveId');
      expect(crypt.open(sealed.signature, timestamp, nonce, sealed.encrypt, ['dingappkey0001', 'dingOTHER'])).toBe(
        '{"EventType":"check_url"}',
      );
    });

    it.each([
      ['not base64', 'not*base64!'],
      ['base64url', encrypted.replace(/\//g, '_')],
      ['empty', ''],
      ['a length that is not a 32-byte multiple', Buffer.alloc(48).toString('base64')],
    ])('ciphertext that is %s, with reason "decrypt"', (_, bad) => {
      expect(reasonOf(() => crypt.decrypt(bad))).toBe('decrypt');
      expect(reasonOf(() => crypt.open(crypt.signature(timestamp, nonce, bad), timestamp, nonce, bad))).toBe('decrypt');
    });

    it.each([
      ['a pad value of 0', Buffer.concat([Buffer.alloc(31, 1), Buffer.from([0])])],
      ['a pad value above 32', Buffer.concat([Buffer.alloc(31, 1), Buffer.from([33])])],
      ['inconsistent pad bytes', Buffer.concat([Buffer.alloc(30, 0), Buffer.from([7, 2])])],
      ['a length field beyond the frame', Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 1, 0]), Buffer.alloc(11), Buffer.from([1])])],
      ['a frame shorter than its header', Buffer.alloc(32, 32)],
      ['a message that is not UTF-8', Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 0, 2, 0xff, 0xfe]), Buffer.alloc(10, 10)])],
    ])('plaintext with %s, with reason "decrypt"', (_, frame) => {
      expect(reasonOf(() => crypt.decrypt(encryptRaw(DINGTALK_FIXED.keys.aesKey, frame)))).toBe('decrypt');
    });
  });

  describe('configuration', () => {
    it.each([
      ['42 characters', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF'],
      ['44 characters', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG='],
      ['a non-base64 character', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF-'],
    ])('refuses an aesKey of %s without echoing it', (_, aesKey) => {
      expect(() => new MsgCrypt({ ...DINGTALK_FIXED.keys, aesKey })).toThrow(MsgCryptConfigError);
      expect(() => new MsgCrypt({ ...DINGTALK_FIXED.keys, aesKey })).not.toThrow(new RegExp(aesKey.slice(0, 20)));
    });

    it('refuses an empty token', () => {
      expect(() => new MsgCrypt({ ...DINGTALK_FIXED.keys, token: '' })).toThrow(MsgCryptConfigError);
    });

    it('accepts a key whose last character leaves non-zero trailing bits', () => {
      const crypt = new MsgCrypt({ ...DINGTALK_FIXED.keys, aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFH' });
      expect(crypt.decrypt(crypt.encrypt('x')).message).toBe('x');
    });
  });
});

describe('MsgCrypt with several accepted owners', () => {
  const crypt = new MsgCrypt(DINGTALK_FIXED.keys);

  it('unseals a message for a second accepted owner and seals the answer for that owner', () => {
    const sealed = crypt.seal('{"EventType":"user_add_org"}', '1', '2', 'dingcorp0001');
    const opened = crypt.unseal(sealed.signature, '1', '2', sealed.encrypt, ['dingappkey0001', 'dingcorp0001']);
    expect(opened).toEqual({ message: '{"EventType":"user_add_org"}', receiveId: 'dingcorp0001' });
    expect(crypt.decrypt(crypt.seal('success', '3', '4', opened.receiveId).encrypt).receiveId).toBe('dingcorp0001');
  });
});
