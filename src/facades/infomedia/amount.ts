import { CURRENCY_EXPONENT, type Currency, MAX_AMOUNT_MINOR } from '../../kernel/money.js';
import { CODE, fail } from './faults.js';

/**
 * A decimal amount in major units (1.00, 0.25, "10") → minor units, exactly: a JSON
 * number is read from its shortest decimal text, never multiplied as a float. More
 * decimals than the currency has, zero, negative or beyond the platform's maximum: the
 * bill cannot be sent (10).
 */
export function amountMinorOf(given: string | number | undefined, currency: Currency): bigint {
  const text = typeof given === 'number' ? String(given) : (given ?? '').trim();
  const exponent = CURRENCY_EXPONENT[currency];
  const match = /^([0-9]{1,13})(?:\.([0-9]{1,6}))?$/.exec(text);
  if (!match) throw fail(CODE.BillNotSent);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) throw fail(CODE.BillNotSent);
  // The digits with the fraction padded to the currency's exponent are the minor units.
  const minor = BigInt(`${match[1] as string}${fraction.padEnd(exponent, '0')}`);
  if (minor <= 0n || minor > MAX_AMOUNT_MINOR) throw fail(CODE.BillNotSent);
  return minor;
}
