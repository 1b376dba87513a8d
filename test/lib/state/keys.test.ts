import fc from 'fast-check';
import { StateKeyError } from '../../../functions/lib/state';
import { fileNameForKey, keyForFileName } from '../../../functions/lib/state/keys';

const segment = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 })
  .filter((s) => s !== '.' && s !== '..' && !s.includes('/'));
const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

describe('state keys as file names', () => {
  it('maps every key to a lower-case, slash-free name and back again', () => {
    fc.assert(fc.property(key, (k) => {
      let name: string;
      try {
        name = fileNameForKey(k);
      } catch (err) {
        // Escaping triples a byte at worst, so any key of up to 80 UTF-8 bytes must fit.
        expect(err).toBeInstanceOf(StateKeyError);
        expect(Buffer.byteLength(k)).toBeGreaterThan(80);
        return;
      }
      expect(name).toMatch(/^(?:[a-z0-9-]|_[a-z]|%[0-9a-f]{2})+\.json$/);
      expect(keyForFileName(name)).toBe(k);
    }), { numRuns: 1000 });
  });

  it('fits any key of up to 80 UTF-8 bytes', () => {
    expect(() => fileNameForKey('\u{10000}'.repeat(20))).not.toThrow();
    expect(() => fileNameForKey('_'.repeat(80))).not.toThrow();
    expect(() => fileNameForKey('_'.repeat(81))).toThrow(StateKeyError);
  });

  it('gives keys that differ only in case names that differ on a case-insensitive disk', () => {
    expect(fileNameForKey('wecom:ZhangSan').toLowerCase()).not.toBe(fileNameForKey('wecom:zhangsan').toLowerCase());
  });

  it('refuses a key that is not well-formed Unicode', () => {
    expect(() => fileNameForKey('a\uD800b')).toThrow(StateKeyError);
  });

  it('reads no key from names it could not have written', () => {
    for (const name of ['.tmp-0011', 'README.txt', 'Upper.json', '%FF.json', '%ff.json', 'a_.json', '.json']) {
      expect(keyForFileName(name)).toBeUndefined();
    }
  });
});
