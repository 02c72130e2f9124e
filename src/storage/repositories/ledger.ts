import { type Kysely, type Selectable, sql } from 'kysely';
import type { LedgerStore } from '../../core/ledger/ports.js';
import { chainIds } from '../../core/ledger/rules.js';
import type {
  Account,
  AccountFlag,
  AccountSpec,
  LedgerViolation,
  OpenAccountOutcome,
  OwnerKind,
  ResolveOutcome,
  ResolveRefusal,
  ResolveRequest,
  RollupOutcome,
  TransferOutcome,
  TransferRefusal,
  TransferRequest,
  TransferState,
} from '../../core/ledger/types.js';
import { assert } from '../../kernel/assert.js';
import type { Currency } from '../../kernel/money.js';
import type { Database } from '../db.js';
import type { Schema } from '../schema.js';

const CREATE_TRANSFERS_SQL = 'SELECT * FROM create_transfers($1::jsonb)';
const RESOLVE_PENDING_SQL = 'SELECT * FROM resolve_pending_transfer($1::jsonb)';
const ROLL_UP_SQL = 'SELECT * FROM roll_up_ledger($1::timestamptz, $2::bigint)';
/** The age of the first transfer at or above the rollup mark (on the xid index): the oldest not rolled up. */
const ROLLUP_LAG_SQL = `
SELECT extract(epoch FROM ($1::timestamptz - t.created_at)) * 1000 AS lag_ms
  FROM ledger_rollup r
  CROSS JOIN LATERAL (SELECT created_at FROM ledger_transfers WHERE xid >= r.rolled_up_below ORDER BY xid LIMIT 1) t`;

interface TransferRow {
  item: number;
  outcome: string;
  transfer_id: string | null;
  transfer_state: string | null;
}

const CREATED = new Set(['created', 'exists']);
const RESOLVED = new Set(['posted', 'voided', 'exists']);

/** The general ledger on the SQL functions create_transfers, resolve_pending_transfer and ledger_violations. */
export class SqlLedgerStore implements LedgerStore {
  private readonly db: Kysely<Schema>;

  constructor(private readonly database: Database) {
    this.db = database.kysely;
  }

  async openAccount(spec: AccountSpec, now: Date): Promise<OpenAccountOutcome> {
    const inserted = await this.db
      .insertInto('ledger_accounts')
      .values({
        code: spec.code,
        owner_kind: spec.ownerKind,
        owner_id: spec.ownerId,
        currency: spec.currency,
        debits_must_not_exceed_credits: spec.flag === 'debits_must_not_exceed_credits',
        credits_must_not_exceed_debits: spec.flag === 'credits_must_not_exceed_debits',
        created_at: now,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { kind: 'opened', account: toAccount(inserted) };
    const [account] = await this.accounts([spec.code]);
    assert(account !== undefined, `account ${spec.code} neither inserted nor found`);
    const same = account.ownerKind === spec.ownerKind && account.ownerId === spec.ownerId && account.currency === spec.currency && account.flag === spec.flag;
    return { kind: same ? 'exists' : 'exists_with_different_fields', account };
  }

  /**
   * A flagged account's balances are maintained on its row. An unflagged one's posted
   * balances are rolled up by a job (migration 0018): read as the rolled-up ones plus the
   * posted transfers since the rollup's mark, and its pending ones as its live pending
   * transfers: two index ranges bounded by the rollup interval and the holds open, not by
   * the account's history.
   */
  async accounts(codes: readonly string[]): Promise<Account[]> {
    if (codes.length === 0) return [];
    const { rows } = await sql<Selectable<Schema['ledger_accounts']>>`
      SELECT a.id, a.code, a.owner_kind, a.owner_id, a.currency, a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits,
             a.created_at,
             a.debits_pending + coalesce(s.debits_pending, 0) AS debits_pending,
             a.debits_posted + coalesce(s.debits_posted, 0) AS debits_posted,
             a.credits_pending + coalesce(s.credits_pending, 0) AS credits_pending,
             a.credits_posted + coalesce(s.credits_posted, 0) AS credits_posted
        FROM ledger_accounts a CROSS JOIN ledger_rollup m
        LEFT JOIN LATERAL (
          SELECT sum(x.debit) FILTER (WHERE x.pending) AS debits_pending, sum(x.debit) FILTER (WHERE NOT x.pending) AS debits_posted,
                 sum(x.credit) FILTER (WHERE x.pending) AS credits_pending, sum(x.credit) FILTER (WHERE NOT x.pending) AS credits_posted
            FROM (SELECT t.phase = 'pending' AS pending,
                         CASE WHEN t.debit_account_id = a.id THEN t.amount_minor ELSE 0 END AS debit,
                         CASE WHEN t.credit_account_id = a.id THEN t.amount_minor ELSE 0 END AS credit
                    FROM ledger_transfers t
                   WHERE t.xid >= m.rolled_up_below AND t.phase IN ('single', 'post')
                     AND (t.debit_account_id = a.id OR t.credit_account_id = a.id)
                  UNION ALL
                  SELECT true, CASE WHEN t.debit_account_id = a.id THEN t.amount_minor ELSE 0 END,
                         CASE WHEN t.credit_account_id = a.id THEN t.amount_minor ELSE 0 END
                    FROM ledger_transfers t
                   WHERE t.state = 'pending' AND t.phase = 'pending'
                     AND (t.debit_account_id = a.id OR t.credit_account_id = a.id)) AS x
           WHERE NOT a.debits_must_not_exceed_credits AND NOT a.credits_must_not_exceed_debits) AS s ON true
       WHERE a.code IN (${sql.join([...codes])})
       ORDER BY a.id`.execute(this.db);
    return rows.map(toAccount);
  }

  async rollUp(now: Date, maxTransactions: number): Promise<RollupOutcome> {
    const rows = await this.database.prepared<{ transfers: string; accounts: string; complete: boolean }>('roll_up_ledger', ROLL_UP_SQL, [
      now.toISOString(),
      maxTransactions,
    ]);
    const row = rows[0];
    assert(row !== undefined && rows.length === 1, 'roll_up_ledger answers one row');
    return { transfers: Number(row.transfers), accounts: Number(row.accounts), complete: row.complete };
  }

  async rollupLagMs(now: Date): Promise<number> {
    const rows = await this.database.prepared<{ lag_ms: string | number | null }>('ledger_rollup_lag', ROLLUP_LAG_SQL, [now.toISOString()]);
    return Math.max(0, Math.round(Number(rows[0]?.lag_ms ?? 0)));
  }

  async expiredPending(now: Date, limit: number): Promise<{ pendingId: string; transferId: number }[]> {
    // The partial index on pending transfers' timeouts: a range, however long the history.
    const rows = await this.db
      .selectFrom('ledger_transfers')
      .select(['id', 'idempotency_id'])
      .where('state', '=', 'pending')
      .where('timeout_at', '<=', now)
      .orderBy('timeout_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ pendingId: r.idempotency_id, transferId: Number(r.id) }));
  }

  async createTransfers(requests: readonly TransferRequest[], now: Date): Promise<TransferOutcome[]> {
    const chains = chainIds(requests);
    const transfers = requests.map((r, i) => ({
      i,
      id: r.id,
      debit: r.debitAccount,
      credit: r.creditAccount,
      amount_minor: r.amountMinor.toString(),
      currency: r.currency,
      code: r.code,
      pending: r.pending !== undefined,
      timeout_at: r.pending?.timeoutAt?.toISOString() ?? null,
      chain: chains[i],
    }));
    const rows = await this.database.prepared<TransferRow>('create_transfers', CREATE_TRANSFERS_SQL, [
      JSON.stringify({ now: now.toISOString(), transfers }),
    ]);
    assert(rows.length === requests.length, `create_transfers answered ${rows.length} rows for ${requests.length} transfers`);
    return rows.map((row, i) => {
      assert(row.item === i, `create_transfers answered item ${row.item} in place ${i}`);
      if (!CREATED.has(row.outcome)) return { kind: row.outcome as TransferRefusal };
      return { kind: row.outcome as 'created' | 'exists', transferId: Number(row.transfer_id), state: row.transfer_state as TransferState };
    });
  }

  async resolvePending(request: ResolveRequest, now: Date): Promise<ResolveOutcome> {
    const rows = await this.database.prepared<Omit<TransferRow, 'item'>>('resolve_pending_transfer', RESOLVE_PENDING_SQL, [
      JSON.stringify({
        now: now.toISOString(),
        id: request.id,
        pending_id: request.pendingId,
        action: request.action,
        amount_minor: request.amountMinor?.toString() ?? null,
      }),
    ]);
    const row = rows[0];
    assert(row !== undefined && rows.length === 1, 'resolve_pending_transfer answers one row');
    if (!RESOLVED.has(row.outcome)) return { kind: row.outcome as ResolveRefusal };
    return { kind: row.outcome as 'posted' | 'voided' | 'exists', transferId: Number(row.transfer_id), state: row.transfer_state as TransferState };
  }

  async violations(limit: number): Promise<LedgerViolation[]> {
    return this.database.prepared<LedgerViolation>('ledger_violations', 'SELECT * FROM ledger_violations($1)', [limit]);
  }
}

function toAccount(row: Selectable<Schema['ledger_accounts']>): Account {
  const flag: AccountFlag = row.debits_must_not_exceed_credits
    ? 'debits_must_not_exceed_credits'
    : row.credits_must_not_exceed_debits
      ? 'credits_must_not_exceed_debits'
      : 'none';
  return {
    code: row.code,
    ownerKind: row.owner_kind as OwnerKind,
    ownerId: row.owner_id,
    currency: row.currency as Currency,
    flag,
    debitsPendingMinor: BigInt(String(row.debits_pending)),
    debitsPostedMinor: BigInt(String(row.debits_posted)),
    creditsPendingMinor: BigInt(String(row.credits_pending)),
    creditsPostedMinor: BigInt(String(row.credits_posted)),
  };
}
