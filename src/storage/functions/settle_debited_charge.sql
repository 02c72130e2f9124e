-- Settles an attempt whose debit the operator confirmed; returns the payment's status
-- afterwards as settle_charge does. The debited attempt's MSISDN, amount and currency
-- come from the caller: a retry may have changed them on the row. p_settled_at: the platform
-- clock's time (decision 38), also when the give-back is queued and due.
CREATE OR REPLACE FUNCTION settle_debited_charge(p_payment_id BIGINT, p_attempt INTEGER,
                                      p_debit_account TEXT, p_credit_account TEXT,
                                      p_msisdn TEXT, p_amount_minor BIGINT, p_currency TEXT,
                                      p_settled_at TIMESTAMPTZ)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_status TEXT := settle_charge(p_payment_id, p_attempt, 'paid', p_debit_account, p_credit_account, p_settled_at);
  v_reference TEXT := p_payment_id || '.' || p_attempt;
BEGIN
  IF v_status IN ('failed', 'superseded') THEN
    INSERT INTO outbox_events (topic, payload, dedupe_key, created_at, available_at)
    VALUES ('carrier.credit',
            jsonb_build_object('debitReference', v_reference, 'msisdn', p_msisdn,
                               'amountMinor', p_amount_minor::TEXT, 'currency', p_currency),
            'carrier.credit:' || v_reference, p_settled_at, p_settled_at)
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
  END IF;
  RETURN v_status;
END;
$$;
