/**
 * Lark webhook cost per event, ours against Lark's SDK in the same run:
 * - verify + decrypt + parse: our `createRequestOpener` + `readMessage` vs the SDK's
 *   `EventDispatcher.invoke` (signature check, `AESCipher` decrypt, parse, dispatch);
 * - decrypt alone: `LarkCipher` vs the SDK's `AESCipher`;
 * - the handler in process (FC HTTP event in, FC result out, its middy chain, and one publish per
 *   event to a local FC invoke endpoint on loopback, which dominates).
 * Usage: tsx test/bench/lark.bench.ts [events]. Prints one JSON line.
 */
import { AESCipher, EventDispatcher, LoggerLevel } from '@larksuiteoapi/node-sdk';
import { buildFcHttpEvent } from '../../functions/lib/fc/httpEvent';
import { parseLarkWebhookConfig } from '../../functions/lib/sources/lark/webhookConfig';
import { LarkCipher } from '../../functions/lib/sources/lark/crypto';
import { readMessage } from '../../functions/lib/sources/lark/events';
import { createRequestOpener } from '../../functions/lib/sources/lark/verify';
import { startFcInvokeServer } from '../support/fcInvokeServer';
import { larkRequest, larkUser, v2Event } from '../support/larkApi';

const n = Number(process.argv[2] ?? 5000);
const KEYS = { verificationToken: 'bench-token', encryptKey: 'bench-encrypt-key' };
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

const requests = Array.from({ length: n }, (_, i) =>
  larkRequest(v2Event('contact.user.updated_v3', { object: larkUser(i), old_object: { name: 'before' } }, KEYS.verificationToken), KEYS));
const encrypts = requests.map((r) => (JSON.parse(r.body) as { encrypt: string }).encrypt);

const ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Microseconds per event: the median of ROUNDS passes after a warm-up, contenders interleaved pass by pass. */
async function race(contenders: Record<string, () => unknown>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let round = -1; round < ROUNDS; round += 1) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = process.hrtime.bigint();
      await run();
      if (round >= 0) samples[name]!.push(Number(process.hrtime.bigint() - start) / 1000 / n);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}


async function main(): Promise<void> {
  const config = parseLarkWebhookConfig({ LARK_VERIFICATION_TOKEN: KEYS.verificationToken, LARK_ENCRYPT_KEY: KEYS.encryptKey });
  const opener = createRequestOpener(config);
  let handled = 0;
  const sdk = new EventDispatcher({ ...KEYS, loggerLevel: LoggerLevel.error, logger: quiet })
    .register({ 'contact.user.updated_v3': async () => { handled += 1; return 'ok'; } });
  const full = await race({
    ours: () => { for (const r of requests) readMessage(opener.open(r).payload, config.userIdType); },
    sdk: async () => {
      for (const r of requests) {
        const data = Object.assign(Object.create({ headers: r.headers }), JSON.parse(r.body) as object);
        if ((await sdk.invoke(data)) === undefined) throw new Error('the SDK rejected a genuine event');
      }
    },
  });

  const cipher = new LarkCipher(KEYS.encryptKey);
  const sdkCipher = new AESCipher(KEYS.encryptKey);
  const decrypt = await race({
    ours: () => { for (const e of encrypts) cipher.decrypt(e); },
    sdk: () => { for (const e of encrypts) sdkCipher.decrypt(e); },
  });

  // The handler, as built: config read at module load, so set the environment first.
  const fc = await startFcInvokeServer();
  Object.assign(process.env, {
    QUEUE_KIND: 'fc3', FC_INVOKE_ENDPOINT: fc.url, PUSH_FUNCTION_NAME: 'push', LOG_LEVEL: 'error',
    LARK_VERIFICATION_TOKEN: KEYS.verificationToken, LARK_ENCRYPT_KEY: KEYS.encryptKey,
  });
  const { handler } = await import('../../functions/lark-webhook/index');
  const context = { requestId: 'bench', accountId: '1', region: 'cn-hangzhou', credentials: { accessKeyId: 'fc-test-akid', accessKeySecret: 'fc-test-secret' } };
  const fresh = (type = 'contact.user.updated_v3') => requests.map((_, i) => {
    // New event ids per pass, so the duplicate filter does not turn later passes into no-ops.
    const r = larkRequest(v2Event(type, { object: larkUser(i) }, KEYS.verificationToken), KEYS);
    return Buffer.from(JSON.stringify(buildFcHttpEvent({ method: 'POST', url: '/lark', headers: r.headers, body: r.body })));
  });
  const timeHandler = async (type?: string) => {
    const samples: number[] = [];
    for (let round = -1; round < 3; round += 1) {
      const events = fresh(type);
      const started = process.hrtime.bigint();
      for (const e of events) {
        const result = await handler(e, context);
        if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}`);
      }
      if (round >= 0) samples.push(Number(process.hrtime.bigint() - started) / 1000 / n);
    }
    return median(samples);
  };
  const handlerUs = await timeHandler();
  // An event we acknowledge without enqueueing: the handler's own cost, no publish.
  const handlerNoPublishUs = await timeHandler('im.message.receive_v1');
  await fc.close();

  const round = (x: number) => Math.round(x * 10) / 10;
  console.log(JSON.stringify({
    events: n,
    verifyDecryptParse: { oursUs: round(full.ours!), sdkUs: round(full.sdk!), sdkOverOurs: round(full.sdk! / full.ours!) },
    decrypt: { oursUs: round(decrypt.ours!), sdkUs: round(decrypt.sdk!), sdkOverOurs: round(decrypt.sdk! / decrypt.ours!) },
    handlerInProcessUs: { withPublish: round(handlerUs), withoutPublish: round(handlerNoPublishUs) },
    sdkHandled: handled,
  }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
