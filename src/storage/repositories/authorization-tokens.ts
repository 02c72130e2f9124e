import type { Kysely } from 'kysely';
import type { AuthorizationTokenRepository, ConsentMode, NewAuthorizationToken, ConsentRecord } from '../../core/preauthorization/ports.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type { Schema } from '../schema.js';

export class SqlAuthorizationTokenRepository implements AuthorizationTokenRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(t: NewAuthorizationToken): Promise<void> {
    await this.db
      .insertInto('authorization_tokens')
      .values({
        service_id: t.serviceId,
        msisdn: t.msisdn,
        token_hash: t.tokenHash,
        external_reference: t.externalReference,
        client_transaction_id: t.clientTransactionId,
        description: t.description,
        consent: t.consent,
        created_at: t.createdAt,
      })
      .execute();
  }

  async isValid(serviceId: number, msisdn: Msisdn, tokenHash: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('authorization_tokens')
      .select('id')
      .where('token_hash', '=', tokenHash)
      .where('service_id', '=', serviceId)
      .where('msisdn', '=', msisdn)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revoke(serviceId: number, tokenHash: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('authorization_tokens')
      .set({ revoked_at: at })
      .where('token_hash', '=', tokenHash)
      .where('service_id', '=', serviceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async listFor(msisdn: Msisdn, limit: number): Promise<ConsentRecord[]> {
    const rows = await this.db
      .selectFrom('authorization_tokens as t')
      .innerJoin('endpoints as s', 's.id', 't.service_id')
      .select(['t.id', 't.service_id', 's.name', 't.description', 't.consent', 't.created_at', 't.revoked_at'])
      .where('t.msisdn', '=', msisdn)
      .orderBy('t.id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => ({
      id: Number(r.id),
      serviceId: Number(r.service_id),
      serviceName: r.name,
      description: r.description,
      consent: r.consent as ConsentMode,
      issuedAt: new Date(r.created_at),
      revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
    }));
  }

  async revokeFor(msisdn: Msisdn, id: number, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('authorization_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('msisdn', '=', msisdn)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
