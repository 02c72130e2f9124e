-- Reverses a whole paid payment exactly once: the mirror of its charge transfer
-- (payment:{id}:reversal, between the charge's accounts), spend released, and an outbox
-- event asking the operator to credit the subscriber. No account row is locked or written
-- (the accounts are unflagged, migration 0012).
-- p_reversed_at: the platform clock's time (decisions §38), not the database's.
CREATE OR REPLACE FUNCTION reverse_payment(p_service_id BIGINT, p_payment_id BIGINT, p_reversed_at TIMESTAMPTZ)
RETURNS TABLE (outcome TEXT, payment_status TEXT, client_reference TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  v_payment payments%ROWTYPE;
  v_charge ledger_transfers%ROWTYPE;
BEGIN
  SELECT * INTO v_payment FROM payments WHERE id = p_payment_id AND service_id = p_service_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::TEXT, NULL::TEXT, NULL::TEXT;
    RETURN;
  END IF;
  IF v_payment.status = 'reversed' THEN
    RETURN QUERY SELECT 'already_reversed'::TEXT, v_payment.status, v_payment.client_reference;
    RETURN;
  END IF;
  IF v_payment.status <> 'paid' THEN
    RETURN QUERY SELECT 'not_paid'::TEXT, v_payment.status, v_payment.client_reference;
    RETURN;
  END IF;
  SELECT * INTO v_charge FROM ledger_transfers WHERE idempotency_id = 'payment:' || v_payment.id || ':charge';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'reverse_payment: paid payment % has no charge transfer', v_payment.id;
  END IF;
  UPDATE payments SET status = 'reversed', reversed_at = p_reversed_at WHERE id = v_payment.id;
  INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code,
                                phase, state, created_at)
  VALUES ('payment:' || v_payment.id || ':reversal', v_charge.credit_account_id, v_charge.debit_account_id,
          v_charge.amount_minor, v_charge.currency, 'reversal', 'single', 'posted', p_reversed_at);
  IF NOT v_payment.test_subscriber THEN
    PERFORM release_spend(v_payment.msisdn, v_payment.currency, v_payment.month_period,
                          v_payment.year_period, v_payment.amount_minor);
    PERFORM enqueue_payment_event('payment.reversed', v_payment.id, p_reversed_at);
  END IF;
  RETURN QUERY SELECT 'reversed'::TEXT, 'reversed'::TEXT, v_payment.client_reference;
END;
$$;
