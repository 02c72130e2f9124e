-- Posts one payment's single-phase transfer (its charge, payment:{id}:charge) between two
-- unflagged accounts named by code, from inside the function that changes the payment's
-- state, in its transaction. Unflagged accounts keep no maintained balance (migration
-- 0012), so no account row is written or locked: the transfer row is the posting. The
-- accounts are resolved by code and currency here; a missing one is opened first
-- (open_payment_accounts); a flagged one, or one of another currency, is refused. The id
-- derives from the payment's, so a second transfer under it is a bug: the unique index
-- refuses it.
CREATE OR REPLACE FUNCTION post_payment_transfer(p_id TEXT, p_debit TEXT, p_credit TEXT, p_amount_minor BIGINT,
                                                 p_currency TEXT, p_code TEXT, p_at TIMESTAMPTZ)
RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  v_debit_id BIGINT;
  v_credit_id BIGINT;
BEGIN
  FOR v_attempt IN 1 .. 2 LOOP
    SELECT (SELECT a.id FROM ledger_accounts a WHERE a.code = p_debit AND a.currency = p_currency
               AND NOT a.debits_must_not_exceed_credits AND NOT a.credits_must_not_exceed_debits LIMIT 1),
           (SELECT a.id FROM ledger_accounts a WHERE a.code = p_credit AND a.currency = p_currency
               AND NOT a.debits_must_not_exceed_credits AND NOT a.credits_must_not_exceed_debits LIMIT 1)
      INTO v_debit_id, v_credit_id;
    EXIT WHEN v_debit_id IS NOT NULL AND v_credit_id IS NOT NULL;
    IF v_attempt = 2 THEN
      RAISE EXCEPTION 'post_payment_transfer: % or % is not an unflagged % account', p_debit, p_credit, p_currency;
    END IF;
    PERFORM open_payment_accounts(ARRAY[p_debit, p_credit], ARRAY[p_currency, p_currency], p_at);
  END LOOP;
  INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code,
                                phase, state, created_at)
  VALUES (p_id, v_debit_id, v_credit_id, p_amount_minor, p_currency, p_code, 'single', 'posted', p_at);
END;
$$;
