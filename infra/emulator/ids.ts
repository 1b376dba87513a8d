/**
 * Identifiers and timestamps shaped like RAM's. Ids come from counters so two runs of the same
 * scenario produce the same ids; request ids and tokens are random.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** RAM's date format: ISO 8601 in UTC without milliseconds, e.g. `2015-01-23T12:33:18Z`. */
export function ramDate(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function requestId(): string {
  return randomUUID().toUpperCase();
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Sequences for one emulated account. One counter serves every kind, so no two ids share a number. */
export class IdSequence {
  /** `next`: the number the next id gets; a restored account passes its saved value. */
  constructor(private next = 1) {}

  /** The number the next id will get, for saving the account. */
  get nextValue(): number {
    return this.next;
  }

  /** A 16-digit numeric id like RAM's UserId / GroupId, distinct per prefix. */
  numeric(prefix: '2764' | '2835'): string {
    return `${prefix}${String(this.next++).padStart(12, '0')}`;
  }

  /** A 24-character AccessKey id like `LTAI5t…`. */
  accessKeyId(): string {
    return `LTAI5tEmu${String(this.next++).padStart(15, '0')}`;
  }

  mfaSerial(): string {
    return `acs:ram::emulator:mfa/${String(this.next++).padStart(6, '0')}`;
  }
}

const ID_PATTERNS = [/^(?:2764|2835)(\d{12})$/, /^LTAI5tEmu(\d{15})$/, /^acs:ram::emulator:mfa\/(\d{6,})$/];

/**
 * The sequence number inside an id this module made, or undefined for any other id. Used on
 * restore so an edited state file whose counter lags its ids still never hands out an old id.
 */
export function sequenceOf(id: string): number | undefined {
  for (const pattern of ID_PATTERNS) {
    const digits = pattern.exec(id)?.[1];
    if (digits !== undefined) return Number(digits);
  }
  return undefined;
}
