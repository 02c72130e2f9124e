const WCF_DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Reads a DateTime as WCF clients send it: ISO 8601, or WCF's own
 * "/Date(1700000000000+0100)/" (milliseconds since the epoch; the offset is only a hint
 * of the sender's zone). ISO 8601 without an offset, as DataContractSerializer writes a
 * DateTime of unspecified kind, is read as UTC. Returns null for anything else.
 */
export function parseWireDateTime(text: string): Date | null {
  const wcf = WCF_DATE.exec(text);
  if (wcf?.[1]) return validDate(new Date(Number(wcf[1])));
  const iso = ISO_DATE_TIME.exec(text);
  if (!iso) return null;
  return validDate(new Date(iso[3] === undefined ? `${text}Z` : text));
}

function validDate(date: Date): Date | null {
  return Number.isNaN(date.getTime()) ? null : date;
}
