import { parseWecomWebhookConfig } from '../../../../functions/lib/sources/wecom/webhookConfig';
import { KEYS, webhookEnv } from './oracle';
import { refusedVariables } from '../../../support/configProblems';


describe('parseWecomWebhookConfig', () => {
  it('reads the callback keys, and the replay window (300 s unless WEBHOOK_MAX_AGE_SECONDS says otherwise)', () => {
    expect(parseWecomWebhookConfig(webhookEnv())).toEqual({ ...KEYS, maxAgeSeconds: 300 });
    expect(parseWecomWebhookConfig({ ...webhookEnv(), WEBHOOK_MAX_AGE_SECONDS: '120' }).maxAgeSeconds).toBe(120);
    expect(refusedVariables(() => parseWecomWebhookConfig({ ...webhookEnv(), WEBHOOK_MAX_AGE_SECONDS: '-5' }))).toEqual(['WEBHOOK_MAX_AGE_SECONDS']);
  });

  it('requires a 43-character EncodingAESKey and a token of letters and digits', () => {
    expect(refusedVariables(() => parseWecomWebhookConfig({}))).toEqual(['WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_AES_KEY']);
    expect(refusedVariables(() => parseWecomWebhookConfig({ ...webhookEnv(), WECOM_AES_KEY: `${KEYS.aesKey}=` }))).toEqual(['WECOM_AES_KEY']);
    expect(refusedVariables(() => parseWecomWebhookConfig({ ...webhookEnv(), WECOM_TOKEN: 'a'.repeat(33) }))).toEqual(['WECOM_TOKEN']);
  });

});
