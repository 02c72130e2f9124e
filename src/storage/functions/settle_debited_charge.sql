-- Settles an attempt whose debit the operator confirmed; returns the payment's status
-- afterwards as settle_charge does. The debited attempt's MSISDN, amount and currency
-- come from the caller: a retry may have changed them on the row.
CREATE OR REPLACE FUNCTION settle_debited_charge(p_payment_id BIGINT, p_attempt INTEGER,
                                      p_debit_account TEXT, p_credit_account TEXT,
                                      p_msisdn TEXT, p_amount_minor BIGINT, p_currency TEXT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_status TEXT := settle_charge(p_payment_id, p_attempt, 'paid', p_debit_account, p_credit_account);
  v_reference TEXT := p_payment_id || '.' || p_attempt;
BEGIN
  IF v_status IN ('failed', 'superseded') THEN
    INSERT INTO outbox_events (topic, payload, dedupe_key)
    VALUES ('carrier.credit',
            jsonb_build_object('debitReference', v_reference, 'msisdn', p_msisdn,
                               'amountMinor', p_amount_minor::TEXT, 'currency', p_currency),
            'carrier.credit:' || v_reference)
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
  END IF;
  RETURN v_status;
END;
$$;
