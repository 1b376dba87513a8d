/**
 * objectGUID: 16 bytes on the wire, the standard string form everywhere else (our sourceId).
 * The first three fields are little-endian, so the string is bytes [3,2,1,0]-[5,4]-[7,6]-[8,9]-[10..15].
 */
import { AdSourceError } from './errors';

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Byte order of the string form's hex pairs: the first three groups are stored little-endian. */
const STRING_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;

export function isGuidString(value: string): boolean {
  return GUID_PATTERN.test(value);
}

/**
 * The standard lower-case string form of a binary objectGUID.
 *
 * @example
 * guidToString(Buffer.from('79e4e860a68eb6430000000000000001', 'hex')) // '60e8e479-8ea6-43b6-0000-000000000001'
 */
export function guidToString(bytes: Buffer): string {
  if (bytes.length !== 16) {
    throw new AdSourceError('invalid-input', `objectGUID must be 16 bytes, got ${bytes.length}`);
  }
  const hex = STRING_ORDER.map((i) => bytes[i]!.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 16 wire bytes of a GUID string (case-insensitive); throws on anything else. */
export function guidToBuffer(guid: string): Buffer {
  if (!isGuidString(guid)) throw new AdSourceError('invalid-input', 'not an objectGUID in standard string form');
  const pairs = Buffer.from(guid.replace(/-/g, ''), 'hex');
  const bytes = Buffer.alloc(16);
  STRING_ORDER.forEach((wireIndex, stringIndex) => {
    bytes[wireIndex] = pairs[stringIndex]!;
  });
  return bytes;
}
