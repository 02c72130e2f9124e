import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/** Refuses DTDs and entity declarations outright: no XXE, no entity expansion bombs. */
const FORBIDDEN = /<!DOCTYPE|<!ENTITY/i;

/** Characters XML 1.0 does not allow anywhere in a document (the parser would pass them on). */
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** xsi:nil, whatever prefix the sender bound the XML Schema instance namespace to. */
const NIL_ATTRIBUTE = /(^|:)nil$/;

const parser = new XMLParser({
  // Attributes carry nothing the wire formats need, except xsi:nil.
  ignoreAttributes: (name: string) => !NIL_ATTRIBUTE.test(name),
  // An element marked nil is a null member (DataContractSerializer writes null optional
  // members so): it is left out, as if absent. Other elements keep no attributes.
  updateTag(tagName: string, _path: unknown, attributes: Record<string, unknown> | undefined) {
    let nil = false;
    for (const name of Object.keys(attributes ?? {})) {
      nil ||= attributes?.[name] === 'true';
      delete attributes?.[name];
    }
    return nil ? false : tagName;
  },
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
});

export class XmlError extends Error {}

/** Parses a bounded XML document into plain objects whose leaves are strings. */
export function parseXml(text: string, maxLength: number): Record<string, unknown> {
  if (text.length > maxLength) throw new XmlError(`XML body longer than ${maxLength} characters`);
  if (FORBIDDEN.test(text)) throw new XmlError('DTDs and entity declarations are not accepted');
  if (NOT_XML_CHARACTER.test(text)) throw new XmlError('The document holds a character XML 1.0 does not allow');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`Malformed XML: ${valid.err.msg}`);
  return unescapeLeaves(parser.parse(text)) as Record<string, unknown>;
}

/** Builds XML from an object; keys starting with '@' are attributes. Text is escaped. */
export function buildXml(document: Record<string, unknown>): string {
  return builder.build(stringLeaves(document)) as string;
}

function stringLeaves(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(stringLeaves);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringLeaves(v)]));
  return value;
}

function unescapeLeaves(value: unknown): unknown {
  if (typeof value === 'string') return unescapeXmlText(value);
  if (Array.isArray(value)) return value.map(unescapeLeaves);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeLeaves(v)]));
  return value;
}

/** Unescapes predefined and numeric character references (the parser leaves them, processEntities off). */
function unescapeXmlText(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, name: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    if (named[name]) return named[name];
    const codePoint = name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    // A reference may only name a character a document could hold: &#0; is not XML, and
    // unescaped it would carry a NUL past every check into the database.
    if (!isXmlChar(codePoint)) throw new XmlError(`Character reference &${name}; names a character XML 1.0 does not allow`);
    return String.fromCodePoint(codePoint);
  });
}

/** XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function isXmlChar(codePoint: number): boolean {
  if (codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd) return true;
  if (codePoint >= 0x20 && codePoint <= 0xd7ff) return true;
  if (codePoint >= 0xe000 && codePoint <= 0xfffd) return true;
  return codePoint >= 0x10000 && codePoint <= 0x10ffff;
}
