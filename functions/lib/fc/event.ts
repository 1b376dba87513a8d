/**
 * Reading the event FC hands a handler. FC always passes a Buffer of the payload; local callers
 * (the local stack, tests, scripts) may pass the object itself, which goes through untouched.
 */
import { EventDecodeError } from './errors';
import type { FcTimerEvent } from './types';

/**
 * A Buffer (or string) is parsed as JSON; an empty one is `undefined` (an invocation without a
 * payload); anything else is returned as is.
 * @throws EventDecodeError when the bytes are not JSON (it names the length, never the content)
 */
export function decodeEvent(raw: unknown): unknown {
  let text: string;
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) text = Buffer.from(raw).toString('utf8');
  else if (typeof raw === 'string') text = raw;
  else return raw;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EventDecodeError(`the event is not JSON (${Buffer.byteLength(text)} bytes)`, [], error);
  }
}

interface IssueLike {
  path?: readonly PropertyKey[];
  message?: unknown;
}

/**
 * Runs a handler's `parse` (e.g. `parseChangeBatch`) and turns its failure into an
 * `EventDecodeError` listing the issues' paths and rules (an error's `issues`: `{ path, message }`,
 * worded without the values, as sync/errors.ts's `InvalidMessageError` and zod's are).
 */
export function parseEvent<E>(decoded: unknown, parse: (raw: unknown) => E): E {
  try {
    return parse(decoded);
  } catch (error) {
    if (error instanceof EventDecodeError) throw error;
    const issues = (error as { issues?: unknown })?.issues;
    const listed = Array.isArray(issues)
      ? issues.map((i: IssueLike) => `${(i.path ?? []).map(String).join('.') || '(root)'}: ${String(i.message ?? 'invalid')}`)
      : [];
    throw new EventDecodeError('the event does not have the expected shape', listed, error);
  }
}

/** A `parse` for `eventHandler` on a timer trigger. */
export function parseTimerEvent(raw: unknown): FcTimerEvent {
  const e = (raw ?? {}) as Partial<Record<keyof FcTimerEvent, unknown>>;
  const issues: string[] = [];
  if (typeof e.triggerTime !== 'string' || Number.isNaN(Date.parse(e.triggerTime))) issues.push('triggerTime: must be an ISO time');
  if (typeof e.triggerName !== 'string' || e.triggerName === '') issues.push('triggerName: must be a non-empty string');
  if (e.payload !== undefined && e.payload !== null && typeof e.payload !== 'string') issues.push('payload: must be a string');
  if (issues.length > 0) throw new EventDecodeError('not a timer event', issues);
  return {
    triggerTime: e.triggerTime as string,
    triggerName: e.triggerName as string,
    ...(typeof e.payload === 'string' ? { payload: e.payload } : {}),
  };
}
