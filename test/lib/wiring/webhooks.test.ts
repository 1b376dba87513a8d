import { ConfigError } from '../../../functions/lib/core/errors';
import { dingtalkPollFromEnv, dingtalkWebhookFromEnv as parseDingtalkWebhookEnv, wecomWebhookFromEnv } from '../../../functions/lib/wiring/webhooks';
import { WEBHOOK_ENV } from '../sources/dingtalk/callbacks';
import { webhookEnv } from '../sources/wecom/oracle';
import { refusedVariables } from '../../support/configProblems';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseDingtalkWebhookEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('dingtalkWebhookFromEnv', () => {
  it('accepts the AppKey and the CorpId as owners, and defaults the queue to FC 3.0 push', () => {
    const { webhook, queue } = parseDingtalkWebhookEnv(WEBHOOK_ENV);
    expect(webhook.receiveIds).toEqual([WEBHOOK_ENV.DINGTALK_APP_KEY, WEBHOOK_ENV.DINGTALK_CORP_ID]);
    expect(queue).toEqual({ kind: 'fc3', functionName: 'push' });
  });

  it('needs only one of AppKey and CorpId', () => {
    const { DINGTALK_APP_KEY: _, ...corpOnly } = WEBHOOK_ENV;
    expect(parseDingtalkWebhookEnv(corpOnly).webhook.receiveIds).toEqual([WEBHOOK_ENV.DINGTALK_CORP_ID]);
  });

  it('bounds callbacks to WEBHOOK_MAX_AGE_SECONDS, 300 s by default, and names a bad value', () => {
    expect(parseDingtalkWebhookEnv(WEBHOOK_ENV).webhook.maxAgeSeconds).toBe(300);
    expect(parseDingtalkWebhookEnv({ ...WEBHOOK_ENV, WEBHOOK_MAX_AGE_SECONDS: '60' }).webhook.maxAgeSeconds).toBe(60);
    for (const bad of ['0', '5m', '86401']) expect(problemsOf({ ...WEBHOOK_ENV, WEBHOOK_MAX_AGE_SECONDS: bad })).toEqual(['WEBHOOK_MAX_AGE_SECONDS']);
  });

  it('names every missing or malformed variable at once', () => {
    expect(problemsOf({})).toEqual(['DINGTALK_TOKEN', 'DINGTALK_AES_KEY', 'DINGTALK_APP_KEY']);
    expect(problemsOf({ ...WEBHOOK_ENV, DINGTALK_AES_KEY: 'x'.repeat(42), QUEUE_KIND: 'sqlite' })).toEqual(['DINGTALK_AES_KEY', 'QUEUE_KIND']);
  });
});

describe('wecomWebhookFromEnv', () => {
  it('takes the FC queue with it, and refuses the local SQLite queue', () => {
    expect(wecomWebhookFromEnv({ ...webhookEnv(), PUSH_FUNCTION_NAME: 'push-2' }).queue).toEqual({ kind: 'fc3', functionName: 'push-2' });
    expect(refusedVariables(() => wecomWebhookFromEnv({ QUEUE_KIND: 'sqlite' }))).toEqual(['WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_AES_KEY', 'QUEUE_KIND']);
  });});

describe('dingtalkPollFromEnv', () => {
  it('needs the app credentials and an FC queue, naming what is missing', () => {
    const problems = (env: Record<string, string>) => {
      try {
        dingtalkPollFromEnv(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.variable);
      }
    };
    expect(problems({})).toEqual(['DINGTALK_APP_KEY']);
    expect(problems({ DINGTALK_APP_KEY: 'k', QUEUE_KIND: 'sqlite' })).toEqual(['DINGTALK_APP_SECRET', 'QUEUE_KIND']);
    expect(dingtalkPollFromEnv({ DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's' }).queue).toEqual({ kind: 'fc3', functionName: 'push' });
  });});
