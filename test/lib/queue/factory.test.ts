import type { ChangeBatch } from '../../../functions/lib/core/model';
import { parseQueueConfig, type FcQueueConfig } from '../../../functions/lib/queue/config';
import { QueuePublishError } from '../../../functions/lib/queue/errors';
import { createFcQueue, fcInvokeEndpoint, type FcQueueDeps } from '../../../functions/lib/queue/factory';
import { startFcInvokeServer, type FcInvokeServer } from '../../support/fcInvokeServer';

describe('createFcQueue', () => {
  let fc: FcInvokeServer;
  let context: { accountId?: string; region?: string; credentials?: { accessKeyId: string; accessKeySecret: string; securityToken?: string } };
  const deps: FcQueueDeps = {
    accountId: () => context.accountId, region: () => context.region, credentials: () => context.credentials,
    publish: { retryDelayMs: 1 },
  };
  const change = { source: 'dingtalk' as const, kind: 'user' as const, sourceId: '0123', reason: 'user_modify_org' };

  beforeEach(async () => {
    fc = await startFcInvokeServer();
    context = {
      accountId: '1234567890', region: 'cn-hangzhou',
      credentials: { accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' },
    };
  });
  afterEach(() => fc.close());

  it('publishes through FC 3.0 at FC_INVOKE_ENDPOINT with the context\'s credentials', async () => {
    const config = parseQueueConfig({ FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push', PUSH_QUALIFIER: 'LATEST' });
    const [batch] = await createFcQueue(config as FcQueueConfig, deps).publish([change]);
    expect(fc.invocations).toEqual([expect.objectContaining({ api: 'fc3', functionName: 'push', qualifier: 'LATEST' })]);
    expect(JSON.parse(fc.invocations[0]!.body.toString('utf8')) as ChangeBatch).toEqual(batch);
  });

  it('rejects with a QueuePublishError when the context has no credentials', async () => {
    context.credentials = undefined;
    const config = parseQueueConfig({ FC_INVOKE_ENDPOINT: fc.url }) as FcQueueConfig;
    const error = await createFcQueue(config, deps).publish([change]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueuePublishError);
    expect((error as QueuePublishError).failures[0]).toMatchObject({ code: 'MissingSetting', retryable: false });
  });

  it('derives the endpoint from the context\'s account and region, failing clearly without them', async () => {
    expect(fcInvokeEndpoint('1234567890', 'cn-shanghai')).toBe('1234567890.cn-shanghai.fc.aliyuncs.com');
    context.region = undefined;
    const error = await createFcQueue({ kind: 'fc3', functionName: 'push' }, deps).publish([change]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueuePublishError);
    expect((error as QueuePublishError).message).toMatch(/MissingSetting.*no FC region in the function context/);
  });
});
