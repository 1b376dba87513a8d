/**
 * WeCom callback cost per event, in one run: verify + decrypt + parse + map with our MsgCrypt
 * against `@wecom/crypto` doing the same with the same XML parsing (ratio ours/oracle), and the
 * webhook handler's in-process time per event (the real middy chain; enqueue to a loopback FC
 * invoke server, and an acknowledged-only event that enqueues nothing).
 * Usage: tsx test/bench/wecom.bench.ts [N]
 */
import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { decrypt, getSignature } from '@wecom/crypto';
import { changesFromEvent } from '../../functions/lib/sources/wecom/events';
import { parseWecomWebhookConfig, wecomMsgCrypt } from '../../functions/lib/sources/wecom/webhookConfig';
import { parseWecomXml } from '../../functions/lib/sources/wecom/xml';
import { startCallbackHarness } from '../lib/sources/wecom/harness';
import { KEYS, contactEvent, eventPost, webhookEnv } from '../lib/sources/wecom/oracle';

const n = Number(process.argv[2] ?? 20_000);
const crypt = wecomMsgCrypt(parseWecomWebhookConfig(webhookEnv()));
const event = contactEvent({ ChangeType: 'update_user', UserID: 'zhangsan', NewUserID: 'zhang.san', Department: '1,2,3', Status: '1' });
const { encrypted } = eventPost(event, KEYS, { timestamp: '1700000000', nonce: 'bench-nonce' });
const signature = getSignature(KEYS.token, '1700000000', 'bench-nonce', encrypted);

function timePerOp(fn: () => void, runs: number): number {
  for (let i = 0; i < Math.min(1000, runs); i++) fn(); // warm up the JIT
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return ((performance.now() - start) * 1000) / runs; // µs
}

const ours = () => {
  const message = crypt.open(signature, '1700000000', 'bench-nonce', encrypted, [KEYS.corpId]);
  changesFromEvent(parseWecomXml(message));
};
const oracle = () => {
  const expected = Buffer.from(getSignature(KEYS.token, '1700000000', 'bench-nonce', encrypted));
  if (!timingSafeEqual(expected, Buffer.from(signature))) throw new Error('signature');
  const { message, id } = decrypt(KEYS.aesKey, encrypted);
  if (id !== KEYS.corpId) throw new Error('receiveId');
  changesFromEvent(parseWecomXml(message));
};

async function handlerTimes(fields: Record<string, string>, runs: number): Promise<{ meanUs: number; p50Us: number; p99Us: number }> {
  const h = await startCallbackHarness();
  const { url, body } = eventPost(contactEvent(fields));
  const samples: number[] = [];
  for (let i = 0; i < runs + 100; i++) {
    const start = performance.now();
    const answer = await h.send('POST', url, body);
    if (answer.status !== 200) throw new Error(`status ${answer.status}`);
    if (i >= 100) samples.push((performance.now() - start) * 1000);
  }
  await h.close();
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!);
  return { meanUs: Math.round(samples.reduce((a, b) => a + b, 0) / samples.length), p50Us: at(0.5), p99Us: at(0.99) };
}

async function main() {
  // Interleaved so neither side gets a warmer machine.
  const oursUs: number[] = [];
  const oracleUs: number[] = [];
  for (let round = 0; round < 5; round++) {
    oursUs.push(timePerOp(ours, n / 5));
    oracleUs.push(timePerOp(oracle, n / 5));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const oursMedian = median(oursUs);
  const oracleMedian = median(oracleUs);
  const handlerEnqueue = await handlerTimes({ ChangeType: 'create_user', UserID: 'u1' }, Math.min(2000, n / 10));
  const handlerAckOnly = await handlerTimes({ ChangeType: 'update_tag', TagId: '1' }, Math.min(2000, n / 10));
  console.log(JSON.stringify({
    bench: 'wecom', events: n,
    verifyDecryptParseUs: { ours: Number(oursMedian.toFixed(2)), wecomCrypto: Number(oracleMedian.toFixed(2)), ratio: Number((oursMedian / oracleMedian).toFixed(2)) },
    handlerPerEvent: { enqueueToLoopbackFc: handlerEnqueue, acknowledgeOnly: handlerAckOnly },
  }));
}

main().catch((error) => { console.error(error); process.exit(1); });
