const WCF_DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads a DateTime as WCF clients send it: ISO 8601 with an offset, or WCF's own
 * "/Date(1700000000000+0100)/" (milliseconds since the epoch; the offset is only a hint
 * of the sender's zone). Returns null for anything else.
 */
export function parseWireDateTime(text: string): Date | null {
  const wcf = WCF_DATE.exec(text);
  if (wcf?.[1]) return validDate(new Date(Number(wcf[1])));
  if (!ISO_WITH_OFFSET.test(text)) return null;
  return validDate(new Date(text));
}

function validDate(date: Date): Date | null {
  return Number.isNaN(date.getTime()) ? null : date;
}
