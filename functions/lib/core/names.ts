/**
 * RAM's name rules, applied to whatever a directory hands us.
 *
 * UserName: 1–64 of `[a-z0-9._-]` (RAM allows upper case but compares case-insensitively, and IDaaS
 * lowercases, so we always lowercase). DisplayName: 1–128 characters.
 *
 * How a raw value becomes a userName:
 * 1. Unicode NFKD, then lower case: full-width `ＡＢＣ` becomes `abc`, `José` becomes `jose` + a
 *    combining accent (dropped in step 3), `ﬁ` becomes `fi`.
 * 2. A few Latin letters that do not decompose are spelled out (`ß`→`ss`, `æ`→`ae`, `ø`→`o`, `ł`→`l` …).
 *    This is not transliteration: Chinese, Cyrillic, Arabic … letters are dropped. Pinyin and the like
 *    are out of scope; such people fall through to another template or their source id.
 * 3. Whitespace runs become `.` (`Alice Liu` → `alice.liu`); every other character outside the
 *    alphabet is dropped (`o'brien` → `obrien`).
 * 4. Leading and trailing `.`, `-`, `_` are stripped, the rest cut to 64 (and stripped again).
 * The result is *usable* when something remains; because of step 4 it then starts and ends with a
 * letter or digit, so a name made only of `.`/`-`/`_` is never usable.
 */

export const RAM_USER_NAME_MAX = 64;
export const RAM_DISPLAY_NAME_MAX = 128;

/** What every userName we produce matches. */
export const RAM_USER_NAME_PATTERN = /^[a-z0-9._-]{1,64}$/;

// Latin letters NFKD leaves alone; spelled out so that common European names survive intact.
const SPELLED_OUT: Readonly<Record<string, string>> = {
  'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ð': 'd', 'ł': 'l', 'þ': 'th', 'ı': 'i', 'ħ': 'h',
};
const SPELLED_OUT_RE = /[ßæœøđðłþıħ]/g;
const WHITESPACE_RUN_RE = /\s+/g;
const OUTSIDE_ALPHABET_RE = /[^a-z0-9._-]+/g;
const EDGE_SEPARATORS_RE = /^[._-]+|[._-]+$/g;
// A letter or digit that is not ASCII after steps 1–2: sanitizing would silently lose it.
const LOST_LETTER_RE = /(?![a-z0-9])[\p{L}\p{N}]/u;

function foldToAscii(raw: string): string {
  return raw.normalize('NFKD').toLowerCase().replace(SPELLED_OUT_RE, (c) => SPELLED_OUT[c] ?? '');
}

function reduce(folded: string): string | undefined {
  const name = folded
    .trim()
    .replace(WHITESPACE_RUN_RE, '.')
    .replace(OUTSIDE_ALPHABET_RE, '')
    .replace(EDGE_SEPARATORS_RE, '');
  const cut = name.length > RAM_USER_NAME_MAX
    ? name.slice(0, RAM_USER_NAME_MAX).replace(EDGE_SEPARATORS_RE, '')
    : name;
  return cut === '' ? undefined : cut;
}

/**
 * Lowercase and reduce to RAM's alphabet `[a-z0-9._-]`, 1–64; undefined when nothing usable remains.
 *
 * @example
 * sanitizeUserName('  Alice.Liu ') // 'alice.liu'
 * sanitizeUserName('张伟')          // undefined
 * sanitizeUserName('--')           // undefined
 */
export function sanitizeUserName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  return reduce(foldToAscii(raw));
}

/**
 * Like {@link sanitizeUserName}, but also undefined when sanitizing would drop a letter or digit
 * (`张伟`, `王ming`, `Иван`): a name that lost part of itself is a misleading name, so the mapping
 * tries the next candidate instead. Punctuation and accents may still go (`O'Brien` → `obrien`).
 *
 * @example
 * usableUserName('José')   // 'jose'
 * usableUserName('王ming') // undefined (sanitizeUserName would give 'ming')
 */
export function usableUserName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const folded = foldToAscii(raw);
  if (LOST_LETTER_RE.test(folded)) return undefined;
  return reduce(folded);
}

// Control characters that are not whitespace (whitespace is collapsed instead), and lone surrogates.
const CONTROL_RE = /[^\P{Cc}\s]|\p{Cs}/gu;
const TRAILING_SPACE_RE = /\s+$/;

/**
 * Trim, collapse whitespace (line breaks and tabs included) to one space, drop control characters
 * and lone surrogates, cut to 128 code points (never splitting a surrogate pair).
 * Undefined when nothing remains.
 *
 * @example
 * sanitizeDisplayName('  Alice\n\tLiu ') // 'Alice Liu'
 */
export function sanitizeDisplayName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let name = raw.replace(CONTROL_RE, '').replace(WHITESPACE_RUN_RE, ' ').trim();
  // Cheap check first: fewer UTF-16 units than the limit means fewer code points too.
  if (name.length > RAM_DISPLAY_NAME_MAX) name = cutToCodePoints(name, RAM_DISPLAY_NAME_MAX).replace(TRAILING_SPACE_RE, '');
  return name === '' ? undefined : name;
}

function cutToCodePoints(text: string, max: number): string {
  let points = 0;
  let end = 0;
  while (end < text.length && points < max) {
    const code = text.codePointAt(end) ?? 0;
    end += code > 0xffff ? 2 : 1;
    points += 1;
  }
  return text.slice(0, end);
}

/** Number of code points, as RAM counts a DisplayName's length. */
export function codePointLength(text: string): number {
  let points = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    points += 1;
  }
  return points;
}
