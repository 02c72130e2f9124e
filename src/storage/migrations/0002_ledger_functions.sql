-- Recording a charge is one statement: idempotent insert, blocklist, spend limits,
-- journal entry and outbox event, all or nothing. Limit and blocklist refusals raise
-- so that nothing of the attempt survives; the caller maps SQLSTATE 'OD001'.
CREATE FUNCTION record_charge(
  p_service_id BIGINT, p_merchant_id BIGINT, p_client_reference TEXT, p_details_hash TEXT,
  p_msisdn TEXT, p_operator TEXT, p_amount_minor BIGINT, p_currency TEXT, p_service_code TEXT,
  p_status TEXT, p_test_subscriber BOOLEAN, p_month_period TEXT, p_month_limit BIGINT,
  p_year_period TEXT, p_year_limit BIGINT, p_debit_account TEXT, p_credit_account TEXT,
  p_details JSONB
) RETURNS TABLE (outcome TEXT, payment_id BIGINT, payment_status TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  v_id BIGINT;
  v_existing payments%ROWTYPE;
  v_counted INTEGER;
BEGIN
  IF p_status NOT IN ('paid', 'pending') THEN
    RAISE EXCEPTION 'record_charge: illegal initial status %', p_status;
  END IF;

  INSERT INTO payments (service_id, merchant_id, client_reference, details_hash, msisdn, operator,
                        amount_minor, currency, service_code, status, test_subscriber,
                        month_period, year_period, details, settled_at)
  VALUES (p_service_id, p_merchant_id, p_client_reference, p_details_hash, p_msisdn, p_operator,
          p_amount_minor, p_currency, p_service_code, p_status, p_test_subscriber,
          p_month_period, p_year_period, p_details,
          CASE WHEN p_status = 'paid' THEN now() END)
  ON CONFLICT (service_id, client_reference) DO NOTHING
  RETURNING id INTO v_id;

  IF v_id IS NULL THEN
    SELECT * INTO v_existing FROM payments
     WHERE service_id = p_service_id AND client_reference = p_client_reference;
    IF v_existing.details_hash <> p_details_hash THEN
      RETURN QUERY SELECT 'conflict'::TEXT, v_existing.id, v_existing.status;
    ELSE
      RETURN QUERY SELECT 'duplicate'::TEXT, v_existing.id, v_existing.status;
    END IF;
    RETURN;
  END IF;

  IF EXISTS (SELECT 1 FROM blocked_msisdns WHERE msisdn = p_msisdn) THEN
    RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'blocked';
  END IF;

  IF NOT p_test_subscriber THEN
    IF p_month_limit >= 0 AND p_amount_minor > p_month_limit THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_monthly';
    END IF;
    IF p_year_limit >= 0 AND p_amount_minor > p_year_limit THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_yearly';
    END IF;
    INSERT INTO spend_counters AS c (msisdn, currency, period, spent_minor)
    VALUES (p_msisdn, p_currency, p_month_period, p_amount_minor)
    ON CONFLICT (msisdn, currency, period) DO UPDATE
      SET spent_minor = c.spent_minor + EXCLUDED.spent_minor
      WHERE p_month_limit < 0 OR c.spent_minor + EXCLUDED.spent_minor <= p_month_limit;
    GET DIAGNOSTICS v_counted = ROW_COUNT;
    IF v_counted = 0 THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_monthly';
    END IF;
    INSERT INTO spend_counters AS c (msisdn, currency, period, spent_minor)
    VALUES (p_msisdn, p_currency, p_year_period, p_amount_minor)
    ON CONFLICT (msisdn, currency, period) DO UPDATE
      SET spent_minor = c.spent_minor + EXCLUDED.spent_minor
      WHERE p_year_limit < 0 OR c.spent_minor + EXCLUDED.spent_minor <= p_year_limit;
    GET DIAGNOSTICS v_counted = ROW_COUNT;
    IF v_counted = 0 THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_yearly';
    END IF;
  END IF;

  IF p_status = 'paid' THEN
    INSERT INTO journal_entries (payment_id, kind, debit_account, credit_account, amount_minor, currency)
    VALUES (v_id, 'charge', p_debit_account, p_credit_account, p_amount_minor, p_currency);
  END IF;

  INSERT INTO outbox_events (topic, payload)
  VALUES (CASE WHEN p_status = 'paid' THEN 'payment.paid' ELSE 'payment.pending' END,
          jsonb_build_object('paymentId', v_id, 'serviceId', p_service_id, 'merchantId', p_merchant_id,
                             'clientReference', p_client_reference, 'msisdn', p_msisdn,
                             'amountMinor', p_amount_minor::TEXT, 'currency', p_currency));

  RETURN QUERY SELECT 'recorded'::TEXT, v_id, p_status;
END;
$$;

-- Settles a pending charge once the operator's answer is known. Legal transitions
-- only: pending → paid (journal entry) or pending → failed (spend released).
CREATE FUNCTION settle_charge(p_payment_id BIGINT, p_status TEXT, p_debit_account TEXT, p_credit_account TEXT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_payment payments%ROWTYPE;
BEGIN
  IF p_status NOT IN ('paid', 'failed') THEN
    RAISE EXCEPTION 'settle_charge: illegal target status %', p_status;
  END IF;
  UPDATE payments SET status = p_status, settled_at = now()
   WHERE id = p_payment_id AND status = 'pending'
  RETURNING * INTO v_payment;
  IF NOT FOUND THEN
    RETURN 'not_pending';
  END IF;
  IF p_status = 'paid' THEN
    INSERT INTO journal_entries (payment_id, kind, debit_account, credit_account, amount_minor, currency)
    VALUES (v_payment.id, 'charge', p_debit_account, p_credit_account, v_payment.amount_minor, v_payment.currency);
  ELSIF NOT v_payment.test_subscriber THEN
    UPDATE spend_counters SET spent_minor = spent_minor - v_payment.amount_minor
     WHERE msisdn = v_payment.msisdn AND currency = v_payment.currency
       AND period IN (v_payment.month_period, v_payment.year_period);
  END IF;
  INSERT INTO outbox_events (topic, payload)
  VALUES ('payment.' || p_status,
          jsonb_build_object('paymentId', v_payment.id, 'serviceId', v_payment.service_id,
                             'merchantId', v_payment.merchant_id, 'clientReference', v_payment.client_reference,
                             'msisdn', v_payment.msisdn, 'amountMinor', v_payment.amount_minor::TEXT,
                             'currency', v_payment.currency));
  RETURN p_status;
END;
$$;

-- Reverses a whole paid payment exactly once: credit journal entry (the reverse of the
-- charge), spend released, outbox event asking the carrier to credit the subscriber.
CREATE FUNCTION reverse_payment(p_service_id BIGINT, p_payment_id BIGINT)
RETURNS TABLE (outcome TEXT, payment_status TEXT, client_reference TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  v_payment payments%ROWTYPE;
  v_charge journal_entries%ROWTYPE;
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
  SELECT * INTO v_charge FROM journal_entries WHERE payment_id = v_payment.id AND kind = 'charge';
  UPDATE payments SET status = 'reversed', reversed_at = now() WHERE id = v_payment.id;
  INSERT INTO journal_entries (payment_id, kind, debit_account, credit_account, amount_minor, currency)
  VALUES (v_payment.id, 'reversal', v_charge.credit_account, v_charge.debit_account,
          v_charge.amount_minor, v_charge.currency);
  IF NOT v_payment.test_subscriber THEN
    UPDATE spend_counters SET spent_minor = spent_minor - v_payment.amount_minor
     WHERE msisdn = v_payment.msisdn AND currency = v_payment.currency
       AND period IN (v_payment.month_period, v_payment.year_period);
  END IF;
  INSERT INTO outbox_events (topic, payload)
  VALUES ('payment.reversed',
          jsonb_build_object('paymentId', v_payment.id, 'serviceId', v_payment.service_id,
                             'merchantId', v_payment.merchant_id, 'clientReference', v_payment.client_reference,
                             'msisdn', v_payment.msisdn, 'operator', v_payment.operator,
                             'amountMinor', v_payment.amount_minor::TEXT, 'currency', v_payment.currency));
  RETURN QUERY SELECT 'reversed'::TEXT, 'reversed'::TEXT, v_payment.client_reference;
END;
$$;

-- Sandbox prepaid wallet: a debit draws the balance down once per reference. The
-- debit row is claimed first, so concurrent debits of one reference wait on its key.
CREATE FUNCTION sandbox_prepaid_debit(p_reference TEXT, p_msisdn TEXT, p_amount_minor BIGINT, p_initial_balance BIGINT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_rows INTEGER;
BEGIN
  INSERT INTO sandbox_prepaid_debits (reference, msisdn, amount_minor)
  VALUES (p_reference, p_msisdn, p_amount_minor)
  ON CONFLICT (reference) DO UPDATE SET credited = false
    WHERE sandbox_prepaid_debits.credited;
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

CREATE FUNCTION sandbox_prepaid_credit(p_reference TEXT)
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
