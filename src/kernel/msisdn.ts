import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** An MSISDN in E.164 form with a leading '+', e.g. "+4790000000". */
export type Msisdn = string & { readonly __brand: 'Msisdn' };

const MAX_RAW_LENGTH = 32;

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
  const phone = parsePhoneNumberFromString(text);
  if (!phone) return null;
  // With type metadata, a number is valid exactly when it has a type (that is what
  // isValid() computes), so the type alone decides and the patterns run once. Only a
  // plan without type metadata needs the general validity check.
  const type = phone.getType();
  if (type === undefined) return phone.isValid() ? (phone.number as Msisdn) : null;
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return null;
  return phone.number as Msisdn;
}

/** ISO 3166 country of a valid MSISDN. */
export function msisdnCountry(msisdn: Msisdn): string | undefined {
  if (msisdn.startsWith('+44')) return 'GB';
  return parsePhoneNumberFromString(msisdn)?.country;
}
