import { StateValueError } from './errors';
import { assertValidKey } from './keys';

/** A record's stored form; refuses values JSON cannot carry instead of storing `undefined` or `{}` by accident. */
export function toJson(key: string, value: unknown): string {
  assertValidKey(key);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new StateValueError(key, err);
  }
  if (text === undefined) throw new StateValueError(key);
  return text;
}
