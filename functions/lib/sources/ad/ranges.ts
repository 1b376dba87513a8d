/**
 * Range retrieval (MS-ADTS 3.1.1.3.1.3.3) for multi-valued attributes such as `member` and
 * `memberOf`. AD returns at most MaxValRange values (1500 since 2003) per attribute and read: a
 * bigger group's plain `member` comes back as `member;range=0-1499`, and the rest must be asked
 * for with `member;range=1500-*` until the server's high bound is `*`.
 *
 * What the wire looks like through ldapts 8 (checked against Samba 4.17):
 * - entries are keyed by the attribute name exactly as the server sent it, e.g. `member;range=0-9`;
 *   a single value is a scalar, not an array;
 * - ldapts also adds every *requested* attribute the server did not send as `[]`. Asking for
 *   `member;range=10-19` of a 20-member group yields `member;range=10-*` (10 values) *and*
 *   `member;range=10-19: []`; so a plain `member` read of a capped AD group should yield
 *   `member: []` next to `member;range=0-1499` (follows from ldapts' toObject; no real AD here);
 * - the server ends with `*` when the requested high bound reaches the last value, and answers an
 *   empty `…;range=N-*` when N is past the end;
 * - Samba honours only a lowercase `range=` option (`member;Range=0-4` returns everything, plainly).
 */
import type { Client, Control, Entry } from 'ldapts';
import { search } from './connection';
import { AdSourceError } from './errors';

/** One range of values as the server labelled it: `member;range=<low>-<high>`, `*` meaning "the last". */
export interface ValueRange {
  values: string[];
  low: number;
  high: number | '*';
}

export interface ValueRangeOptions {
  /** The controls the entry was read with (Extended DN), so every page has the same value form. */
  controls?: Control[];
  /** Values per follow-up request; unset asks for everything left (`<next>-*`) and lets the DC cap. */
  step?: number;
}

const RANGED_KEY = /^(.+);range=(\d+)-(\d+|\*)$/i;
/** `<GUID=…>` at the front of an Extended DN; the full `<GUID=…>;<SID=…>;CN=…` is no valid search base. */
const GUID_BASE = /^<GUID=[0-9a-f-]+>/i;

/**
 * The attribute to ask for in a first read: plain, or its first `step` values (tests use this to make
 * Samba, which does not cap, answer like a capped AD).
 *
 * @example attributeRequest('member', 10) // 'member;range=0-9'
 */
export function attributeRequest(attribute: string, step?: number): string {
  return step === undefined ? attribute : `${attribute};range=0-${checkedStep(step) - 1}`;
}

/**
 * The range of `attribute` the server sent in this entry, or undefined when it came back plain (or
 * not at all). Attribute names compare case-insensitively.
 *
 * @example parseValueRange({ dn, 'member;range=0-1499': [...] }, 'member') // { values, low: 0, high: 1499 }
 */
export function parseValueRange(entry: Entry, attribute: string): ValueRange | undefined {
  const ranges = rangedKeys(entry, attribute).map(({ key, low, high }) => ({ values: textValues(entry[key]), low, high }));
  // An empty bounded range is ldapts' placeholder for a requested range the server did not send
  // (for a group without members, say); an empty `*` range is the server saying "nothing more".
  const answers = ranges.filter((r) => r.values.length > 0 || r.high === '*');
  return answers.find((r) => r.values.length > 0) ?? answers[0];
}

/**
 * Every value of `attribute`: the entry's own when it came back plain, otherwise its first range
 * followed by base-scope reads of the next ranges until the server's high bound is `*`.
 * The entry is left as it is (see completeRangedAttributes).
 *
 * Pages are separate reads, so a membership change in between can skip or repeat a value; the
 * change also bumps the object's uSNChanged, so the next poll reads it again.
 *
 * @example const members = await readAllValues(client, group, 'member', { controls: [extendedDnControl()] });
 */
export async function readAllValues(client: Client, entry: Entry, attribute: string, options: ValueRangeOptions = {}): Promise<string[]> {
  let page = parseValueRange(entry, attribute);
  if (!page) return plainValues(entry, attribute);
  const step = options.step === undefined ? undefined : checkedStep(options.step);
  const base = GUID_BASE.exec(entry.dn)?.[0] ?? entry.dn;
  const values: string[] = [];
  let next = 0;
  for (;;) {
    // Each page must start where the last ended and move forward; anything else would loop or drop values.
    if (!page || page.low !== next || (page.high !== '*' && page.high < page.low)) {
      throw new AdSourceError('ldap', `the DC made no progress reading ${attribute} values from ${next} (range retrieval)`);
    }
    values.push(...page.values);
    if (page.high === '*') return values;
    next = page.high + 1;
    const request = `${attribute};range=${next}-${step === undefined ? '*' : next + step - 1}`;
    const { searchEntries } = await search(client, `${attribute} values from ${next}`, base, {
      scope: 'base', filter: '(objectClass=*)', attributes: [request],
    }, ...(options.controls ?? []));
    const answer = searchEntries[0];
    page = answer && parseValueRange(answer, attribute);
  }
}

/**
 * Completes `attributes` on the entry in place: when any came back ranged, its full list replaces
 * the ranged keys under the plain name, so mapping code reading `entry.member` sees everything.
 * Attributes that came back plain are left untouched.
 *
 * @example await completeRangedAttributes(client, entry, ['memberOf'], { controls }); toIdentity(entry);
 */
export async function completeRangedAttributes(client: Client, entry: Entry, attributes: string[], options: ValueRangeOptions = {}): Promise<Entry> {
  for (const attribute of attributes) {
    const keys = rangedKeys(entry, attribute).map((r) => r.key);
    if (keys.length === 0) continue;
    const values = await readAllValues(client, entry, attribute, options);
    for (const key of keys) delete entry[key];
    entry[attribute] = values;
  }
  return entry;
}

function rangedKeys(entry: Entry, attribute: string): Array<{ key: string; low: number; high: ValueRange['high'] }> {
  const wanted = attribute.toLowerCase();
  const found: Array<{ key: string; low: number; high: ValueRange['high'] }> = [];
  for (const key of Object.keys(entry)) {
    const match = RANGED_KEY.exec(key);
    if (!match || match[1]!.toLowerCase() !== wanted) continue;
    const low = Number(match[2]);
    const high: ValueRange['high'] = match[3] === '*' ? '*' : Number(match[3]);
    if (Number.isSafeInteger(low) && (high === '*' || Number.isSafeInteger(high))) found.push({ key, low, high });
  }
  return found;
}

function plainValues(entry: Entry, attribute: string): string[] {
  const key = attribute in entry ? attribute : Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  return key === undefined ? [] : textValues(entry[key]);
}

function textValues(value: Entry[string] | undefined): string[] {
  const list: Array<string | Buffer> = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

function checkedStep(step: number): number {
  if (!Number.isSafeInteger(step) || step < 1) throw new AdSourceError('invalid-input', `a value range step must be a positive integer, not ${step}`);
  return step;
}
