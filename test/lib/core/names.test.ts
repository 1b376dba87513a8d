import fc from 'fast-check';
import {
  RAM_DISPLAY_NAME_MAX, RAM_USER_NAME_MAX, RAM_USER_NAME_PATTERN, codePointLength, sanitizeDisplayName,
  sanitizeUserName, usableUserName,
} from '../../../functions/lib/core/names';

const RUNS = { numRuns: 1000 };

/** Any UTF-16 text, lone surrogates included: what a broken export can hand us. */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 });
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), anyUtf16, fc.string({ unit: 'grapheme', maxLength: 200 }));

describe('sanitizeUserName', () => {
  it('lowercases and keeps RAM\'s alphabet', () => {
    expect(sanitizeUserName('Alice.Liu_01-x')).toBe('alice.liu_01-x');
    expect(sanitizeUserName('  BOB ')).toBe('bob');
  });

  it('turns inner whitespace into a dot and drops other characters outside the alphabet', () => {
    expect(sanitizeUserName('Alice  Liu')).toBe('alice.liu');
    expect(sanitizeUserName("O'Brien!")).toBe('obrien');
    expect(sanitizeUserName('alice@corp.example')).toBe('alicecorp.example');
  });

  it('folds accents, full-width letters and a few Latin letters that do not decompose', () => {
    expect(sanitizeUserName('José Müller')).toBe('jose.muller');
    expect(sanitizeUserName('ＡＢＣ１２３')).toBe('abc123');
    expect(sanitizeUserName('Strauß')).toBe('strauss');
    expect(sanitizeUserName('Łukasz Søren')).toBe('lukasz.soren');
  });

  it('drops Chinese letters and emoji (no transliteration)', () => {
    expect(sanitizeUserName('张伟')).toBeUndefined();
    expect(sanitizeUserName('王ming')).toBe('ming');
    expect(sanitizeUserName('😀dev😀')).toBe('dev');
  });

  it('strips leading and trailing separators and finds nothing usable in separators alone', () => {
    expect(sanitizeUserName('.-_alice_-.')).toBe('alice');
    expect(sanitizeUserName('--')).toBeUndefined();
    expect(sanitizeUserName('._.')).toBeUndefined();
    expect(sanitizeUserName('')).toBeUndefined();
    expect(sanitizeUserName(undefined)).toBeUndefined();
  });

  it('cuts names over 64 characters and does not end the cut on a separator', () => {
    const long = `${'a'.repeat(63)}.bcdef`;
    expect(sanitizeUserName(long)).toBe('a'.repeat(63));
    expect(sanitizeUserName('x'.repeat(200))).toHaveLength(RAM_USER_NAME_MAX);
  });

  it('always answers a RAM userName or undefined, for any text', () => {
    fc.assert(fc.property(anyText, (raw) => {
      const name = sanitizeUserName(raw);
      if (name === undefined) return;
      expect(name).toMatch(RAM_USER_NAME_PATTERN);
      expect(name).toMatch(/^[a-z0-9](.*[a-z0-9])?$/);
    }), RUNS);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(anyText, (raw) => {
      const once = sanitizeUserName(raw);
      expect(sanitizeUserName(once)).toBe(once);
    }), RUNS);
  });

  it('leaves an already valid name (without edge separators) unchanged', () => {
    const valid = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/);
    fc.assert(fc.property(valid, (name) => expect(sanitizeUserName(name)).toBe(name)), RUNS);
  });
});

describe('usableUserName', () => {
  it('refuses a name that would lose a letter or digit', () => {
    expect(usableUserName('张伟')).toBeUndefined();
    expect(usableUserName('王ming')).toBeUndefined();
    expect(usableUserName('Иван')).toBeUndefined();
    expect(usableUserName('dev٣')).toBeUndefined(); // an Arabic-Indic digit
  });

  it('accepts what only loses punctuation, accents or emoji', () => {
    expect(usableUserName("O'Brien")).toBe('obrien');
    expect(usableUserName('José')).toBe('jose');
    expect(usableUserName('dev😀')).toBe('dev');
  });

  it('agrees with sanitizeUserName whenever it accepts', () => {
    fc.assert(fc.property(anyText, (raw) => {
      const usable = usableUserName(raw);
      if (usable !== undefined) expect(usable).toBe(sanitizeUserName(raw));
    }), RUNS);
  });
});

describe('sanitizeDisplayName', () => {
  it('trims and collapses whitespace, line breaks and tabs included', () => {
    expect(sanitizeDisplayName('  Alice \n\t Liu  ')).toBe('Alice Liu');
  });

  it('drops control characters and lone surrogates', () => {
    expect(sanitizeDisplayName('Al\u0000ice\u007f')).toBe('Alice');
    expect(sanitizeDisplayName('A\ud800B')).toBe('AB');
  });

  it('keeps Chinese text and emoji', () => {
    expect(sanitizeDisplayName(' 张伟 👩‍💻 ')).toBe('张伟 👩‍💻');
  });

  it('cuts to 128 code points without splitting a surrogate pair', () => {
    const name = sanitizeDisplayName('😀'.repeat(200));
    expect(name).toBe('😀'.repeat(RAM_DISPLAY_NAME_MAX));
    expect(sanitizeDisplayName(`${'a'.repeat(127)} b`)).toBe('a'.repeat(127));
  });

  it('finds nothing in blank or control-only text', () => {
    expect(sanitizeDisplayName(' \n ')).toBeUndefined();
    expect(sanitizeDisplayName('\u0001\u0002')).toBeUndefined();
    expect(sanitizeDisplayName(undefined)).toBeUndefined();
  });

  it('always answers 1–128 code points of well-formed, trimmed text without control characters', () => {
    fc.assert(fc.property(anyText, (raw) => {
      const name = sanitizeDisplayName(raw);
      if (name === undefined) return;
      const points = codePointLength(name);
      expect(points).toBeGreaterThanOrEqual(1);
      expect(points).toBeLessThanOrEqual(RAM_DISPLAY_NAME_MAX);
      expect(name).not.toMatch(/\p{Cc}|\p{Cs}/u);
      expect(name).toBe(name.trim());
      expect(name).not.toMatch(/\s\s/);
      expect(sanitizeDisplayName(name)).toBe(name);
    }), RUNS);
  });
});

describe('codePointLength', () => {
  it('counts a surrogate pair once and a lone surrogate once', () => {
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('\ud800x')).toBe(2);
    expect(codePointLength('')).toBe(0);
  });
});
