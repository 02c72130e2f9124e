import { type Kysely, sql } from 'kysely';
import type { ChargePinRepository, NewChargePin, PinAttempt, PinAttemptOutcome, StoredChargePin } from '../../core/pins/ports.js';
import { assert } from '../../kernel/assert.js';
import { Batcher } from '../../kernel/batcher.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Database } from '../db.js';
import type { Schema } from '../schema.js';
import { ledgerRefusal } from './payments.js';
import { guessColumns, judgeAttempt, type PinAttemptRow, statementRounds } from './pin-attempts.js';

/** Guesses judged in one statement: as many as a reservation batch carries, two statements at once. */
const ATTEMPT_BATCHING = { maxBatchSize: 64, maxBatchesInFlight: 2, maxQueued: 10_000 } as const;

/** judge_charge_pins over one round of guesses: a named prepared statement, planned once per connection. */
const ATTEMPTS_SQL =
  'SELECT * FROM judge_charge_pins($1::int[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::uuid[], $7::timestamptz[], $8::int[])';

export class SqlChargePinRepository implements ChargePinRepository {
  readonly #attempts: Batcher<PinAttempt, PinAttemptOutcome>;

  private readonly db: Kysely<Schema>;

  constructor(private readonly database: Database) {
    this.db = database.kysely;
    this.#attempts = new Batcher((attempts) => this.#attemptBatch(attempts), ATTEMPT_BATCHING);
  }

  attempt(attempt: PinAttempt): Promise<PinAttemptOutcome> {
    return this.#attempts.submit(attempt);
  }

  /**
   * One statement per round; a round holds each PIN once (a statement cannot update a row
   * twice), so guesses at one PIN that arrive together are judged one after another.
   */
  async #attemptBatch(attempts: readonly PinAttempt[]): Promise<PromiseSettledResult<PinAttemptOutcome>[]> {
    const outcomes: PromiseSettledResult<PinAttemptOutcome>[] = new Array(attempts.length);
    for (const round of statementRounds(attempts)) {
      try {
        const rows = await this.#attemptTogether(round.map((index) => attempts[index] as PinAttempt));
        assert(rows.length === round.length, `PIN attempts answered ${rows.length} rows for ${round.length}`);
        for (const row of rows) {
          const index = round[row.ord];
          assert(index !== undefined && outcomes[index] === undefined, `PIN attempts answered item ${row.ord} twice or out of range`);
          outcomes[index] = { status: 'fulfilled', value: judgeAttempt(row) };
        }
      } catch (error) {
        for (const index of round) outcomes[index] = { status: 'rejected', reason: error };
      }
    }
    return outcomes;
  }

  /** judge_charge_pins over one round of guesses. */
  async #attemptTogether(attempts: readonly PinAttempt[]): Promise<PinAttemptRow[]> {
    return this.database.prepared<PinAttemptRow>('charge_pin_attempts', ATTEMPTS_SQL, [attempts.map((_, i) => i), ...guessColumns(attempts)]);
  }

  async issue(p: NewChargePin): Promise<number | 'rate_limited'> {
    try {
      const { rows } = await sql<{ id: string | number }>`SELECT issue_charge_pin(${p.endpointId}, ${p.msisdn}, ${p.productId}, ${p.pinHash},
        ${p.now.toISOString()}::timestamptz, ${p.expiresAt.toISOString()}::timestamptz, ${p.maxPerHour}, ${JSON.stringify(p.sms)}::jsonb) AS id`.execute(this.db);
      return Number(rows[0]?.id);
    } catch (error) {
      if (ledgerRefusal(error) === 'rate_limited') return 'rate_limited';
      throw error;
    }
  }

  async latest(endpointId: number, msisdn: Msisdn, productId: number): Promise<StoredChargePin | null> {
    const row = await this.db
      .selectFrom('charge_pins')
      .select(['id', 'pin_hash', 'expires_at', 'attempts', 'used_at'])
      .where('endpoint_id', '=', endpointId)
      .where('msisdn', '=', msisdn)
      .where('product_id', '=', productId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return { pinId: Number(row.id), pinHash: row.pin_hash, expiresAt: new Date(row.expires_at), attempts: row.attempts, used: row.used_at !== null };
  }

  async claimAttempt(pinId: number, maxAttempts: number): Promise<boolean> {
    const result = await this.db
      .updateTable('charge_pins')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', pinId)
      .where('attempts', '<', maxAttempts)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async use(pinId: number, transactionId: string, at: Date): Promise<boolean> {
    const result = await sql<{ pin_id: string }>`
      WITH used AS (
        UPDATE charge_pins SET used_at = ${at} WHERE id = ${pinId} AND used_at IS NULL RETURNING id, endpoint_id)
      INSERT INTO charge_pin_uses (transaction_id, pin_id, endpoint_id)
      SELECT ${transactionId}::uuid, used.id, used.endpoint_id FROM used
      RETURNING pin_id`.execute(this.db);
    return result.rows.length === 1;
  }

  async hasTransaction(endpointId: number, transactionId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('charge_pin_uses')
      .select('pin_id')
      .where('transaction_id', '=', transactionId)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
