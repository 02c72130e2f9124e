import type { MsisdnSealer } from '../../core/aliases/sealed-msisdn.js';
import { type Msisdn, parseMsisdn } from '../../kernel/msisdn.js';
import { CODE, fail } from './faults.js';
import type { Partner } from './partner.js';

/** Digits only, as the document writes a plain MSISDN (447777123456); a leading + is tolerated. */
const PLAIN_MSISDN = /^\+?[1-9][0-9]{6,14}$/;

/**
 * The subscriber an MX names: an MX sealed for this partner, or a plain MSISDN with its
 * country code where the document allows one (§10, §14). Anything else, an MX of another
 * partner and a tampered MX alike, is 00 - Invalid MX.
 */
export function subscriberOf(sealer: MsisdnSealer, partner: Partner, mx: string | undefined, allowPlain = true): Msisdn {
  const text = (mx ?? '').trim();
  if (text === '') throw fail(CODE.InvalidMx);
  if (allowPlain && PLAIN_MSISDN.test(text)) {
    const plain = parseMsisdn(text);
    if (plain) return plain;
    throw fail(CODE.InvalidMx);
  }
  const opened = sealer.open(partner.endpoint.endpointId, text);
  if (!opened) throw fail(CODE.InvalidMx);
  return opened;
}

/** The MX every answer carries: the subscriber sealed for this partner (also when the request gave a plain MSISDN). */
export function mxOf(sealer: MsisdnSealer, partner: Partner, msisdn: Msisdn): string {
  return sealer.seal(partner.endpoint.endpointId, msisdn);
}

/** MCC as three digits, or 08. */
export function mccOf(text: string | undefined): string {
  const value = (text ?? '').trim();
  if (!/^[0-9]{3}$/.test(value)) throw fail(CODE.InvalidMcc);
  return value;
}

/** MNC as two or three digits (a sample's int 02 arrives as 2: it is given its zero back), or 07. */
export function mncOf(text: string | undefined): string {
  const value = (text ?? '').trim();
  if (!/^[0-9]{1,3}$/.test(value)) throw fail(CODE.InvalidMnc);
  return value.padStart(2, '0');
}
