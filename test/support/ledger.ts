import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { OpenDcb } from '../../src/app.js';
import { ROLLUP_MAX_TRANSACTIONS } from '../../src/core/ledger/service.js';
import type { Database } from '../../src/storage/db.js';
import { SqlLedgerStore } from '../../src/storage/repositories/ledger.js';

const MAX_VIOLATIONS_SHOWN = 20;

/**
 * The general ledger's invariants (ledger_violations): every account's balances equal the
 * sums of its transfers, each currency sums to zero, every pending transfer is resolved at
 * most once and as its state says, no account breaks its flag.
 */
export async function assertLedgerSound(db: Database): Promise<void> {
  const store = new SqlLedgerStore(db);
  assert.deepEqual(await store.violations(MAX_VIOLATIONS_SHOWN), [], 'the general ledger proves itself');
  // Again once every ended transfer is rolled up into the unflagged accounts' balances.
  await rollUpAll(store);
  assert.deepEqual(await store.violations(MAX_VIOLATIONS_SHOWN), [], 'the general ledger proves itself after a rollup');
}

const MAX_ROLLUP_RUNS = 100;

async function rollUpAll(store: SqlLedgerStore): Promise<void> {
  for (let run = 0; run < MAX_ROLLUP_RUNS; run += 1) {
    if ((await store.rollUp(new Date(), ROLLUP_MAX_TRANSACTIONS)).complete) return;
  }
  assert.fail(`the rollup did not catch up in ${MAX_ROLLUP_RUNS} runs`);
}

/**
 * The ledger invariants, checked over the whole database: every paid or reversed
 * payment has exactly one charge entry of its amount, every reversed one exactly one
 * reversal that mirrors it, nothing else has entries, and each merchant's balance is
 * the sum of its paid payments.
 */
export async function assertLedgerConsistent(app: Pick<OpenDcb, 'db'>): Promise<void> {
  await assertLedgerSound(app.db);
  const { rows: broken } = await sql<{ id: string; status: string; charges: string; reversals: string }>`
    SELECT p.id, p.status,
           count(*) FILTER (WHERE j.kind = 'charge' AND j.amount_minor = p.amount_minor AND j.currency = p.currency) AS charges,
           count(*) FILTER (WHERE j.kind = 'reversal' AND j.amount_minor = p.amount_minor
                            AND j.debit_account = c.credit_account AND j.credit_account = c.debit_account) AS reversals
      FROM payments p
      LEFT JOIN journal_entries j ON j.payment_id = p.id
      LEFT JOIN journal_entries c ON c.payment_id = p.id AND c.kind = 'charge'
     GROUP BY p.id, p.status
    HAVING count(j.id) <> CASE p.status WHEN 'paid' THEN 1 WHEN 'reversed' THEN 2 ELSE 0 END
        OR count(*) FILTER (WHERE j.kind = 'charge' AND j.amount_minor = p.amount_minor) <> CASE WHEN p.status IN ('paid', 'reversed') THEN 1 ELSE 0 END
        OR (p.status = 'reversed' AND count(*) FILTER (WHERE j.kind = 'reversal' AND j.amount_minor = p.amount_minor
                                      AND j.debit_account = c.credit_account AND j.credit_account = c.debit_account) <> 1)`.execute(app.db.kysely);
  assert.deepEqual(broken, [], 'every payment has exactly the journal entries its status implies');
  // What each merchant is owed by the ledger equals what its paid (not reversed) payments add up to.
  const { rows: owed } = await sql<{ account: string; ledger: string; payments: string }>`
    WITH ledger AS (
      SELECT account, sum(amount) AS total FROM (
        SELECT credit_account AS account, amount_minor AS amount FROM journal_entries
        UNION ALL SELECT debit_account, -amount_minor FROM journal_entries) AS legs
       WHERE account LIKE 'merchant:%' GROUP BY account),
    paid AS (
      SELECT 'merchant:' || merchant_id || ':' || currency AS account, sum(amount_minor) AS total
        FROM payments WHERE status = 'paid' GROUP BY 1)
    SELECT coalesce(l.account, p.account) AS account, coalesce(l.total, 0) AS ledger, coalesce(p.total, 0) AS payments
      FROM ledger l FULL JOIN paid p ON p.account = l.account
     WHERE coalesce(l.total, 0) <> coalesce(p.total, 0)`.execute(app.db.kysely);
  assert.deepEqual(owed, [], 'merchant balances in the journal match their paid payments');
}

/** What a subscriber has spent this month (M) and year (Y); {} when never charged. */
export async function spendCounters(app: OpenDcb, msisdn: string): Promise<Record<string, number>> {
  const row = await app.db.kysely.selectFrom('subscriber_spend').selectAll().where('msisdn', '=', msisdn).executeTakeFirst();
  return row ? { M: Number(row.month_spent_minor), Y: Number(row.year_spent_minor) } : {};
}

export async function countRows(app: OpenDcb, table: 'payments' | 'journal_entries' | 'outbox_events', where: Record<string, unknown> = {}) {
  let query = app.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
  for (const [column, value] of Object.entries(where)) query = query.where(sql.ref(column), '=', value);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}
