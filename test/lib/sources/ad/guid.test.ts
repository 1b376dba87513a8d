import fc from 'fast-check';
import { BerWriter, FilterParser } from 'ldapts';
import { AdSourceError } from '../../../../functions/lib/sources/ad/errors';
import { guidFilter } from '../../../../functions/lib/sources/ad/filters';
import { guidToBuffer, guidToString, isGuidString } from '../../../../functions/lib/sources/ad/guid';

// The example from reference/ad.md §1.4: wire bytes 79 e4 e8 60 a6 8e b6 43 …
const WIRE = Buffer.from('79e4e860a68eb643b1c2d3e4f5061728', 'hex');
const TEXT = '60e8e479-8ea6-43b6-b1c2-d3e4f5061728';

describe('objectGUID', () => {
  it('reads the first three fields little-endian and the rest in order', () => {
    expect(guidToString(WIRE)).toBe(TEXT);
    expect(guidToBuffer(TEXT).equals(WIRE)).toBe(true);
  });

  it('accepts upper-case strings and always answers lower-case', () => {
    expect(guidToString(guidToBuffer(TEXT.toUpperCase()))).toBe(TEXT);
  });

  it('round-trips every 16-byte value', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const text = guidToString(Buffer.from(bytes));
      expect(isGuidString(text)).toBe(true);
      expect(guidToBuffer(text).equals(Buffer.from(bytes))).toBe(true);
    }), { numRuns: 10_000 });
  });

  it('rejects wrong lengths and malformed strings', () => {
    expect(() => guidToString(Buffer.alloc(15))).toThrow(AdSourceError);
    for (const bad of ['', 'not-a-guid', `${TEXT}0`, TEXT.replace(/-/g, ''), `{${TEXT}}`, TEXT.replace('6', 'g')]) {
      expect(() => guidToBuffer(bad)).toThrow(AdSourceError);
    }
  });
});

describe('guidFilter', () => {
  const encode = (filter: { write(w: BerWriter): void }) => {
    const writer = new BerWriter();
    filter.write(writer);
    return writer.buffer;
  };

  it('puts the raw 16 bytes on the wire', () => {
    expect(encode(guidFilter(TEXT)).includes(WIRE)).toBe(true);
  });

  it('is needed: the escaped string filter corrupts bytes >= 0x80 (ldapts#104)', () => {
    const escaped = `(objectGUID=${[...WIRE].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')})`;
    expect(encode(FilterParser.parseString(escaped)).includes(WIRE)).toBe(false);
  });
});
