import * as z from 'zod';
import { EventDecodeError } from '../../../functions/lib/fc/errors';
import { parseTimerEvent } from '../../../functions/lib/fc/event';
import { eventHandler } from '../../../functions/lib/fc/handlers';
import { currentInvocation, roleCredentials } from '../../../functions/lib/fc/invocation';
import type { FcContext, FcTimerEvent } from '../../../functions/lib/fc/types';
import { RetryableRamError } from '../../../functions/lib/ram/errors';
import { captureLogger } from './logSink';

const Message = z.object({ v: z.literal(1), id: z.string(), changes: z.array(z.object({ sourceId: z.string() })) });
type Message = z.infer<typeof Message>;

const context = (requestId: string, extra: Partial<FcContext> = {}): FcContext => ({
  requestId, region: 'cn-hangzhou', accountId: '123', credentials: {}, retryCount: 0,
  function: { name: 'push', handler: 'index.handler', memory: 512, timeout: 600 }, ...extra,
});

describe('eventHandler', () => {
  it('decodes the Buffer FC passes, parses it, and logs start and end under the request id', async () => {
    const { log, lines } = captureLogger();
    const handler = eventHandler('push', async (message: Message, ctx) => {
      log.info('applying', { changes: message.changes.length });
      return { id: message.id, requestId: ctx.requestId };
    }, { parse: Message.parse, logger: log });
    const payload = { v: 1, id: 'm-1', changes: [{ sourceId: 'u1' }, { sourceId: 'u2' }] };
    await expect(handler(Buffer.from(JSON.stringify(payload)), context('1-req-a'))).resolves.toEqual({ id: 'm-1', requestId: '1-req-a' });
    expect(lines.map((l) => l.msg)).toEqual(['invocation start', 'applying', 'invocation end']);
    expect(lines.every((l) => l.requestId === '1-req-a' && l.function === 'push')).toBe(true);
    expect(lines[0]).toMatchObject({ retryCount: 0 });
    expect(lines[2]!.durationMs).toEqual(expect.any(Number));
  });

  it('takes an already parsed object from a local caller, with or without a context', async () => {
    const handler = eventHandler('full-sync', async (event: { dryRun?: boolean }, ctx) => ({ event, requestId: ctx.requestId }),
      { logger: captureLogger().log });
    const result = await handler({ dryRun: true }, undefined as unknown as FcContext);
    expect(result.event).toEqual({ dryRun: true });
    expect(result.requestId).toMatch(/^local-/);
  });

  it('rejects a payload that is not JSON with a final error, without calling the function, and logs it', async () => {
    const { log, lines, text } = captureLogger();
    let called = false;
    const handler = eventHandler('push', async () => {
      called = true;
    }, { logger: log });
    const error = await handler(Buffer.from('{"token":"abc'), context('1-req-b')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventDecodeError);
    expect(called).toBe(false);
    const failed = lines.find((l) => l.msg === 'invocation failed');
    expect(failed).toMatchObject({ level: 'error', requestId: '1-req-b', error: { code: 'InvalidEvent', retryable: false } });
    expect(text.join('\n')).not.toContain('abc');
  });

  it("rejects an event the parser refuses, naming the parser's issues", async () => {
    const handler = eventHandler('push', async (m: Message) => m.id, { parse: Message.parse, logger: captureLogger().log });
    const error = await handler(Buffer.from('{"v":1,"changes":[{}]}'), context('r')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventDecodeError);
    expect((error as EventDecodeError).issues.map((i) => i.split(':')[0])).toEqual(['id', 'changes.0.sourceId']);
  });

  it("logs the function's error with its classification and rethrows the same error, so FC retries it", async () => {
    const { log, lines } = captureLogger();
    const thrown = new RetryableRamError({ code: 'Throttling', reason: 'too many requests', status: 429, operation: 'scim.createUser' });
    const handler = eventHandler('push', async () => {
      throw thrown;
    }, { logger: log });
    await expect(handler(Buffer.from('{}'), context('1-req-c', { retryCount: 2 }))).rejects.toBe(thrown);
    expect(lines[0]).toMatchObject({ msg: 'invocation start', retryCount: 2 });
    expect(lines[1]).toMatchObject({
      level: 'error', msg: 'invocation failed', requestId: '1-req-c',
      error: { name: 'RetryableRamError', code: 'Throttling', retryable: true, status: 429 },
    });
  });

  it('gives the function its role credentials for this invocation only', async () => {
    const handler = eventHandler('push', async () => ({ credentials: roleCredentials({}), requestId: currentInvocation()?.requestId }),
      { logger: captureLogger().log });
    const sts = { accessKeyId: 'STS.a', accessKeySecret: 's-a', securityToken: 't-a' };
    const [a, b] = await Promise.all([
      handler(Buffer.from('{}'), context('r-a', { credentials: sts })),
      handler(Buffer.from('{}'), context('r-b', { credentials: { ...sts, accessKeyId: 'STS.b' } })),
    ]);
    expect([a.requestId, a.credentials.accessKeyId, b.requestId, b.credentials.accessKeyId]).toEqual(['r-a', 'STS.a', 'r-b', 'STS.b']);
    expect(currentInvocation()).toBeUndefined();
  });

  it('reads a timer trigger event with parseTimerEvent', async () => {
    const handler = eventHandler('ad-poll', async (event: FcTimerEvent) => JSON.parse(event.payload ?? '{}') as unknown,
      { parse: parseTimerEvent, logger: captureLogger().log });
    const timer = { triggerTime: '2023-12-26T07:49:00Z', triggerName: 'every-5-min', payload: '{"job":"poll"}' };
    await expect(handler(Buffer.from(JSON.stringify(timer)), context('t'))).resolves.toEqual({ job: 'poll' });
  });
});
