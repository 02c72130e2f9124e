CREATE OR REPLACE FUNCTION sandbox_prepaid_credit(p_reference TEXT)
RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE
  v_debit sandbox_prepaid_debits%ROWTYPE;
BEGIN
  UPDATE sandbox_prepaid_debits SET credited = true WHERE reference = p_reference AND NOT credited
  RETURNING * INTO v_debit;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE sandbox_prepaid_balances SET balance_minor = balance_minor + v_debit.amount_minor WHERE msisdn = v_debit.msisdn;
  RETURN true;
END;
$$;
