import { type Kysely, sql } from 'kysely';
import type { Schema } from '../schema.js';
import { ledgerRefusal } from './payments.js';

/** State of the sandbox network's prepaid wallets (implements the sandbox's store port). */
export class SqlSandboxPrepaidStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async debit(reference: string, msisdn: string, amountMinor: bigint, initialBalanceMinor: bigint, at: Date): Promise<'debited' | 'insufficient_funds'> {
    try {
      await sql`SELECT sandbox_prepaid_debit(${reference}, ${msisdn}, ${amountMinor.toString()}, ${initialBalanceMinor.toString()},
                                             ${at.toISOString()}::timestamptz)`.execute(this.db);
      return 'debited';
    } catch (error) {
      if (ledgerRefusal(error) === 'insufficient_funds') return 'insufficient_funds';
      throw error;
    }
  }

  async credit(reference: string): Promise<void> {
    await sql`SELECT sandbox_prepaid_credit(${reference})`.execute(this.db);
  }
}
