/**
 * The WeCom callback in-process, as FC would run it (the real middy chain of `httpHandler`), with
 * the real FC queue publishing to a local FC invoke server: what WeCom gets back, and what `push`
 * would receive.
 */
import type { ChangeBatch } from '../../../../functions/lib/core/model';
import type { ChangeQueue } from '../../../../functions/lib/core/ports';
import { httpHandler } from '../../../../functions/lib/fc/handlers';
import { decodeFcHttpResult } from '../../../../functions/lib/fc/httpEvent';
import { createLogger } from '../../../../functions/lib/fc/logger';
import { createFcQueue } from '../../../../functions/lib/queue/factory';
import { MAX_CALLBACK_BODY_BYTES, type WecomCallbackDeps, receiveWecomCallback } from '../../../../functions/lib/sources/wecom/webhook';
import { parseWecomWebhookConfig, wecomMsgCrypt } from '../../../../functions/lib/sources/wecom/webhookConfig';
import { type FcInvokeServer, startFcInvokeServer } from '../../../support/fcInvokeServer';
import { KEYS, type CallbackKeys, httpEvent, webhookEnv } from './oracle';

export interface CallbackHarness {
  fc: FcInvokeServer;
  /** The FC queue the callback publishes to (another harness may share it, as FC instances share FC). */
  queue: ChangeQueue;
  logs: string[];
  send(method: string, url: string, body?: string): Promise<{ status: number; body: string; contentType?: string }>;
  batches(): ChangeBatch[];
  close(): Promise<void>;
}

/** `overrides`: the use case's injectable parts (clock, sleep, recent requests, another queue). */
export async function startCallbackHarness(keys: CallbackKeys = KEYS, overrides: Partial<WecomCallbackDeps> = {}): Promise<CallbackHarness> {
  const credentials = { accessKeyId: 'fc-ak', accessKeySecret: 'fc-secret' };
  const fc = await startFcInvokeServer(credentials);
  let queue = createFcQueue({ kind: 'fc3', functionName: 'push', endpoint: fc.url }, {
    accountId: () => '1234567890', region: () => 'cn-hangzhou', credentials: () => credentials, publish: { retryDelayMs: 1 },
  });
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => logs.push(line) });
  const config = parseWecomWebhookConfig(webhookEnv(keys));
  const deps = { crypt: wecomMsgCrypt(config), corpId: config.corpId, maxAgeSeconds: config.maxAgeSeconds, queue, log: logger, ...overrides };
  queue = deps.queue;
  const handler = httpHandler('wecom-webhook', (req) => receiveWecomCallback(req, deps), { maxBodyBytes: MAX_CALLBACK_BODY_BYTES, logger });
  return {
    fc,
    queue,
    logs,
    async send(method, url, body) {
      const result = decodeFcHttpResult(await handler(Buffer.from(JSON.stringify(httpEvent(method, url, body))), { requestId: 'req-1' }));
      return { status: result.status, body: result.body.toString('utf8'), contentType: result.headers['content-type'] };
    },
    batches: () => fc.invocations.map((i) => JSON.parse(i.body.toString('utf8')) as ChangeBatch),
    close: () => fc.close(),
  };
}
