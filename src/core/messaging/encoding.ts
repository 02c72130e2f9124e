import { assert } from '../../kernel/assert.js';

/**
 * GSM 03.38 default alphabet in code order (the septet is the index); 0x1B is the escape
 * to the extension table, never a character of its own.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const ESCAPE = 0x1b;
/** GSM 03.38 extension table: the escape plus this septet, two septets each. */
const GSM_EXTENSION: ReadonlyMap<string, number> = new Map([
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
]);
const BASIC_SEPTET: ReadonlyMap<string, number> = new Map(
  [...GSM_BASIC].flatMap((char, septet) => (septet === ESCAPE ? [] : [[char, septet] as const])),
);

export type SmsEncoding = 'gsm7' | 'ucs2';

/** Units (septets or UTF-16 code units) a message holds alone, and per part when concatenated (6 octets of UDH). */
export const SEGMENT_UNITS = { single: { gsm7: 160, ucs2: 70 }, part: { gsm7: 153, ucs2: 67 } } as const;
/** The longest message the platform sends: 10 parts (1,530 GSM-7 or 670 UCS-2 units). */
export const MAX_SEGMENTS = 10;
/** A UDH concatenation reference is one octet; 16-bit references are not used. */
const MAX_PARTS_PER_UDH = 255;

/** GSM-7 when every character is in the default alphabet or its extension table, UCS-2 otherwise. */
export function encodingOf(text: string): SmsEncoding {
  for (const char of text) {
    if (!BASIC_SEPTET.has(char) && !GSM_EXTENSION.has(char)) return 'ucs2';
  }
  return 'gsm7';
}

/** The units one character costs in an encoding: extension characters two septets, astral code points two UTF-16 units. */
function unitsOf(char: string, encoding: SmsEncoding): number {
  if (encoding === 'ucs2') return char.length;
  return GSM_EXTENSION.has(char) ? 2 : 1;
}

export interface Segmentation {
  readonly encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text. */
  readonly units: number;
  /** The text of each part in order; one part when the text fits a single SMS. */
  readonly parts: readonly string[];
}

/**
 * Splits text into SMS parts: alone it may fill 160 septets / 70 units; concatenated,
 * each part 153 / 67, and a part never ends between an escape and its extension
 * character, nor between the halves of a surrogate pair (both are cut by characters).
 */
export function segment(text: string): Segmentation {
  const encoding = encodingOf(text);
  const chars = [...text];
  const units = chars.reduce((sum, char) => sum + unitsOf(char, encoding), 0);
  if (units <= SEGMENT_UNITS.single[encoding]) return { encoding, units, parts: [text] };
  const perPart = SEGMENT_UNITS.part[encoding];
  const parts: string[] = [];
  let current = '';
  let currentUnits = 0;
  for (const char of chars) {
    const cost = unitsOf(char, encoding);
    if (currentUnits + cost > perPart) {
      parts.push(current);
      current = '';
      currentUnits = 0;
    }
    current += char;
    currentUnits += cost;
  }
  parts.push(current);
  return { encoding, units, parts };
}

/** How many SMS parts the text takes. */
export function segmentCount(text: string): number {
  return segment(text).parts.length;
}

/** The text as GSM-7 septets, one per octet (SMPP data_coding 0, unpacked), or as UCS-2 big-endian. */
export function encodeText(text: string, encoding: SmsEncoding): Buffer {
  if (encoding === 'ucs2') return utf16be(text);
  const septets: number[] = [];
  for (const char of text) {
    const basic = BASIC_SEPTET.get(char);
    if (basic !== undefined) {
      septets.push(basic);
      continue;
    }
    const extension = GSM_EXTENSION.get(char);
    assert(extension !== undefined, 'GSM-7 text holds only default-alphabet and extension characters');
    septets.push(ESCAPE, extension);
  }
  return Buffer.from(septets);
}

/** Reads unpacked GSM-7 septets or UCS-2 back to text (MO messages and tests). */
export function decodeText(octets: Buffer, encoding: SmsEncoding): string {
  if (encoding === 'ucs2') {
    const swapped = Buffer.from(octets.subarray(0, octets.length - (octets.length % 2)));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  let text = '';
  for (let i = 0; i < octets.length; i += 1) {
    const septet = octets[i] ?? 0;
    if (septet === ESCAPE && i + 1 < octets.length) {
      i += 1;
      const next = octets[i] ?? 0;
      text += [...GSM_EXTENSION].find(([, code]) => code === next)?.[0] ?? ' ';
      continue;
    }
    text += GSM_BASIC[septet & 0x7f] ?? ' ';
  }
  return text;
}

function utf16be(text: string): Buffer {
  const octets = Buffer.from(text, 'utf16le');
  octets.swap16();
  return octets;
}

/** One concatenated part: the user data header (IEI 0x00, 8-bit reference) and the part's encoded text. */
export interface ConcatenatedPart {
  readonly udh: Buffer;
  readonly payload: Buffer;
}

/**
 * The parts of a long message with their UDH (05 00 03 ref total seq), for esm_class
 * UDHI; a single-part message has no header.
 */
export function concatenate(text: string, reference: number): ConcatenatedPart[] {
  assert(Number.isInteger(reference) && reference >= 0 && reference <= 0xff, 'a concatenation reference is one octet');
  const { encoding, parts } = segment(text);
  assert(parts.length <= MAX_PARTS_PER_UDH, 'a concatenated message has at most 255 parts');
  if (parts.length === 1) return [{ udh: Buffer.alloc(0), payload: encodeText(text, encoding) }];
  return parts.map((part, index) => ({
    udh: Buffer.from([0x05, 0x00, 0x03, reference, parts.length, index + 1]),
    payload: encodeText(part, encoding),
  }));
}
