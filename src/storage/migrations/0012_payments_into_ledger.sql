-- Payments post to the general ledger (decisions 12, 34): the journal of decision 12 becomes
-- transfers, and journal_entries a view over them.
--
-- An unflagged account (a merchant's receivable, an operator's settlement account) keeps no
-- maintained balance: its balances are the sums of its transfers, which ledger_violations
-- and the store's account reads compute. Only flagged accounts (wallets, refundable
-- accounts) keep maintained balances, updated in the transfer's statement under their CHECK.
-- So a Pay's charge writes one transfer row and no account row: the hot merchant and
-- operator rows are never written, locked or waited on by a reservation batch.

UPDATE ledger_accounts
   SET debits_pending = 0, debits_posted = 0, credits_pending = 0, credits_posted = 0
 WHERE NOT debits_must_not_exceed_credits AND NOT credits_must_not_exceed_debits;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_unflagged_sums_only
  CHECK (debits_must_not_exceed_credits OR credits_must_not_exceed_debits
         OR (debits_pending = 0 AND debits_posted = 0 AND credits_pending = 0 AND credits_posted = 0));

-- The (account, currency) foreign keys cost two lookups and two row locks on the accounts per
-- transfer. Accounts are never deleted, every function that inserts a transfer resolves its
-- accounts by code and currency in the inserting statement (a miss is a NULL account id,
-- refused by NOT NULL), and ledger_violations proves every transfer's accounts exist in its
-- currency. The per-account indexes serve no query yet (account statements will want one,
-- or a rollup).
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_debit_account_id_currency_fkey;
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_credit_account_id_currency_fkey;
DROP INDEX ledger_transfers_debit_account;
DROP INDEX ledger_transfers_credit_account;

-- Every account the journal names, unflagged; owner and currency read from the name
-- (kind:id:currency; test-operator becomes the owner kind test_operator).
INSERT INTO ledger_accounts (code, owner_kind, owner_id, currency, debits_must_not_exceed_credits,
                             credits_must_not_exceed_debits, created_at)
SELECT code, replace(split_part(code, ':', 1), '-', '_'), split_part(code, ':', 2), currency, false, false, min(created_at)
  FROM (SELECT debit_account AS code, currency, created_at FROM journal_entries
        UNION ALL SELECT credit_account, currency, created_at FROM journal_entries) AS named
 GROUP BY code, currency
 ORDER BY code
ON CONFLICT (code) DO NOTHING;

-- Every entry a posted single-phase transfer payment:{payment}:{charge|reversal}, at its time.
INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code,
                              phase, state, created_at)
SELECT 'payment:' || j.payment_id || ':' || j.kind, d.id, c.id, j.amount_minor, j.currency, j.kind,
       'single', 'posted', j.created_at
  FROM journal_entries j
  JOIN ledger_accounts d ON d.code = j.debit_account AND d.currency = j.currency
  JOIN ledger_accounts c ON c.code = j.credit_account AND c.currency = j.currency
 ORDER BY j.id;

DO $$
BEGIN
  IF (SELECT count(*) FROM journal_entries) <> (SELECT count(*) FROM ledger_transfers WHERE idempotency_id LIKE 'payment:%') THEN
    RAISE EXCEPTION '0012: a journal entry did not become a transfer (an account of another currency under its name?)';
  END IF;
END;
$$;

DROP TABLE journal_entries;

-- The payment's id is read only from a payment transfer's id: the CASE keeps the cast off
-- every other transfer whatever order the planner evaluates the filters in.
CREATE VIEW journal_entries AS
SELECT t.id,
       CASE WHEN t.idempotency_id LIKE 'payment:%' THEN split_part(t.idempotency_id, ':', 2)::BIGINT END AS payment_id,
       t.code AS kind, d.code AS debit_account, c.code AS credit_account, t.amount_minor, t.currency, t.created_at
  FROM ledger_transfers t
  JOIN ledger_accounts d ON d.id = t.debit_account_id
  JOIN ledger_accounts c ON c.id = t.credit_account_id
 WHERE t.idempotency_id LIKE 'payment:%' AND t.code IN ('charge', 'reversal');
