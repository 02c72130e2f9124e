import type { PinAttempt, PinAttemptOutcome } from '../../core/pins/ports.js';
import { assert } from '../../kernel/assert.js';

/** A row of judge_charge_pins: the guess's verdict, and the newest PIN as it was before the guess. */
export interface PinAttemptRow {
  ord: number;
  verdict: string;
  id: string | number | null;
  pin_hash: string | null;
  expires_at: string | Date | null;
  attempts: number | null;
  used_at: string | Date | null;
}

/** What a guess did, from its row's verdict (judge_charge_pins.sql says when each is given). */
export function judgeAttempt(row: PinAttemptRow): PinAttemptOutcome {
  switch (row.verdict) {
    case 'approved':
      return { kind: 'approved', pinId: Number(row.id) };
    case 'wrong_pin':
    case 'used':
    case 'expired':
      return { kind: row.verdict };
    case 'salted':
      assert(row.id !== null && row.pin_hash !== null && row.expires_at !== null && row.attempts !== null, 'a salted verdict names its PIN');
      return {
        kind: 'salted',
        stored: { pinId: Number(row.id), pinHash: row.pin_hash, expiresAt: new Date(row.expires_at), attempts: row.attempts, used: row.used_at !== null },
      };
    default:
      throw new Error(`judge_charge_pins answered an unknown verdict: ${row.verdict}`);
  }
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

/** The guesses' fields as judge_charge_pins takes them after the ords, one array per field, in the guesses' order. */
export function guessColumns(guesses: readonly PinAttempt[]) {
  return [
    guesses.map((g) => g.endpointId),
    guesses.map((g) => g.msisdn),
    guesses.map((g) => g.productId),
    guesses.map((g) => g.pinHash),
    guesses.map((g) => g.transactionId),
    guesses.map((g) => g.now.toISOString()),
    guesses.map((g) => g.maxAttempts),
  ];
}
