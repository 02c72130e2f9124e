-- Reserves one charge, with p_needs_confirmation recorded for the attempt (a
-- retried failed row takes the new attempt's value), and spend periods that only move
-- forward (a charge dated in a period the row has left counts against nothing).
-- p_status: the initial status TypeScript decided (paid at once, or pending); p_reserved_at:
-- the platform clock's time (decision 38), the attempt's created_at and, paid, its settled_at.
CREATE OR REPLACE FUNCTION reserve_charge(
  p_service_id BIGINT, p_merchant_id BIGINT, p_client_reference TEXT, p_details_hash TEXT,
  p_msisdn TEXT, p_operator TEXT, p_amount_minor BIGINT, p_currency TEXT, p_service_code TEXT,
  p_test_subscriber BOOLEAN, p_status TEXT, p_month_period TEXT, p_month_limit BIGINT,
  p_year_period TEXT, p_year_limit BIGINT, p_debit_account TEXT, p_credit_account TEXT,
  p_details JSONB, p_needs_confirmation BOOLEAN, p_reserved_at TIMESTAMPTZ
) RETURNS TABLE (outcome TEXT, payment_id BIGINT, payment_status TEXT, attempt INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
  v_status TEXT := p_status;
  v_id BIGINT;
  v_attempt INTEGER := 1;
  v_existing payments%ROWTYPE;
  v_month_spent BIGINT;
  v_year_spent BIGINT;
  v_month_row TEXT;
  v_year_row TEXT;
BEGIN
  IF v_status IS NULL OR v_status NOT IN ('paid', 'pending') THEN
    RAISE EXCEPTION 'reserve_charge: illegal initial status %', v_status;
  END IF;
  INSERT INTO payments (service_id, merchant_id, client_reference, details_hash, msisdn, operator,
                        amount_minor, currency, service_code, status, test_subscriber,
                        month_period, year_period, details, created_at, settled_at, needs_confirmation)
  VALUES (p_service_id, p_merchant_id, p_client_reference, p_details_hash, p_msisdn, p_operator,
          p_amount_minor, p_currency, p_service_code, v_status, p_test_subscriber,
          p_month_period, p_year_period, p_details, p_reserved_at,
          CASE WHEN v_status = 'paid' THEN p_reserved_at END, p_needs_confirmation)
  ON CONFLICT (service_id, client_reference) DO NOTHING
  RETURNING id INTO v_id;

  IF v_id IS NULL THEN
    SELECT * INTO v_existing FROM payments
     WHERE service_id = p_service_id AND client_reference = p_client_reference FOR UPDATE;
    IF v_existing.status <> 'failed' THEN
      RETURN QUERY SELECT CASE WHEN v_existing.details_hash = p_details_hash THEN 'duplicate' ELSE 'conflict' END,
                          v_existing.id, v_existing.status, v_existing.attempt;
      RETURN;
    END IF;
    UPDATE payments SET details_hash = p_details_hash, msisdn = p_msisdn, operator = p_operator,
                        amount_minor = p_amount_minor, currency = p_currency, service_code = p_service_code,
                        status = v_status, test_subscriber = p_test_subscriber, month_period = p_month_period,
                        year_period = p_year_period, details = p_details, attempt = payments.attempt + 1,
                        needs_confirmation = p_needs_confirmation,
                        created_at = p_reserved_at, settled_at = CASE WHEN v_status = 'paid' THEN p_reserved_at END
     WHERE id = v_existing.id
    RETURNING id, payments.attempt INTO v_id, v_attempt;
  END IF;

  IF EXISTS (SELECT 1 FROM blocked_msisdns WHERE msisdn = p_msisdn) THEN
    RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'blocked';
  END IF;

  IF NOT p_test_subscriber THEN
    -- The row lock of the upsert serialises concurrent charges of one subscriber.
    INSERT INTO subscriber_spend AS s (msisdn, currency, month_period, month_spent_minor, year_period, year_spent_minor)
    VALUES (p_msisdn, p_currency, p_month_period, p_amount_minor, p_year_period, p_amount_minor)
    -- Periods only move forward. A charge dated in a period the row has already left
    -- (another server's clock a little behind, across the turn of a month) counts against
    -- nothing and checks nothing: that period is over, and moving the row back to it
    -- would forget the current period's spend.
    ON CONFLICT (msisdn, currency) DO UPDATE
      SET month_period = GREATEST(s.month_period COLLATE "C", EXCLUDED.month_period COLLATE "C"),
          month_spent_minor = CASE
            WHEN EXCLUDED.month_period COLLATE "C" > s.month_period COLLATE "C" THEN EXCLUDED.month_spent_minor
            WHEN EXCLUDED.month_period = s.month_period THEN s.month_spent_minor + EXCLUDED.month_spent_minor
            ELSE s.month_spent_minor END,
          year_period = GREATEST(s.year_period COLLATE "C", EXCLUDED.year_period COLLATE "C"),
          year_spent_minor = CASE
            WHEN EXCLUDED.year_period COLLATE "C" > s.year_period COLLATE "C" THEN EXCLUDED.year_spent_minor
            WHEN EXCLUDED.year_period = s.year_period THEN s.year_spent_minor + EXCLUDED.year_spent_minor
            ELSE s.year_spent_minor END
    RETURNING s.month_period, s.month_spent_minor, s.year_period, s.year_spent_minor
      INTO v_month_row, v_month_spent, v_year_row, v_year_spent;
    IF p_month_limit >= 0 AND v_month_row = p_month_period AND v_month_spent > p_month_limit THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_monthly';
    END IF;
    IF p_year_limit >= 0 AND v_year_row = p_year_period AND v_year_spent > p_year_limit THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_yearly';
    END IF;
  END IF;

  IF v_status = 'paid' THEN
    PERFORM post_payment_transfer('payment:' || v_id || ':charge', p_debit_account, p_credit_account, p_amount_minor,
                                  p_currency, 'charge', p_reserved_at);
  END IF;

  RETURN QUERY SELECT 'reserved'::TEXT, v_id, v_status, v_attempt;
END;
$$;
