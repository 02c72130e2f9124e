/** Time source, injectable so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Spend-limit periods are calendar months and years in UTC. */
export function monthPeriod(at: Date): string {
  return `M${at.toISOString().slice(0, 7)}`;
}

export function yearPeriod(at: Date): string {
  return `Y${at.toISOString().slice(0, 4)}`;
}
