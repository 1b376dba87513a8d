import { parseLarkWebhookConfig } from '../../../../functions/lib/sources/lark/webhookConfig';
import { refusedVariables } from '../../../support/configProblems';


describe('parseLarkWebhookConfig', () => {
  it('needs only the verification token; defaults to union_id and a 300 s window', () => {
    expect(parseLarkWebhookConfig({ LARK_VERIFICATION_TOKEN: ' vt ' })).toEqual({ verificationToken: 'vt', maxAgeSeconds: 300, userIdType: 'union_id' });
  });

  it('reads the Encrypt Key, the window and the id type', () => {
    expect(parseLarkWebhookConfig({
      LARK_VERIFICATION_TOKEN: 'vt', LARK_ENCRYPT_KEY: 'ek', LARK_MAX_AGE_SECONDS: '60', LARK_USER_ID_TYPE: 'open_id',
    })).toEqual({ verificationToken: 'vt', encryptKey: 'ek', maxAgeSeconds: 60, userIdType: 'open_id' });
  });

  it('names every missing or malformed variable, and no value', () => {
    expect(refusedVariables(() => parseLarkWebhookConfig({ LARK_MAX_AGE_SECONDS: '5m', LARK_USER_ID_TYPE: 'email', LARK_ENCRYPT_KEY: 'sekrit' })))
      .toEqual(['LARK_VERIFICATION_TOKEN', 'LARK_MAX_AGE_SECONDS', 'LARK_USER_ID_TYPE']);
    expect(() => parseLarkWebhookConfig({ LARK_ENCRYPT_KEY: 'sekrit' })).not.toThrow(/sekrit/);
    expect(refusedVariables(() => parseLarkWebhookConfig({ LARK_VERIFICATION_TOKEN: 'vt', LARK_MAX_AGE_SECONDS: '0' }))).toEqual(['LARK_MAX_AGE_SECONDS']);
  });
});
