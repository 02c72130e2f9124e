-- The sandbox's prepaid debit is idempotent on its reference for good: a reference
-- that was debited (and perhaps credited back) never draws the balance again.
CREATE OR REPLACE FUNCTION sandbox_prepaid_debit(p_reference TEXT, p_msisdn TEXT, p_amount_minor BIGINT, p_initial_balance BIGINT,
                                                 p_debited_at TIMESTAMPTZ)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_rows INTEGER;
BEGIN
  INSERT INTO sandbox_prepaid_debits (reference, msisdn, amount_minor, created_at)
  VALUES (p_reference, p_msisdn, p_amount_minor, p_debited_at)
  ON CONFLICT (reference) DO NOTHING;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  IF v_rows = 0 THEN
    RETURN 'debited';
  END IF;
  INSERT INTO sandbox_prepaid_balances (msisdn, balance_minor) VALUES (p_msisdn, p_initial_balance)
  ON CONFLICT (msisdn) DO NOTHING;
  UPDATE sandbox_prepaid_balances SET balance_minor = balance_minor - p_amount_minor
   WHERE msisdn = p_msisdn AND balance_minor >= p_amount_minor;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  IF v_rows = 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'insufficient_funds';
  END IF;
  RETURN 'debited';
END;
$$;
