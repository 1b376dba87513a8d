import { inspect } from 'node:util';
import type { Change, ChangeBatch } from '../../../functions/lib/core/model';
import { QueuePublishError } from '../../../functions/lib/queue/errors';
import { FcAsyncQueue, parseFcEndpoint, type FcAsyncQueueOptions } from '../../../functions/lib/queue/FcAsyncQueue';
import { startFcInvokeServer, type FcInvokeServer } from '../../support/fcInvokeServer';
import { itSendsTaskIds } from './taskIdCases';

const changes = (n: number, hintBytes = 0): Change[] => Array.from({ length: n }, (_, i) => ({
  source: 'wecom', kind: 'user', sourceId: `u${i}`, reason: 'update_user',
  ...(hintBytes > 0 && { hint: { note: 'n'.repeat(hintBytes) } }),
}));

async function rejection(promise: Promise<unknown>): Promise<QueuePublishError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(QueuePublishError);
  return error as QueuePublishError;
}

describe('FcAsyncQueue (FC 3.0)', () => {
  let fc: FcInvokeServer;
  const credentials = { accessKeyId: 'STS.fc-test-akid', accessKeySecret: 'fc-test-secret', securityToken: 'sts-token-value' };

  beforeEach(async () => {
    fc = await startFcInvokeServer({ accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, securityToken: credentials.securityToken });
  });
  afterEach(() => fc.close());

  const queue = (options: Partial<FcAsyncQueueOptions> = {}) => new FcAsyncQueue({
    functionName: 'push', endpoint: () => fc.url, credentials: () => credentials, retryDelayMs: 1, ...options,
  });

  itSendsTaskIds('x-fc-async-task-id', () => fc, (options) => queue(options));

  it('invokes the function asynchronously with the batch JSON as the signed body', async () => {
    const published = await queue().publish(changes(3));
    expect(published).toHaveLength(1);
    expect(fc.rejected).toEqual([]);
    expect(fc.invocations).toHaveLength(1);
    const [call] = fc.invocations;
    expect(call).toMatchObject({ api: 'fc3', path: '/2023-03-30/functions/push/invocations', functionName: 'push' });
    expect(call!.headers['x-fc-invocation-type']).toBe('Async');
    expect(call!.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=STS\.fc-test-akid,/);
    expect(JSON.parse(call!.body.toString('utf8'))).toEqual(published[0]);
    expect(published[0]).toMatchObject({ v: 1, changes: changes(3) });
  });

  it('sends the qualifier when one is configured', async () => {
    await queue({ qualifier: 'prod' }).publish(changes(1));
    expect(fc.invocations[0]).toMatchObject({ qualifier: 'prod' });
  });

  it('accepts a bare loopback host:port as the endpoint', async () => {
    await queue({ endpoint: () => fc.endpoint }).publish(changes(1));
    expect(fc.invocations).toHaveLength(1);
  });

  it('publishes nothing for no changes', async () => {
    expect(await queue().publish([])).toEqual([]);
    expect(fc.invocations).toEqual([]);
  });

  it('publishes several batches in parallel, one invocation each, each under 128 KiB', async () => {
    await fc.close();
    fc = await startFcInvokeServer({ ...credentials, delayMs: 200 });
    const published = await queue({ concurrency: 3 }).publish(changes(6, 60 * 1024));
    expect(published).toHaveLength(6);
    expect(fc.invocations).toHaveLength(6);
    expect(fc.maxInFlight).toBeGreaterThan(1);
    expect(fc.maxInFlight).toBeLessThanOrEqual(3);
    const received = fc.invocations.map((i) => JSON.parse(i.body.toString('utf8')) as ChangeBatch);
    expect(received.map((b) => b.id).sort()).toEqual(published.map((b) => b.id).sort());
    for (const i of fc.invocations) expect(i.body.length).toBeLessThan(128 * 1024);
  });

  it('reads the endpoint and the credentials per publish, so rotated STS credentials are used', async () => {
    let current = { ...credentials, securityToken: 'old-token' };
    const q = queue({ credentials: () => current });
    const refused = await rejection(q.publish(changes(1)));
    expect(refused.failures[0]).toMatchObject({ code: 'InvalidSecurityToken', status: 403, retryable: false });
    current = credentials;
    await q.publish(changes(1));
    expect(fc.invocations).toHaveLength(1);
  });

  it('rejects with a QueuePublishError when the signature does not match, naming no secret', async () => {
    const wrong = { ...credentials, accessKeySecret: 'a-wrong-secret' };
    const error = await rejection(queue({ credentials: () => wrong }).publish(changes(1)));
    expect(fc.rejected).toEqual(['SignatureDoesNotMatch']);
    expect(error.failures).toEqual([expect.objectContaining({ code: 'SignatureDoesNotMatch', status: 400, retryable: false })]);
    expect(fc.invocations).toEqual([]);
    const everything = inspect(error, { depth: 10 });
    expect(everything).not.toContain('a-wrong-secret');
    expect(everything).not.toContain('sts-token-value');
  });

  it('retries a server error once and then succeeds', async () => {
    fc.failNext(1, 500);
    await queue().publish(changes(1));
    expect(fc.invocations).toHaveLength(1);
  });

  it('rejects with a retryable QueuePublishError when FC keeps failing', async () => {
    fc.failNext(2, 500);
    const error = await rejection(queue().publish(changes(1)));
    expect(error).toMatchObject({ retryable: true, accepted: [] });
    expect(error.failures[0]).toMatchObject({ code: 'InternalError', status: 500 });
    expect(error.cause).toBeDefined();
  });

  it('rejects when the connection drops, and reports which batches were accepted', async () => {
    fc.failNext(2, 'drop');
    const q = queue({ concurrency: 1 });
    const error = await rejection(q.publish(changes(2, 100 * 1024)));
    expect(error.retryable).toBe(true);
    expect(error.failures).toEqual([expect.objectContaining({ code: 'NetworkError', retryable: true })]);
    expect(error.accepted).toHaveLength(1);
    expect(fc.invocations).toHaveLength(1);
  });

  it('surfaces FC\'s EntityTooLarge as a final failure', async () => {
    const error = await rejection(queue({ batch: { maxBytes: 200 * 1024 } }).publish(changes(1, 140 * 1024)));
    expect(error.failures[0]).toMatchObject({ code: 'EntityTooLarge', status: 413, retryable: false });
    expect(fc.invocations).toEqual([]);
  });

  it('fails when the function context has no credentials', async () => {
    const error = await rejection(queue({ credentials: () => ({ accessKeyId: '', accessKeySecret: '' }) }).publish(changes(1)));
    expect(error.failures[0]).toMatchObject({ code: 'MissingSetting', retryable: false });
  });

  it('times out a hanging endpoint within timeoutMs', async () => {
    await fc.close();
    fc = await startFcInvokeServer({ ...credentials, delayMs: 2_000 });
    const started = Date.now();
    const error = await rejection(queue({ timeoutMs: 300, attempts: 1 }).publish(changes(1)));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.failures[0]).toMatchObject({ code: 'Timeout', retryable: true });
  });
});

describe('parseFcEndpoint', () => {
  it('defaults to https for an FC host and http for a bare loopback address', () => {
    expect(parseFcEndpoint('123.cn-hangzhou.fc.aliyuncs.com')).toEqual({ protocol: 'https', host: '123.cn-hangzhou.fc.aliyuncs.com' });
    expect(parseFcEndpoint('127.0.0.1:9100')).toEqual({ protocol: 'http', host: '127.0.0.1:9100' });
    expect(parseFcEndpoint('http://127.0.0.1:9100/')).toEqual({ protocol: 'http', host: '127.0.0.1:9100' });
  });
});
