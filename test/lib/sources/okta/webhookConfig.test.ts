import { parseOktaWebhookConfig } from '../../../../functions/lib/sources/okta/webhookConfig';
import { refusedVariables } from '../../../support/configProblems';

const SECRET = 'Basic YWRtaW46c3VwZXJzZWNyZXQ=';

describe('parseOktaWebhookConfig', () => {
  it('needs only the secret, kept exactly as set; the header defaults to Authorization (lower-cased, as headers arrive)', () => {
    expect(parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: SECRET })).toEqual({ secret: SECRET, headerName: 'authorization', departments: 'groups' });
  });

  it('reads a custom Authentication field and the departments mode the source uses', () => {
    expect(parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: SECRET, OKTA_EVENT_HOOK_HEADER: 'X-Okta-Hook-Key', OKTA_DEPARTMENTS: 'attribute' }))
      .toEqual({ secret: SECRET, headerName: 'x-okta-hook-key', departments: 'attribute' });
  });

  it('names every missing or unusable variable, and no value', () => {
    expect(refusedVariables(() => parseOktaWebhookConfig({ OKTA_EVENT_HOOK_HEADER: 'Bad Header:', OKTA_DEPARTMENTS: 'ou' })))
      .toEqual(['OKTA_EVENT_HOOK_SECRET', 'OKTA_EVENT_HOOK_HEADER', 'OKTA_DEPARTMENTS']);
    for (const secret of [' padded-secret-value-1234', 'padded-secret-value-1234 ', 'line\nbreak-secret-value-1234', 'short-secret']) {
      expect(refusedVariables(() => parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: secret }))).toEqual(['OKTA_EVENT_HOOK_SECRET']);
      expect(() => parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: secret })).not.toThrow(secret);
    }
    for (const header of ['Content-Type', 'x-okta-verification-challenge', 'Host']) {
      expect(refusedVariables(() => parseOktaWebhookConfig({ OKTA_EVENT_HOOK_SECRET: SECRET, OKTA_EVENT_HOOK_HEADER: header }))).toEqual(['OKTA_EVENT_HOOK_HEADER']);
    }
  });
});
