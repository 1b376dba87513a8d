/**
 * WeCom's XML, read safely. Callback bodies and decrypted events are flat `<xml>…</xml>` documents
 * whose values may or may not be CDATA-wrapped. `fast-xml-parser` runs with entity processing off,
 * and anything that could declare or expand entities (`<!DOCTYPE`, `<!ENTITY`) is refused before
 * parsing, so a "billion laughs" document is a 400, not a hung function. Values stay strings
 * (`<UserID>0123</UserID>` is the id "0123", never the number 123).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WecomEventError } from './errors';

/** Far above any contact event (a few hundred bytes; a full create_user with ExtAttr is ~2 KB). */
export const MAX_XML_BYTES = 64 * 1024;

/** The children of the root `<xml>` element; read values with `xmlText`. */
export type XmlFields = Readonly<Record<string, unknown>>;

// Pure: entrances that never read WeCom XML (push, full-sync, the pollers) then drop fast-xml-parser (~60 KiB).
const parser = /* @__PURE__ */ new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  // ExtAttr → Item → Text → Value is the deepest WeCom nests; a little headroom, no more.
  maxNestedTags: 8,
});

// Markup that declares or pulls in entities or external content. CDATA sections and comments are
// fine, and CDATA content is text (a department may be called "<!x>"), so it is skipped.
const DECLARATION = /<!(?!\[CDATA\[|--)/;
const CDATA = /<!\[CDATA\[[\s\S]*?\]\]>/g;

/**
 * @throws WecomEventError `tooLarge`, `forbiddenMarkup` (DOCTYPE, ENTITY), `notXml`, or `shape`
 *   (no `<xml>` root)
 * @example
 * xmlText(parseWecomXml('<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>'), 'Encrypt') // 'abc'
 */
export function parseWecomXml(text: string, maxBytes = MAX_XML_BYTES): XmlFields {
  // Counting characters first avoids encoding a huge string just to measure it.
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new WecomEventError('tooLarge', `the XML is larger than ${maxBytes} bytes`);
  }
  if (DECLARATION.test(text) && DECLARATION.test(text.replace(CDATA, ''))) {
    throw new WecomEventError('forbiddenMarkup', 'the XML declares a DOCTYPE or entities, which WeCom never sends');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new WecomEventError('notXml', `the body is not well-formed XML (line ${valid.err.line}, column ${valid.err.col})`);
  }
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error) {
    // e.g. a tag named __proto__, or nesting deeper than maxNestedTags.
    throw new WecomEventError('notXml', 'the XML was refused by the parser', { cause: error });
  }
  const root = (document as Record<string, unknown> | undefined)?.xml;
  if (root === '') return Object.freeze({});
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw new WecomEventError('shape', 'the XML has no single <xml> root element');
  }
  return root as XmlFields;
}

/**
 * A field's text, or undefined when absent or empty.
 * @throws WecomEventError `shape` when the field repeats or holds elements instead of text
 */
export function xmlText(fields: XmlFields, name: string): string | undefined {
  if (!Object.hasOwn(fields, name)) return undefined;
  const value = fields[name];
  if (typeof value !== 'string') {
    throw new WecomEventError('shape', Array.isArray(value) ? `<${name}> appears more than once` : `<${name}> is not text`);
  }
  const text = decodeXmlText(value);
  return text === '' ? undefined : text;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * XML's five predefined entities and numeric character references, which cannot expand into more
 * markup; anything else (`&custom;`) stays as written. The parser merges CDATA into the text, so
 * CDATA content is decoded too; harmless here, as only ids are read and they never hold `&`.
 */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/g, (whole, name: string) => {
    if (name[0] !== '#') return PREDEFINED[name] ?? whole;
    const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}
