-- Reserves the charges that arrive together in one statement and one transaction: the
-- per-statement and per-commit cost is paid once per batch instead of once per Pay.
-- Each item runs reserve_charge in a subtransaction of its own, so one item's refusal
-- (OD001) undoes that item only. Items are taken in (msisdn, ClientReference) order so
-- concurrent batches lock subscriber spend rows in one global order. Any other error
-- aborts the whole batch; the caller then reserves its items one by one. At most 64
-- items: PostgreSQL caches 64 subtransaction ids per transaction, and beyond that
-- every other session's snapshot gets slower.
-- An item without needs_confirmation needs none.
CREATE OR REPLACE FUNCTION reserve_charges(p_items JSONB)
RETURNS TABLE (item INTEGER, outcome TEXT, payment_id BIGINT, payment_status TEXT, attempt INTEGER, refusal TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  r RECORD;
  c RECORD;
BEGIN
  IF jsonb_array_length(p_items) > 64 THEN
    RAISE EXCEPTION 'reserve_charges: at most 64 items, got %', jsonb_array_length(p_items);
  END IF;
  FOR r IN
    SELECT * FROM jsonb_to_recordset(p_items) AS x(
      i INTEGER, service_id BIGINT, merchant_id BIGINT, client_reference TEXT, details_hash TEXT,
      msisdn TEXT, operator TEXT, amount_minor BIGINT, currency TEXT, service_code TEXT,
      test_subscriber BOOLEAN, paid_at_once BOOLEAN, month_period TEXT, month_limit BIGINT,
      year_period TEXT, year_limit BIGINT, debit_account TEXT, credit_account TEXT, details JSONB,
      needs_confirmation BOOLEAN)
    ORDER BY msisdn, client_reference, i
  LOOP
    BEGIN
      SELECT * INTO c FROM reserve_charge(
        r.service_id, r.merchant_id, r.client_reference, r.details_hash, r.msisdn, r.operator,
        r.amount_minor, r.currency, r.service_code, r.test_subscriber, r.paid_at_once, r.month_period,
        r.month_limit, r.year_period, r.year_limit, r.debit_account, r.credit_account, r.details,
        coalesce(r.needs_confirmation, false));
      RETURN QUERY SELECT r.i, c.outcome, c.payment_id, c.payment_status, c.attempt, NULL::TEXT;
    EXCEPTION WHEN SQLSTATE 'OD001' THEN
      RETURN QUERY SELECT r.i, 'refused'::TEXT, NULL::BIGINT, NULL::TEXT, NULL::INTEGER, SQLERRM;
    END;
  END LOOP;
END;
$$;
