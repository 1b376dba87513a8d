import fc from 'fast-check';
import { StateKeyError } from '../../../functions/lib/state';
import { fileNameForKey, hashedKeyStart, isHashedKey, keyForFileName } from '../../../functions/lib/state/keys';

const segment = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 })
  .filter((s) => s !== '.' && s !== '..' && !s.includes('/'));
const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));

describe('state keys as file names', () => {
  it('maps every key to a lower-case, slash-free name, and back again unless it had to be hashed', () => {
    fc.assert(fc.property(key, (k) => {
      const name = fileNameForKey(k);
      const start = hashedKeyStart(name);
      if (start === undefined) {
        expect(name).toMatch(/^(?:[a-z0-9-]|_[a-z]|%[0-9a-f]{2})+\.json$/);
        expect(keyForFileName(name)).toBe(k);
      } else {
        expect(name).toMatch(/^(?:[a-z0-9-]|_[a-z]|%[0-9a-f]{2})*~[0-9a-f]{64}\.json$/);
        expect(k.startsWith(start)).toBe(true);
        expect(keyForFileName(name)).toBeUndefined();
      }
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(245);
    }), { numRuns: 1000 });
  });

  it('keeps the escaped name of every key of up to 80 UTF-8 bytes, and hashes only what does not fit', () => {
    expect(fileNameForKey('\u{10000}'.repeat(20))).not.toContain('~');
    expect(fileNameForKey('_'.repeat(80))).toBe(`${'%5f'.repeat(80)}.json`);
    expect(fileNameForKey('_'.repeat(81))).toMatch(/^(?:%5f){40}~[0-9a-f]{64}\.json$/);
    expect(isHashedKey('_'.repeat(81))).toBe(true);
    // What existing deployments wrote stays where it is.
    expect(fileNameForKey('suspension/dingtalk:manager 7')).toBe('suspension%2fdingtalk%3amanager%207.json');
  });

  it('cuts a hashed name\'s readable start at a whole character', () => {
    const name = fileNameForKey(`a/${'张'.repeat(40)}`);
    expect(hashedKeyStart(name)).toBe(`a/${'张'.repeat(12)}`) // 4 + 12 × 9 escaped bytes; a 13th would pass 120;
  });

  it('gives keys that differ only in case names that differ on a case-insensitive disk', () => {
    expect(fileNameForKey('wecom:ZhangSan').toLowerCase()).not.toBe(fileNameForKey('wecom:zhangsan').toLowerCase());
  });

  it('refuses a key that is not well-formed Unicode', () => {
    expect(() => fileNameForKey('a\uD800b')).toThrow(StateKeyError);
  });

  it('reads no key from names it could not have written', () => {
    for (const name of ['.tmp-0011', 'README.txt', 'Upper.json', '%FF.json', '%ff.json', 'a_.json', '.json', `~${'0'.repeat(64)}.json`]) {
      expect(keyForFileName(name)).toBeUndefined();
    }
  });
});
