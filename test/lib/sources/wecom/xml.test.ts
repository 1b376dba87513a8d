import { WecomEventError } from '../../../../functions/lib/sources/wecom/errors';
import { MAX_XML_BYTES, decodeXmlText, parseWecomXml, xmlText } from '../../../../functions/lib/sources/wecom/xml';

const refusal = (text: string) => {
  try {
    parseWecomXml(text);
  } catch (error) {
    if (error instanceof WecomEventError) return error.problem;
    throw error;
  }
  return 'accepted';
};

describe('parseWecomXml', () => {
  it('reads values with or without CDATA, keeping them strings', () => {
    const fields = parseWecomXml('<xml><UserID><![CDATA[0123]]></UserID><Status>1</Status><Department>1,2</Department><Empty></Empty></xml>');
    expect(xmlText(fields, 'UserID')).toBe('0123');
    expect(xmlText(fields, 'Status')).toBe('1');
    expect(xmlText(fields, 'Department')).toBe('1,2');
    expect(xmlText(fields, 'Empty')).toBeUndefined();
    expect(xmlText(fields, 'Missing')).toBeUndefined();
  });

  it('decodes the predefined entities and character references, and nothing else', () => {
    const fields = parseWecomXml('<xml><Name>R&amp;D &lt;1&gt; &#20013;&#x6587; &custom;</Name></xml>');
    expect(xmlText(fields, 'Name')).toBe('R&D <1> 中文 &custom;');
    expect(decodeXmlText('&#0; &#xD800;')).toBe('&#0; &#xD800;');
  });

  it('accepts the XML declaration and nested ExtAttr without reading them as fields', () => {
    const fields = parseWecomXml('<?xml version="1.0" encoding="UTF-8"?><xml><ExtAttr><Item><Name>a</Name><Text><Value>b</Value></Text></Item></ExtAttr><UserID>u</UserID></xml>');
    expect(xmlText(fields, 'UserID')).toBe('u');
    expect(() => xmlText(fields, 'ExtAttr')).toThrow('<ExtAttr> is not text');
  });

  it('refuses a repeated field rather than guessing which one counts', () => {
    expect(() => xmlText(parseWecomXml('<xml><UserID>a</UserID><UserID>b</UserID></xml>'), 'UserID')).toThrow('appears more than once');
  });

  it('refuses entity declarations, so the billion laughs never expand', () => {
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><UserID>&lol3;</UserID></xml>';
    expect(refusal(lol)).toBe('forbiddenMarkup');
    expect(refusal('<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml><A>&xxe;</A></xml>')).toBe('forbiddenMarkup');
    expect(refusal('<xml><!ENTITY a "b"><A>1</A></xml>')).toBe('forbiddenMarkup');
    expect(refusal('<xml><A><![CDATA[x]]></A><!DOCTYPE y></xml>')).toBe('forbiddenMarkup');
  });

  it('reads markup-like text inside CDATA as text', () => {
    expect(xmlText(parseWecomXml('<xml><Name><![CDATA[<!DOCTYPE> & <!x>]]></Name></xml>'), 'Name')).toBe('<!DOCTYPE> & <!x>');
  });

  it('refuses bodies over the limit before parsing them', () => {
    expect(refusal(`<xml><A>${'a'.repeat(MAX_XML_BYTES)}</A></xml>`)).toBe('tooLarge');
    // Multi-byte characters count as bytes, not characters.
    expect(refusal(`<xml><A>${'中'.repeat(MAX_XML_BYTES / 3)}</A></xml>`)).toBe('tooLarge');
  });

  it('refuses deep nesting, malformed XML, a missing root and prototype keys', () => {
    expect(refusal(`<xml>${'<a>'.repeat(50)}x${'</a>'.repeat(50)}</xml>`)).toBe('notXml');
    expect(refusal('<xml><A>1</B></xml>')).toBe('notXml');
    expect(refusal('not xml at all')).toBe('notXml');
    expect(refusal('<root><A>1</A></root>')).toBe('shape');
    expect(refusal('<xml>text</xml>')).toBe('shape');
    expect(refusal('<xml><__proto__><polluted>1</polluted></__proto__></xml>')).toBe('notXml');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads an empty <xml/> as no fields', () => {
    expect(parseWecomXml('<xml></xml>')).toEqual({});
  });
});
