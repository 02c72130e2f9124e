import type { PinAttempt, PinAttemptOutcome } from '../../core/pins/ports.js';

/** A row of the PIN attempt statement: the newest PIN as it was before the guess, and whether the guess was counted and approved. */
export interface PinAttemptRow {
  ord: number;
  id: string | number | null;
  pin_hash: string | null;
  expires_at: string | Date | null;
  attempts: number | null;
  used_at: string | Date | null;
  /** null: not counted (used, burnt, expired, salted, or no PIN). */
  approved: boolean | null;
}

/** The salted scheme of before (`hmac$salt$digest`): judged by the service, which can read the salt. */
const SALTED_PREFIX = 'hmac$';

/** What a guess did, from its row: counted (approved or wrong), or why it was not counted. */
export function judgeAttempt(row: PinAttemptRow, attempt: PinAttempt): PinAttemptOutcome {
  if (row.id === null || row.pin_hash === null || row.expires_at === null || row.attempts === null) return { kind: 'wrong_pin' };
  const pinId = Number(row.id);
  if (row.approved === true) return { kind: 'approved', pinId };
  if (row.approved === false) return { kind: 'wrong_pin' };
  const used = row.used_at !== null;
  if (used || row.attempts >= attempt.maxAttempts) return { kind: 'used' };
  const expiresAt = new Date(row.expires_at);
  if (expiresAt <= attempt.now) return { kind: 'expired' };
  if (row.pin_hash.startsWith(SALTED_PREFIX)) {
    return { kind: 'salted', stored: { pinId, pinHash: row.pin_hash, expiresAt, attempts: row.attempts, used } };
  }
  // Locked and found usable, yet not counted: a statement of another process used or burnt it first.
  return { kind: 'used' };
}

/**
 * The attempts' indexes in rounds, each PIN (endpoint, MSISDN, product) at most once per
 * round, in arrival order: round n holds the n-th guess at each PIN.
 */
export function statementRounds(attempts: readonly PinAttempt[]): number[][] {
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  attempts.forEach((attempt, index) => {
    const key = `${attempt.endpointId}\u0000${attempt.msisdn}\u0000${attempt.productId}`;
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(index);
  });
  return rounds;
}
