/**
 * Distinguished names (RFC 4514) as this source needs them: to match a group's member values to
 * people, to find a person's OU, and to tell whether an entry is under LDAP_BASE_DN. Values are
 * directory data, possibly hostile (`,+"\<>;=`, `#`, non-ASCII, 255 characters): they are parsed
 * with their escapes, never split on a bare comma.
 */

export interface Ava {
  /** The attribute type, lower-cased (`ou`, `uid`, or an OID). */
  type: string;
  /** The value, unescaped; for a `#hex` BER value (`ber`), the hex as written, lower-cased. */
  value: string;
  ber?: true;
}

/** One RDN: usually one attribute value assertion, several when joined with `+`. */
export type Rdn = Ava[];

const SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=']);

/**
 * The RDNs of `dn`, leftmost (the entry's own) first. Throws on a malformed DN.
 *
 * @example
 * parseDn('uid=a\\,b,ou=People,dc=example,dc=test')[0]; // [{ type: 'uid', value: 'a,b' }]
 */
export function parseDn(dn: string): Rdn[] {
  const rdns: Rdn[] = [];
  if (dn.trim() === '') return rdns;
  let i = 0;
  let rdn: Rdn = [];
  for (;;) {
    while (dn[i] === ' ') i++;
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new Error('malformed DN: an RDN without =');
    const type = dn.slice(i, eq).trim().toLowerCase();
    if (!/^([a-z][a-z0-9-]*|\d+(\.\d+)*)$/.test(type)) throw new Error('malformed DN: bad attribute type');
    i = eq + 1;
    let value = '';
    let ber = false;
    if (dn[i] === '#') {
      // A BER-encoded value: compared as written.
      const end = /^#[0-9A-Fa-f]*/.exec(dn.slice(i))![0];
      value = end.toLowerCase();
      ber = true;
      i += end.length;
    } else if (dn[i] === '"') {
      // RFC 2253's quoted form, which some servers still return.
      i++;
      while (i < dn.length && dn[i] !== '"') {
        if (dn[i] === '\\') i++;
        value += dn[i++] ?? '';
      }
      if (dn[i++] !== '"') throw new Error('malformed DN: unterminated quote');
    } else {
      const bytes: number[] = [];
      let trailingSpaces = 0;
      const flush = (text: string) => bytes.push(...Buffer.from(text, 'utf8'));
      while (i < dn.length && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
        const c = dn[i]!;
        if (c === '\\') {
          const hex = /^[0-9A-Fa-f]{2}/.exec(dn.slice(i + 1));
          if (hex) {
            bytes.push(parseInt(hex[0], 16));
            i += 3;
          } else if (i + 1 < dn.length) {
            flush(dn[i + 1]!);
            i += 2;
          } else {
            throw new Error('malformed DN: a trailing backslash');
          }
          trailingSpaces = 0;
          continue;
        }
        const codePoint = String.fromCodePoint(dn.codePointAt(i)!);
        flush(codePoint);
        trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
        i += codePoint.length;
      }
      value = Buffer.from(bytes.slice(0, bytes.length - trailingSpaces)).toString('utf8');
    }
    while (dn[i] === ' ') i++;
    rdn.push(ber ? { type, value, ber } : { type, value });
    if (i >= dn.length) break;
    const separator = dn[i++];
    if (separator === ',' || separator === ';') {
      rdns.push(rdn);
      rdn = [];
    } else if (separator !== '+') {
      throw new Error('malformed DN: unexpected character after a value');
    }
  }
  rdns.push(rdn);
  return rdns;
}

/** `value` escaped for a DN (RFC 4514 2.4): specials, a leading `#` or space, a trailing space, NUL. */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\0') out += '\\00';
    else if (SPECIAL.has(c) || (c === ' ' && (i === 0 || i === value.length - 1)) || (c === '#' && i === 0)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

export function formatDn(rdns: Rdn[]): string {
  return rdns.map((rdn) => rdn.map((ava) => `${ava.type}=${ava.ber ? ava.value : escapeDnValue(ava.value)}`).join('+')).join(',');
}

/**
 * A comparison key for `dn`: types and values lower-cased (the naming attributes people use, uid,
 * cn, ou, dc, are case-insensitive), a multi-valued RDN's parts in order, one spelling for every escape.
 * Undefined for a malformed DN (a member value that is not a DN matches nobody).
 */
export function dnKey(dn: string): string | undefined {
  try {
    return keyOf(parseDn(dn));
  } catch {
    return undefined;
  }
}

export function keyOf(rdns: Rdn[]): string {
  const lower = rdns.map((rdn) => rdn.map((ava) => ({ ...ava, value: ava.value.normalize('NFC').toLowerCase() }))
    .sort((a, b) => (a.type + '=' + a.value < b.type + '=' + b.value ? -1 : 1)));
  return formatDn(lower);
}

/**
 * The DNs above `dn` up to and including `base` (nearest first); empty when `dn` is not below `base`.
 *
 * @example
 * ancestorsWithin('uid=a,ou=Dev,ou=People,dc=x', 'ou=People,dc=x'); // ['ou=Dev,ou=People,dc=x', 'ou=People,dc=x']
 */
export function ancestorsWithin(dn: string, base: string): string[] {
  const rdns = parseDn(dn);
  const baseRdns = parseDn(base);
  if (!isWithin(rdns, baseRdns) || rdns.length === baseRdns.length) return [];
  const ancestors: string[] = [];
  for (let start = 1; start <= rdns.length - baseRdns.length; start++) ancestors.push(formatDn(rdns.slice(start)));
  return ancestors;
}

/** Whether `dn` is `base` or below it. */
export function isWithinDn(dn: string, base: string): boolean {
  try {
    return isWithin(parseDn(dn), parseDn(base));
  } catch {
    return false;
  }
}

function isWithin(rdns: Rdn[], base: Rdn[]): boolean {
  if (rdns.length < base.length) return false;
  return keyOf(rdns.slice(rdns.length - base.length)) === keyOf(base);
}
