import { inspect } from 'node:util';
import type { Change, ChangeBatch } from '../../../functions/lib/core/model';
import { parseQueueConfig, type FcQueueConfig } from '../../../functions/lib/queue/config';
import { QueuePublishError } from '../../../functions/lib/queue/errors';
import { createFcQueue } from '../../../functions/lib/queue/factory';
import { Fc2AsyncQueue, type Fc2AsyncQueueOptions } from '../../../functions/lib/queue/Fc2AsyncQueue';
import { startFcInvokeServer, type FcInvokeServer } from '../../support/fcInvokeServer';
import { itSendsTaskIds } from './taskIdCases';

const changes = (n: number, hintBytes = 0): Change[] => Array.from({ length: n }, (_, i) => ({
  source: 'ad', kind: 'user', sourceId: `guid-${i}`, reason: 'usn',
  ...(hintBytes > 0 && { hint: { note: 'n'.repeat(hintBytes) } }),
}));

async function rejection(promise: Promise<unknown>): Promise<QueuePublishError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(QueuePublishError);
  return error as QueuePublishError;
}

describe('Fc2AsyncQueue (FC 2.0)', () => {
  let fc: FcInvokeServer;
  const credentials = { accessKeyId: 'STS.fc2-akid', accessKeySecret: 'fc2-test-secret', securityToken: 'fc2-sts-token' };

  beforeEach(async () => {
    fc = await startFcInvokeServer(credentials);
  });
  afterEach(() => fc.close());

  const queue = (options: Partial<Fc2AsyncQueueOptions> = {}) => new Fc2AsyncQueue({
    serviceName: 'ram-sync', functionName: 'push', accountId: () => '1234567890', region: () => 'cn-hangzhou',
    credentials: () => credentials, endpoint: fc.url, retryDelayMs: 1, ...options,
  });

  itSendsTaskIds('x-fc-stateful-async-invocation-id', () => fc, (options) => queue(options));

  it('invokes the function asynchronously with the batch JSON as the signed body', async () => {
    const published = await queue().publish(changes(2));
    expect(fc.rejected).toEqual([]);
    expect(fc.invocations).toHaveLength(1);
    const [call] = fc.invocations;
    expect(call).toMatchObject({
      api: 'fc2', path: '/2016-08-15/services/ram-sync/functions/push/invocations', serviceName: 'ram-sync', functionName: 'push',
    });
    expect(call!.headers['x-fc-invocation-type']).toBe('Async');
    expect(call!.headers['x-fc-account-id']).toBe('1234567890');
    expect(call!.headers.authorization).toMatch(/^FC STS\.fc2-akid:/);
    expect(JSON.parse(call!.body.toString('utf8'))).toEqual(published[0]);
  });

  it('addresses a qualifier as <service>.<qualifier>', async () => {
    await queue({ qualifier: 'LATEST' }).publish(changes(1));
    expect(fc.invocations[0]).toMatchObject({ path: '/2016-08-15/services/ram-sync.LATEST/functions/push/invocations', qualifier: 'LATEST' });
  });

  it('publishes several batches in parallel', async () => {
    await fc.close();
    fc = await startFcInvokeServer({ ...credentials, delayMs: 200 });
    const published = await queue({ concurrency: 4 }).publish(changes(5, 70 * 1024));
    expect(published).toHaveLength(5);
    expect(fc.maxInFlight).toBeGreaterThan(1);
    expect(fc.maxInFlight).toBeLessThanOrEqual(4);
    const received = fc.invocations.map((i) => (JSON.parse(i.body.toString('utf8')) as ChangeBatch).id).sort();
    expect(received).toEqual(published.map((b) => b.id).sort());
  });

  it('rejects with a QueuePublishError when the signature does not match, naming no secret', async () => {
    const wrong = { ...credentials, accessKeySecret: 'fc2-wrong-secret' };
    const error = await rejection(queue({ credentials: () => wrong }).publish(changes(1)));
    expect(fc.rejected).toEqual(['SignatureNotMatch']);
    expect(error.failures[0]).toMatchObject({ code: 'SignatureNotMatch', status: 403, retryable: false });
    const everything = inspect(error, { depth: 10 });
    expect(everything).not.toContain('fc2-wrong-secret');
    expect(everything).not.toContain('fc2-sts-token');
  });

  it('rejects a retryable failure after the retry, and recovers from a single one', async () => {
    fc.failNext(1, 503);
    await queue().publish(changes(1));
    expect(fc.invocations).toHaveLength(1);

    fc.failNext(2, 'drop');
    const error = await rejection(queue().publish(changes(1)));
    expect(error.retryable).toBe(true);
    expect(error.failures[0]).toMatchObject({ code: 'NetworkError' });
    expect(fc.invocations).toHaveLength(1);
  });

  it('surfaces FC\'s EntityTooLarge as a final failure', async () => {
    const error = await rejection(queue({ batch: { maxBytes: 200 * 1024 } }).publish(changes(1, 140 * 1024)));
    expect(error.failures[0]).toMatchObject({ code: 'EntityTooLarge', status: 413, retryable: false });
  });

  it('fails without an account id or region in the context', async () => {
    const error = await rejection(queue({ region: () => '' }).publish(changes(1)));
    expect(error.failures[0]).toMatchObject({ code: 'MissingSetting', retryable: false });
  });

  it('fails as a configuration fault on an STS key without its token', async () => {
    const error = await rejection(queue({ credentials: () => ({ accessKeyId: 'STS.x', accessKeySecret: 'fc2-test-secret' }) })
      .publish(changes(1)));
    expect(error.failures[0]).toMatchObject({ code: 'InvalidConfig', retryable: false });
  });

  it('is what createFcQueue builds for QUEUE_KIND=fc2, reading the context per publish', async () => {
    const config = parseQueueConfig({ QUEUE_KIND: 'fc2', PUSH_SERVICE_NAME: 'ram-sync', FC_INVOKE_ENDPOINT: fc.endpoint });
    const queue = createFcQueue(config as FcQueueConfig, {
      accountId: () => '42', region: () => 'cn-beijing', credentials: () => credentials,
    });
    await queue.publish(changes(1));
    expect(fc.invocations).toEqual([expect.objectContaining({ api: 'fc2', serviceName: 'ram-sync', functionName: 'push' })]);
    expect(fc.invocations[0]!.headers['x-fc-account-id']).toBe('42');
  });
});
