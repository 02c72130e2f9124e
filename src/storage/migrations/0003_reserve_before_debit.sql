-- A charge is reserved in the ledger before the operator is asked to debit, so no
-- money moves without a record: a crash between the two leaves a pending payment
-- that settlement resolves from the operator's answer. See docs/decisions.md.
-- The outbox carries only what must leave the system (a reversal's credit to the
-- operator); the payments and journal tables are the record of everything else.

-- A refused attempt frees its ClientReference; the retry is a new attempt on the same
-- row, and the operator sees a new debit reference (payment id + attempt).
ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt BETWEEN 1 AND 1000);

-- One row per subscriber and currency with the current month's and year's spend: one
-- upsert per charge instead of one per period. Older periods need no row: a period
-- that is over limits nothing.
CREATE TABLE subscriber_spend (
  msisdn             TEXT NOT NULL,
  currency           CHAR(3) NOT NULL,
  month_period       TEXT NOT NULL,
  month_spent_minor  BIGINT NOT NULL CHECK (month_spent_minor >= 0),
  year_period        TEXT NOT NULL,
  year_spent_minor   BIGINT NOT NULL CHECK (year_spent_minor >= 0),
  PRIMARY KEY (msisdn, currency)
);
INSERT INTO subscriber_spend (msisdn, currency, month_period, month_spent_minor, year_period, year_spent_minor)
SELECT k.msisdn, k.currency, coalesce(m.period, 'M0000-00'), coalesce(m.spent_minor, 0),
       coalesce(y.period, 'Y0000'), coalesce(y.spent_minor, 0)
  FROM (SELECT DISTINCT msisdn, currency FROM spend_counters) AS k
  LEFT JOIN LATERAL (SELECT period, spent_minor FROM spend_counters c
                      WHERE c.msisdn = k.msisdn AND c.currency = k.currency AND c.period LIKE 'M%'
                      ORDER BY c.period DESC LIMIT 1) AS m ON true
  LEFT JOIN LATERAL (SELECT period, spent_minor FROM spend_counters c
                      WHERE c.msisdn = k.msisdn AND c.currency = k.currency AND c.period LIKE 'Y%'
                      ORDER BY c.period DESC LIMIT 1) AS y ON true;
DROP TABLE spend_counters;

-- Gives a payment's amount back to the spend of its periods, where they are still current.
CREATE FUNCTION release_spend(p_msisdn TEXT, p_currency TEXT, p_month_period TEXT, p_year_period TEXT, p_amount_minor BIGINT)
RETURNS VOID
LANGUAGE sql AS $$
  UPDATE subscriber_spend
     SET month_spent_minor = month_spent_minor - CASE WHEN month_period = p_month_period THEN p_amount_minor ELSE 0 END,
         year_spent_minor = year_spent_minor - CASE WHEN year_period = p_year_period THEN p_amount_minor ELSE 0 END
   WHERE msisdn = p_msisdn AND currency = p_currency;
$$;

DROP FUNCTION record_charge(BIGINT, BIGINT, TEXT, TEXT, TEXT, TEXT, BIGINT, TEXT, TEXT, TEXT, BOOLEAN, TEXT, BIGINT, TEXT, BIGINT, TEXT, TEXT, JSONB);
DROP FUNCTION settle_charge(BIGINT, TEXT, TEXT, TEXT);
DROP FUNCTION reverse_payment(BIGINT, BIGINT);

-- Reserves a charge in one statement: idempotent on (service, ClientReference),
-- blocklist, period spend limits. With p_paid_at_once (a charge the operator collects
-- on the subscriber's invoice, or a test subscriber's, which is never collected) the
-- payment is recorded as paid with its journal entry in the same statement; otherwise
-- it is pending until the operator's debit settles it. Refusals raise OD001 so
-- nothing of the attempt survives (a failed row being retried stays failed).
CREATE FUNCTION reserve_charge(
  p_service_id BIGINT, p_merchant_id BIGINT, p_client_reference TEXT, p_details_hash TEXT,
  p_msisdn TEXT, p_operator TEXT, p_amount_minor BIGINT, p_currency TEXT, p_service_code TEXT,
  p_test_subscriber BOOLEAN, p_paid_at_once BOOLEAN, p_month_period TEXT, p_month_limit BIGINT,
  p_year_period TEXT, p_year_limit BIGINT, p_debit_account TEXT, p_credit_account TEXT,
  p_details JSONB
) RETURNS TABLE (outcome TEXT, payment_id BIGINT, payment_status TEXT, attempt INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
  v_status TEXT := CASE WHEN p_paid_at_once OR p_test_subscriber THEN 'paid' ELSE 'pending' END;
  v_id BIGINT;
  v_attempt INTEGER := 1;
  v_existing payments%ROWTYPE;
  v_month_spent BIGINT;
  v_year_spent BIGINT;
BEGIN
  INSERT INTO payments (service_id, merchant_id, client_reference, details_hash, msisdn, operator,
                        amount_minor, currency, service_code, status, test_subscriber,
                        month_period, year_period, details, settled_at)
  VALUES (p_service_id, p_merchant_id, p_client_reference, p_details_hash, p_msisdn, p_operator,
          p_amount_minor, p_currency, p_service_code, v_status, p_test_subscriber,
          p_month_period, p_year_period, p_details,
          CASE WHEN v_status = 'paid' THEN now() END)
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
                        created_at = now(), settled_at = CASE WHEN v_status = 'paid' THEN now() END
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
    ON CONFLICT (msisdn, currency) DO UPDATE
      SET month_period = EXCLUDED.month_period,
          month_spent_minor = EXCLUDED.month_spent_minor
            + CASE WHEN s.month_period = EXCLUDED.month_period THEN s.month_spent_minor ELSE 0 END,
          year_period = EXCLUDED.year_period,
          year_spent_minor = EXCLUDED.year_spent_minor
            + CASE WHEN s.year_period = EXCLUDED.year_period THEN s.year_spent_minor ELSE 0 END
    RETURNING s.month_spent_minor, s.year_spent_minor INTO v_month_spent, v_year_spent;
    IF p_month_limit >= 0 AND v_month_spent > p_month_limit THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_monthly';
    END IF;
    IF p_year_limit >= 0 AND v_year_spent > p_year_limit THEN
      RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'limit_yearly';
    END IF;
  END IF;

  IF v_status = 'paid' THEN
    INSERT INTO journal_entries (payment_id, kind, debit_account, credit_account, amount_minor, currency)
    VALUES (v_id, 'charge', p_debit_account, p_credit_account, p_amount_minor, p_currency);
  END IF;

  RETURN QUERY SELECT 'reserved'::TEXT, v_id, v_status, v_attempt;
END;
$$;

CREATE FUNCTION enqueue_payment_event(p_topic TEXT, p_payment_id BIGINT)
RETURNS VOID
LANGUAGE sql AS $$
  INSERT INTO outbox_events (topic, payload)
  SELECT p_topic, jsonb_build_object(
           'paymentId', id, 'serviceId', service_id, 'merchantId', merchant_id,
           'clientReference', client_reference, 'msisdn', msisdn, 'operator', operator,
           'amountMinor', amount_minor::TEXT, 'currency', currency,
           'debitReference', id || '.' || attempt)
    FROM payments WHERE id = p_payment_id;
$$;

-- Settles a pending attempt once the operator's answer is known. Legal transitions
-- only: pending → paid (journal entry) or pending → failed (spend released). Returns
-- the payment's status afterwards, whoever settled it.
CREATE FUNCTION settle_charge(p_payment_id BIGINT, p_attempt INTEGER, p_status TEXT,
                              p_debit_account TEXT, p_credit_account TEXT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_payment payments%ROWTYPE;
BEGIN
  IF p_status NOT IN ('paid', 'failed') THEN
    RAISE EXCEPTION 'settle_charge: illegal target status %', p_status;
  END IF;
  UPDATE payments SET status = p_status, settled_at = now()
   WHERE id = p_payment_id AND attempt = p_attempt AND status = 'pending'
  RETURNING * INTO v_payment;
  IF NOT FOUND THEN
    RETURN (SELECT CASE WHEN attempt = p_attempt THEN status ELSE 'superseded' END FROM payments WHERE id = p_payment_id);
  END IF;
  IF p_status = 'paid' THEN
    INSERT INTO journal_entries (payment_id, kind, debit_account, credit_account, amount_minor, currency)
    VALUES (v_payment.id, 'charge', p_debit_account, p_credit_account, v_payment.amount_minor, v_payment.currency);
  ELSIF NOT v_payment.test_subscriber THEN
    PERFORM release_spend(v_payment.msisdn, v_payment.currency, v_payment.month_period,
                          v_payment.year_period, v_payment.amount_minor);
  END IF;
  RETURN p_status;
END;
$$;

-- Reverses a whole paid payment exactly once: the mirror journal entry, spend
-- released, and an outbox event asking the operator to credit the subscriber.
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
    PERFORM release_spend(v_payment.msisdn, v_payment.currency, v_payment.month_period,
                          v_payment.year_period, v_payment.amount_minor);
    PERFORM enqueue_payment_event('payment.reversed', v_payment.id);
  END IF;
  RETURN QUERY SELECT 'reversed'::TEXT, 'reversed'::TEXT, v_payment.client_reference;
END;
$$;

-- The sandbox's prepaid debit is idempotent on its reference for good: a reference
-- that was debited (and perhaps credited back) never draws the balance again.
CREATE OR REPLACE FUNCTION sandbox_prepaid_debit(p_reference TEXT, p_msisdn TEXT, p_amount_minor BIGINT, p_initial_balance BIGINT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_rows INTEGER;
BEGIN
  INSERT INTO sandbox_prepaid_debits (reference, msisdn, amount_minor)
  VALUES (p_reference, p_msisdn, p_amount_minor)
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
