/**
 * Turns a list of changes into queue messages: duplicates collapsed, each message's JSON under
 * FC's 128 KB async payload limit. Pure; sizes are exact UTF-8 byte counts of what is sent.
 */
import { randomUUID } from 'node:crypto';
import { type Change, type ChangeBatch, changeKey, dedupeChanges } from '../core/model';
import { ChangeTooLargeError } from './errors';

export { changeKey, dedupeChanges };

/** FC's async invocation payload limit (128 KiB). */
export const FC_ASYNC_PAYLOAD_LIMIT = 128 * 1024;
/** Our default batch size: 8 KiB of margin under the limit for the SDK's framing and future fields. */
export const DEFAULT_MAX_BATCH_BYTES = 120 * 1024;

/** What is said about a change whose hint was dropped: ids and sizes, never the hint's contents. */
export interface OversizedHint {
  source: Change['source'];
  kind: Change['kind'];
  sourceId: string;
  hintBytes: number;
}

export interface BatchOptions {
  /** Upper bound for one batch's JSON in UTF-8 bytes. Default 120 KiB. */
  maxBytes?: number;
  now?: () => Date;
  newId?: () => string;
  /**
   * Called when a change is too large on its own and its hint is dropped. Hints are optional facts
   * that `push` never trusts as state, so the change still converges without it; refusing the
   * whole publish would make the platform redeliver the same oversized event forever.
   * Default: one structured warning line on stderr.
   */
  onHintDropped?: (dropped: OversizedHint) => void;
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

function warnHintDropped(dropped: OversizedHint): void {
  process.stderr.write(`${JSON.stringify({ level: 'warn', message: 'queue: change too large, hint dropped', ...dropped })}\n`);
}

/**
 * Splits changes into batches whose JSON stays within `maxBytes`.
 *
 * @example
 * const batches = toBatches(changes); // [{ v: 1, id: '…', emittedAt: '…', changes: [...] }, ...]
 * for (const b of batches) await invoke(JSON.stringify(b));
 */
export function toBatches(changes: readonly Change[], options: BatchOptions = {}): ChangeBatch[] {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BATCH_BYTES;
  const newId = options.newId ?? randomUUID;
  const emittedAt = (options.now?.() ?? new Date()).toISOString();
  const onHintDropped = options.onHintDropped ?? warnHintDropped;

  const batches: ChangeBatch[] = [];
  let current: ChangeBatch | undefined;
  let currentBytes = 0;
  // The next batch's id is drawn ahead so a change is measured in the envelope it would open.
  let nextId = newId();

  for (const original of dedupeChanges(changes)) {
    const change = fitAlone(original, { v: 1, id: nextId, emittedAt, changes: [] }, maxBytes, onHintDropped);
    const bytes = jsonBytes(change);
    // +1 for the comma that joins it to the previous change.
    if (current && currentBytes + 1 + bytes > maxBytes) current = undefined;
    if (!current) {
      current = { v: 1, id: nextId, emittedAt, changes: [] };
      currentBytes = jsonBytes(current);
      batches.push(current);
      nextId = newId();
    }
    currentBytes += (current.changes.length > 0 ? 1 : 0) + bytes;
    current.changes.push(change);
  }
  return batches;
}

/** The change as it can travel: itself, or without its hint; a terminal error if neither fits. */
function fitAlone(
  change: Change, envelope: ChangeBatch, maxBytes: number, onHintDropped: (d: OversizedHint) => void,
): Change {
  const alone = (c: Change) => jsonBytes({ ...envelope, changes: [c] });
  if (alone(change) <= maxBytes) return change;
  const { hint, ...bare } = change;
  const bytes = alone(bare);
  if (hint === undefined || bytes > maxBytes) throw new ChangeTooLargeError(change, bytes, maxBytes);
  onHintDropped({ source: change.source, kind: change.kind, sourceId: change.sourceId, hintBytes: jsonBytes(hint) });
  return bare;
}

/** A batch as sent on the wire: its JSON in UTF-8. */
export function encodeBatch(batch: ChangeBatch): Buffer {
  return Buffer.from(JSON.stringify(batch), 'utf8');
}
