/**
 * `@wecom/crypto` (reference/webhooks.md §4) implements the same scheme independently: everything we
 * seal it must open, and everything it produces we must open. DingTalk uses the same code with the
 * owner id = AppKey or CorpId.
 */
import { randomBytes } from 'node:crypto';
import * as fc from 'fast-check';
import * as oracle from '@wecom/crypto';
import { MsgCrypt } from '../../../../functions/lib/sources/msgcrypt';
import { DINGTALK_FIXED, WECOM_OFFICIAL } from './vectors';

const aesKeyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64').slice(0, 43));
const tokenArb = fc.stringMatching(/^[A-Za-z0-9]{3,32}$/);
const idArb = fc.oneof(fc.stringMatching(/^ding[a-z0-9]{12,28}$/), fc.stringMatching(/^ww[a-f0-9]{16}$/), fc.constant(''));
const messageArb = fc.string({ unit: 'binary', maxLength: 400 });

describe('MsgCrypt against @wecom/crypto', () => {
  it('reproduces the oracle on the official and fixed vectors', () => {
    for (const keys of [WECOM_OFFICIAL.keys, DINGTALK_FIXED.keys]) {
      const ours = new MsgCrypt(keys);
      const random = randomBytes(16);
      expect(ours.encrypt('{"EventType":"check_url"}', random)).toBe(
        oracle.encrypt(keys.aesKey, '{"EventType":"check_url"}', keys.receiveId, random),
      );
      expect(ours.signature('1', '2', 'abc')).toBe(oracle.getSignature(keys.token, '1', '2', 'abc'));
    }
  });

  it('everything we seal, the oracle verifies and decrypts', () => {
    fc.assert(
      fc.property(tokenArb, aesKeyArb, idArb, messageArb, fc.stringMatching(/^[0-9]{10,13}$/), fc.string({ minLength: 1, maxLength: 16 }),
        (token, aesKey, receiveId, message, timestamp, nonce) => {
          const sealed = new MsgCrypt({ token, aesKey, receiveId }).seal(message, timestamp, nonce);
          expect(oracle.getSignature(token, timestamp, nonce, sealed.encrypt)).toBe(sealed.signature);
          const opened = oracle.decrypt(aesKey, sealed.encrypt);
          expect(opened.message).toBe(message);
          expect(opened.id).toBe(receiveId);
        }),
      { numRuns: 2000 },
    );
  });

  it('everything the oracle produces, we open', () => {
    fc.assert(
      fc.property(tokenArb, aesKeyArb, idArb, messageArb, fc.stringMatching(/^[0-9]{10,13}$/), fc.string({ minLength: 1, maxLength: 16 }),
        (token, aesKey, receiveId, message, timestamp, nonce) => {
          const encrypted = oracle.encrypt(aesKey, message, receiveId);
          const signature = oracle.getSignature(token, timestamp, nonce, encrypted);
          expect(new MsgCrypt({ token, aesKey, receiveId }).open(signature, timestamp, nonce, encrypted)).toBe(message);
        }),
      { numRuns: 2000 },
    );
  });
});
