/**
 * WeCom's side of the shared WXBizMsgCrypt: the official sample vectors, and interoperation with
 * `@wecom/crypto` both ways, with the webhook's own configuration (CorpID as ReceiveId).
 */
import fc from 'fast-check';
import { MsgCryptError } from '../../../../functions/lib/sources/msgcrypt';
import { parseWecomWebhookConfig, wecomMsgCrypt } from '../../../../functions/lib/sources/wecom/webhookConfig';
import { KEYS, OFFICIAL, oracleDecrypt, oracleEncrypt, oracleSignature, webhookEnv } from './oracle';

const official = wecomMsgCrypt(parseWecomWebhookConfig(webhookEnv(OFFICIAL)));
const ours = wecomMsgCrypt(parseWecomWebhookConfig(webhookEnv(KEYS)));

describe('WeCom callback crypto', () => {
  describe('the official WXBizMsgCrypt vectors', () => {
    it('verifies and decrypts the URL-check echostr to its plaintext', () => {
      const { signature, timestamp, nonce, echostr, plaintext } = OFFICIAL.verify;
      expect(official.signature(timestamp, nonce, echostr)).toBe(signature);
      expect(official.open(signature, timestamp, nonce, echostr, [OFFICIAL.corpId])).toBe(plaintext);
    });

    it('verifies and decrypts the event Encrypt to its XML and CorpID', () => {
      const { signature, timestamp, nonce, encrypt, plaintext } = OFFICIAL.post;
      expect(official.verify(signature, timestamp, nonce, encrypt)).toBe(true);
      expect(official.decrypt(encrypt)).toEqual({ message: plaintext, receiveId: OFFICIAL.corpId });
    });

    it('refuses the vectors under another CorpID, and with one signature digit changed', () => {
      const { signature, timestamp, nonce, echostr } = OFFICIAL.verify;
      expect(() => official.open(signature, timestamp, nonce, echostr, ['wwsomebodyelse'])).toThrow(expect.objectContaining({ reason: 'receiveId' }));
      const forged = `${signature.slice(0, -1)}${signature.endsWith('3') ? '4' : '3'}`;
      expect(() => official.open(forged, timestamp, nonce, echostr)).toThrow(MsgCryptError);
    });
  });

  describe('against @wecom/crypto', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 300 });
    const stamp = fc.stringMatching(/^[0-9]{10}$/);
    const nonce = fc.stringMatching(/^[A-Za-z0-9]{1,16}$/);

    it('opens whatever the oracle encrypts and signs (UTF-8, any length)', () => {
      fc.assert(fc.property(text, stamp, nonce, (message, ts, n) => {
        const encrypted = oracleEncrypt(KEYS.aesKey, message, KEYS.corpId);
        const signature = oracleSignature(KEYS.token, ts, n, encrypted);
        expect(ours.open(signature, ts, n, encrypted, [KEYS.corpId])).toBe(message);
      }), { numRuns: 500 });
    });

    it('encrypts and signs what the oracle decrypts and signs identically', () => {
      fc.assert(fc.property(text, stamp, nonce, fc.uint8Array({ minLength: 16, maxLength: 16 }), (message, ts, n, random) => {
        const encrypted = ours.encrypt(message, Buffer.from(random));
        expect(oracleDecrypt(KEYS.aesKey, encrypted)).toMatchObject({ message, id: KEYS.corpId });
        expect(encrypted).toBe(oracleEncrypt(KEYS.aesKey, message, KEYS.corpId, Buffer.from(random)));
        expect(ours.signature(ts, n, encrypted)).toBe(oracleSignature(KEYS.token, ts, n, encrypted));
      }), { numRuns: 500 });
    });
  });
});
