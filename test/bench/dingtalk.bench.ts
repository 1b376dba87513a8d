/**
 * DingTalk callbacks per event: verify + decrypt + parse, ours (`MsgCrypt.open`) against
 * `@wecom/crypto` doing the same work (constant-time signature check, decrypt, owner check), both
 * then parsed by `readDingtalkEvent` into changes, in the same run; the crypto alone; and the webhook handler's in-process time per event through its middy chain, with an
 * in-memory queue so the figure is ours alone (FC's invoke API is a network call).
 * Usage: tsx test/bench/dingtalk.bench.ts [events=20000] → one JSON line.
 */
import { timingSafeEqual } from 'node:crypto';
import * as oracle from '@wecom/crypto';
import type { Change, ChangeBatch } from '../../functions/lib/core/model';
import type { ChangeQueue } from '../../functions/lib/core/ports';
import { httpHandler } from '../../functions/lib/fc/handlers';
import { buildFcHttpEvent } from '../../functions/lib/fc/httpEvent';
import { createLogger } from '../../functions/lib/fc/logger';
import { readDingtalkEvent } from '../../functions/lib/sources/dingtalk/events';
import { receiveDingtalkCallback } from '../../functions/lib/sources/dingtalk/webhook';
import { MsgCrypt } from '../../functions/lib/sources/msgcrypt';

const n = Number(process.argv[2] ?? 20_000);
const KEYS = { token: 'token123', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: 'dingappkey0001' };
const crypt = new MsgCrypt(KEYS);

const events = Array.from({ length: n }, (_, i) => {
  const ids = i % 3 ? { EventType: 'user_modify_org', UserId: [`user${i}`, `user${i + 1}`] } : { EventType: 'org_dept_modify', DeptId: [i + 2] };
  const message = JSON.stringify({
    ...ids, TimeStamp: String(1700000000000 + i), CorpId: 'dingc7c5220402493357f2c783f7214b6d69', OptStaffId: 'manager164',
  });
  const encrypt = oracle.encrypt(KEYS.aesKey, message, KEYS.receiveId);
  const timestamp = String(1700000000000 + i);
  const nonce = `nonce${i}`;
  return { encrypt, timestamp, nonce, signature: oracle.getSignature(KEYS.token, timestamp, nonce, encrypt) };
});

/** Both sides parse with the same `readDingtalkEvent`: "the same work" means the same output (changes). */
function count(plaintext: string): number {
  const event = readDingtalkEvent(plaintext);
  return event.type === 'contact' ? event.changes.length : 0;
}

function oursOpen(e: (typeof events)[number]): string {
  return crypt.open(e.signature, e.timestamp, e.nonce, e.encrypt);
}

/** What a webhook built on `@wecom/crypto` has to do: constant-time signature check, decrypt, owner check. */
function oracleOpen(e: (typeof events)[number]): string {
  const expected = Buffer.from(oracle.getSignature(KEYS.token, e.timestamp, e.nonce, e.encrypt));
  const given = Buffer.from(e.signature);
  if (given.length !== expected.length || !timingSafeEqual(expected, given)) throw new Error('signature');
  const { message, id } = oracle.decrypt(KEYS.aesKey, e.encrypt);
  if (id !== KEYS.receiveId) throw new Error('owner');
  return message;
}

const ours = () => events.reduce((n, e) => n + count(oursOpen(e)), 0);
const theirs = () => events.reduce((n, e) => n + count(oracleOpen(e)), 0);
const oursCrypto = () => events.reduce((n, e) => n + oursOpen(e).length, 0);
const theirsCrypto = () => events.reduce((n, e) => n + oracleOpen(e).length, 0);

function time(fn: () => number): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function handlerPerEventUs(): Promise<number> {
  const batches: ChangeBatch[] = [];
  const queue: ChangeQueue = {
    async publish(changes: Change[]) {
      const batch: ChangeBatch = { v: 1, id: String(batches.length), emittedAt: new Date().toISOString(), changes };
      batches.push(batch);
      return [batch];
    },
  };
  const log = createLogger({ level: 'error' });
  const handler = httpHandler('dingtalk-webhook', (req) => receiveDingtalkCallback(req, { crypt, receiveIds: [KEYS.receiveId], queue, log, maxAgeSeconds: 300, now: () => 1700000000000 }), { logger: log });
  const requests = events.slice(0, Math.min(n, 5000)).map((e) => buildFcHttpEvent({
    method: 'POST', url: `/dingtalk?signature=${e.signature}&timestamp=${e.timestamp}&nonce=${e.nonce}`, body: JSON.stringify({ encrypt: e.encrypt }),
  }));
  const run = async () => {
    const started = process.hrtime.bigint();
    for (const r of requests) await handler(r, { requestId: 'bench' });
    return Number(process.hrtime.bigint() - started) / 1e3 / requests.length;
  };
  await run();
  return median([await run(), await run(), await run()]);
}

/** Median µs per event of each side, over interleaved rounds so machine drift affects both alike. */
function compare(a: () => number, b: () => number): { oursUsPerEvent: number; oracleUsPerEvent: number; ratioOursToOracle: number } {
  const as: number[] = [];
  const bs: number[] = [];
  for (let round = 0; round < 9; round++) {
    as.push(time(a));
    bs.push(time(b));
  }
  const ours = (median(as) * 1000) / n;
  const oracle = (median(bs) * 1000) / n;
  return { oursUsPerEvent: +ours.toFixed(2), oracleUsPerEvent: +oracle.toFixed(2), ratioOursToOracle: +(ours / oracle).toFixed(3) };
}

async function main(): Promise<void> {
  if (ours() !== theirs()) throw new Error('ours and the oracle disagree');
  console.log(JSON.stringify({
    bench: 'dingtalk', events: n,
    verifyDecryptParse: compare(ours, theirs),
    verifyDecryptOnly: compare(oursCrypto, theirsCrypto),
    handlerUsPerEvent: +(await handlerPerEventUs()).toFixed(1),
  }));
}

void main();
