/**
 * push's dead letters in MNS, for an operator: what FC gave up on after its retries (s.yaml:
 * `asyncInvokeConfig.destinationConfig.onFailure`), listed and replayed.
 *
 *   npm run queue -- dlq                      batch id, changes, failed at, attempts, FC's error
 *   npm run queue -- replay --dlq --all       every readable dead letter back to push
 *   npm run queue -- replay --dlq ID…         those batches (or MNS message ids) only
 *
 * Reading receives every message (MNS has no listing) and then makes the ones it leaves visible
 * again at once, so a listing does not hide them from a replay. A replay publishes the batch's
 * changes to push through the FC queue adapter and deletes the message only after FC accepted the
 * publish; a failed publish or an unreadable message is reported and stays. Each publish carries an
 * async task id made from the MNS message id, so a replay interrupted between publish and delete
 * and run again is refused by FC as a duplicate (409, counted as done) instead of sent twice.
 */
import { ConfigError, isClassified } from '../../functions/lib/core/errors';
import { FcAsyncQueue } from '../../functions/lib/queue/FcAsyncQueue';
import { MnsQueue, MNS_MAX_BATCH, type MnsMessage } from '../mns/MnsQueue';
import { parseFcFailureRecord, type FcFailureRecord } from '../mns/fcFailureRecord';
import { parseDeadLetterConfig, type DeadLetterConfig } from './dlqConfig';
import type { CliResult } from './queue';

/** A listing or replay reads at most this many messages. */
const MAX_MESSAGES = 1000;
/** How long a message being replayed stays hidden: longer than a publish's retries. */
const LEASE_SECONDS = 300;

type Letter = { message: MnsMessage } & ({ record: FcFailureRecord } | { unreadable: string });

export async function listDeadLetters(env: Record<string, string | undefined>): Promise<CliResult> {
  return guarded(async () => {
    const config = parseDeadLetterConfig(env, false);
    const queue = mnsQueue(config);
    const letters = await receiveAll(queue);
    await Promise.all(letters.map((l) => release(queue, l.message.receiptHandle)));
    return { code: 0, out: formatLetters(config.queueName, letters) };
  });
}

export async function replayDeadLetters(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const all = args.includes('--all');
  const ids = args.filter((a) => a !== '--all');
  if (all && ids.length > 0) return { code: 2, out: 'replay --dlq takes either --all or batch ids, not both' };
  if (!all && ids.length === 0) return { code: 2, out: 'replay --dlq needs --all or batch ids (see npm run queue -- dlq)' };
  return guarded(async () => {
    const config = parseDeadLetterConfig(env, true);
    const queue = mnsQueue(config);
    const push = new FcAsyncQueue({
      functionName: config.push!.functionName, qualifier: config.push!.qualifier,
      endpoint: () => config.push!.endpoint, credentials: () => config.credentials,
    });
    const lines: string[] = [];
    let failed = false;
    const found = new Set<string>();
    // One at a time: a dead-letter queue is short, and the output reads in order.
    for (const letter of await receiveAll(queue)) {
      const { message } = letter;
      const batchId = 'record' in letter ? letter.record.batch.id : undefined;
      const chosen = all || ids.includes(message.messageId) || (batchId !== undefined && ids.includes(batchId));
      if (!chosen) {
        await release(queue, message.receiptHandle);
        continue;
      }
      found.add(message.messageId).add(batchId ?? message.messageId);
      if ('unreadable' in letter) {
        failed = true;
        lines.push(`left ${message.messageId}: unreadable (${letter.unreadable})`);
        await release(queue, message.receiptHandle);
        continue;
      }
      const outcome = await replayOne(queue, push, message, letter.record);
      failed ||= !outcome.ok;
      lines.push(outcome.line);
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) lines.push(`not in the dead-letter queue: ${missing.join(', ')}`);
    if (lines.length === 0) lines.push(`the dead-letter queue ${config.queueName} is empty`);
    return { code: failed || missing.length > 0 ? 1 : 0, out: lines.join('\n') };
  });
}

async function replayOne(queue: MnsQueue, push: FcAsyncQueue, message: MnsMessage, record: FcFailureRecord): Promise<{ ok: boolean; line: string }> {
  const { batch } = record;
  // A fresh lease (and handle) first: receiving every message may have taken part of the last one.
  const handle = await queue.changeVisibility(message.receiptHandle, LEASE_SECONDS);
  let published;
  try {
    published = await push.publish(batch.changes, { dedupeKey: `dlq-replay\n${message.messageId}` });
  } catch (error) {
    await release(queue, handle);
    const why = isClassified(error) ? error.reason : error instanceof Error ? error.message : String(error);
    return { ok: false, line: `left ${batch.id}: publishing to push failed: ${why}` };
  }
  await queue.delete(handle);
  const as = published.map((b) => b.id).join(', ');
  return { ok: true, line: `replayed ${batch.id} (${batch.changes.length} change(s)) as ${as || 'nothing: no changes'}` };
}

/** Every message, each once with its latest receipt handle; stops when a receive brings nothing new. */
async function receiveAll(queue: MnsQueue): Promise<Letter[]> {
  const byId = new Map<string, MnsMessage>();
  while (byId.size < MAX_MESSAGES) {
    const batch = await queue.receive(MNS_MAX_BATCH);
    const fresh = batch.filter((m) => !byId.has(m.messageId));
    batch.forEach((m) => byId.set(m.messageId, m));
    if (fresh.length === 0) break;
  }
  return [...byId.values()].map((message) => {
    try {
      return { message, record: parseFcFailureRecord(message.body) };
    } catch (error) {
      return { message, unreadable: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** Visible again in a second (MNS's minimum), for the next reader. */
async function release(queue: MnsQueue, handle: string): Promise<void> {
  await queue.changeVisibility(handle, 1);
}

function formatLetters(queueName: string, letters: Letter[]): string {
  if (letters.length === 0) return `the dead-letter queue ${queueName} is empty`;
  const readable = letters.flatMap((l) => ('record' in l ? [l.record] : []));
  const rows = [['BATCH', 'CHANGES', 'FAILED AT', 'ATTEMPTS', 'ERROR'],
    ...readable.map((r) => [r.batch.id, String(r.batch.changes.length), r.failedAt, r.attempts === undefined ? '-' : String(r.attempts), r.error])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = readable.length > 0 ? rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')) : [];
  for (const l of letters) {
    if ('unreadable' in l) lines.push(`unreadable ${l.message.messageId} (enqueued ${new Date(l.message.enqueueTime).toISOString()}): ${l.unreadable}`);
  }
  lines.push(`${letters.length} dead letter(s) in ${queueName}${letters.length >= MAX_MESSAGES ? ' (the first ' + MAX_MESSAGES + ' read)' : ''}; ` +
    'replay with: npm run queue -- replay --dlq --all');
  return lines.join('\n');
}

function mnsQueue(config: DeadLetterConfig): MnsQueue {
  return new MnsQueue({ endpoint: config.mnsEndpoint, queueName: config.queueName, credentials: config.credentials });
}

/** A configuration or MNS failure is printed with what to do, not as a stack. */
async function guarded(run: () => Promise<CliResult>): Promise<CliResult> {
  try {
    return await run();
  } catch (error) {
    if (!isClassified(error)) throw error;
    // ConfigError's own advice ("deploy again") is for functions; here the operator's shell is the fix.
    const action = error instanceof ConfigError ? 'set the named variables (the table in infra/cli/dlqConfig.ts)' : error.recommendedAction;
    return { code: 2, out: `${error.reason}${action ? `\nwhat to do: ${action}` : ''}` };
  }
}
