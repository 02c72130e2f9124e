import { type Kysely, sql } from 'kysely';
import type { Operator } from '../../core/carrier/ports.js';
import type { Schema } from '../schema.js';

/** Platform-operator data: operators, the blocklist, demo markers, health. */
export class SqlPlatformRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async upsertOperators(operators: readonly Operator[]): Promise<void> {
    if (operators.length === 0) return;
    await this.db
      .insertInto('operators')
      .values(operators.map((o) => ({ mcc_mnc: o.mccMnc, name: o.name, country: o.country, currency: o.currency })))
      .onConflict((oc) => oc.column('mcc_mnc').doNothing())
      .execute();
  }

  async block(msisdn: string, reason: string): Promise<void> {
    await this.db.insertInto('blocked_msisdns').values({ msisdn, reason }).onConflict((oc) => oc.column('msisdn').doNothing()).execute();
  }

  async isBlocked(msisdn: string): Promise<boolean> {
    const row = await this.db.selectFrom('blocked_msisdns').select('msisdn').where('msisdn', '=', msisdn).executeTakeFirst();
    return row !== undefined;
  }

  async hasDemoData(): Promise<boolean> {
    const row = await this.db.selectFrom('merchants').select('id').where('is_demo', '=', true).executeTakeFirst();
    return row !== undefined;
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }
}
