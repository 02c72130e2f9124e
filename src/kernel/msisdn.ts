import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** An MSISDN in E.164 form with a leading '+', e.g. "+4790000000". */
export type Msisdn = string & { readonly __brand: 'Msisdn' };

const MAX_RAW_LENGTH = 32;

/**
 * What libphonenumber said of the numbers parsed last, by E.164 text: a Pay parses its
 * number at the edge and the sandbox asks its country again, a bill follows the PIN sent to
 * the same number within the PIN's 10 minutes, and real traffic repeats subscribers. Sized
 * for the numbers of the PINs outstanding at about 100 a second (a first parse costs some
 * 12 µs, an entry about 100 bytes: 6.5 MB at most). Bounded, least recently used out first.
 */
const MAX_REMEMBERED_PARSES = 65_536;
const remembered = new Map<string, { msisdn: Msisdn | null; country: string | undefined }>();

function remember(text: string, msisdn: Msisdn | null, country: string | undefined): Msisdn | null {
  if (remembered.size >= MAX_REMEMBERED_PARSES) remembered.delete(remembered.keys().next().value as string);
  remembered.set(text, { msisdn, country });
  return msisdn;
}

function recall(text: string) {
  const known = remembered.get(text);
  if (known) {
    remembered.delete(text);
    remembered.set(text, known);
  }
  return known;
}

/**
 * Ranges that numbering plans reserve for fiction and testing, which libphonenumber
 * reports as invalid but which we must accept as mobile numbers: Ofcom's drama range
 * 07700 900000–900999 is where the sandbox's United Kingdom block lives.
 */
const RESERVED_MOBILE_TEST_RANGES: readonly RegExp[] = [/^\+447700900\d{3}$/];

/**
 * Normalises an MSISDN written as "+4790000000", "4790000000" or "004790000000"
 * to E.164. Returns null when it is not a valid mobile (or fixed-or-mobile) number.
 */
export function parseMsisdn(raw: string): Msisdn | null {
  if (raw.length === 0 || raw.length > MAX_RAW_LENGTH) return null;
  let text = raw.trim();
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  else if (!text.startsWith('+')) text = `+${text}`;
  if (!/^\+[1-9][0-9]{6,14}$/.test(text)) return null;
  if (RESERVED_MOBILE_TEST_RANGES.some((range) => range.test(text))) return text as Msisdn;
  const known = recall(text);
  if (known) return known.msisdn;
  const phone = parsePhoneNumberFromString(text);
  if (!phone) return remember(text, null, undefined);
  // With type metadata, a number is valid exactly when it has a type (that is what
  // isValid() computes), so the type alone decides and the patterns run once. Only a
  // plan without type metadata needs the general validity check.
  const type = phone.getType();
  const valid = type === undefined ? phone.isValid() : type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
  return remember(text, valid ? (phone.number as Msisdn) : null, phone.country);
}

/** ISO 3166 country of a valid MSISDN. */
export function msisdnCountry(msisdn: Msisdn): string | undefined {
  if (msisdn.startsWith('+44')) return 'GB';
  const known = recall(msisdn);
  if (known && known.msisdn === msisdn) return known.country;
  return parsePhoneNumberFromString(msisdn)?.country;
}
