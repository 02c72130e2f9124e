/**
 * The instants a wire date may name: the range of a .NET DateTime, 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.9999999Z (to the millisecond a JS Date keeps). A vendor's .NET
 * service cannot hold anything outside it, and PostgreSQL's timestamptz (4713 BC to
 * 294276 AD) holds all of it, so a date inside the range is never refused by the database.
 */
export const MIN_WIRE_DATE_MS = -62_135_596_800_000;
export const MAX_WIRE_DATE_MS = 253_402_300_799_999;

const WCF_DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/;
/** The widest offsets in use (UTC-12, UTC+14); ISO 8601 allows no more. */
const MAX_OFFSET_MINUTES = 14 * 60;
const MS_PER_MINUTE = 60_000;

/**
 * Reads a DateTime as WCF clients send it: ISO 8601, or WCF's own
 * "/Date(1700000000000+0100)/" (milliseconds since the epoch; the offset is only a hint
 * of the sender's zone). ISO 8601 without an offset, as DataContractSerializer writes a
 * DateTime of unspecified kind, is read as UTC. Returns null for anything else, for an
 * impossible calendar date and for an instant outside the .NET range.
 */
export function parseWireDateTime(text: string): Date | null {
  const wcf = WCF_DATE.exec(text);
  if (wcf?.[1]) return bounded(Number(wcf[1]));
  return parseIsoDateTime(text);
}

/**
 * ISO 8601 date and time (`2027-01-31T12:00`, seconds, up to 7 fraction digits and an
 * offset optional; no offset is UTC). Every field must be in range: `new Date()` would
 * roll 2027-02-30 over to March and 24:30 into the next day instead of refusing them.
 */
export function parseIsoDateTime(text: string): Date | null {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = match;
  const dayMs = calendarDayMs(Number(year), Number(month), Number(day));
  const offsetMinutes = offsetMinutesOf(zone);
  if (dayMs === null || offsetMinutes === null) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  const timeMs = ((Number(hour) * 60 + Number(minute)) * 60 + Number(second)) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
  return bounded(dayMs + timeMs - offsetMinutes * MS_PER_MINUTE);
}

/** An ISO 8601 calendar date (`2027-01-31`) as midnight UTC; null for an impossible one. */
export function parseIsoDate(text: string): Date | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const dayMs = calendarDayMs(Number(match[1]), Number(match[2]), Number(match[3]));
  return dayMs === null ? null : bounded(dayMs);
}

/** Midnight UTC of a proleptic Gregorian date, or null when there is no such day (year 0 included). */
function calendarDayMs(year: number, month: number, day: number): number | null {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `Z` → 0, `+01:30` → 90; null beyond ±14:00 or with minutes over 59. */
function offsetMinutesOf(zone: string): number | null {
  if (zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  const total = hours * 60 + minutes;
  if (minutes > 59 || total > MAX_OFFSET_MINUTES) return null;
  return zone.startsWith('-') ? -total : total;
}

function bounded(ms: number): Date | null {
  if (!Number.isFinite(ms) || ms < MIN_WIRE_DATE_MS || ms > MAX_WIRE_DATE_MS) return null;
  return new Date(ms);
}
