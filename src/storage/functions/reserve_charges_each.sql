-- The per-item way to reserve a batch, for the batches reserve_charges does not do set-based
-- (see there): one transaction, each item reserve_charge in a subtransaction of its own, so
-- one item's refusal (OD001) undoes that item only. Items are taken in (msisdn,
-- ClientReference) order so concurrent batches lock subscriber spend rows in one global
-- order. Any other error aborts the whole batch; the caller then reserves its items one by
-- one. At most 64 items: PostgreSQL caches 64 subtransaction ids per transaction, and beyond
-- that every other session's snapshot gets slower.
CREATE OR REPLACE FUNCTION reserve_charges_each(p_items JSONB)
RETURNS TABLE (item INTEGER, outcome TEXT, payment_id BIGINT, payment_status TEXT, attempt INTEGER, refusal TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  r RECORD;
  c RECORD;
BEGIN
  IF jsonb_array_length(p_items) > 64 THEN
    RAISE EXCEPTION 'reserve_charges_each: at most 64 items, got %', jsonb_array_length(p_items);
  END IF;
  FOR r IN SELECT * FROM reserve_charge_items(p_items) AS x ORDER BY x.msisdn, x.client_reference, x.i
  LOOP
    BEGIN
      SELECT * INTO c FROM reserve_charge(
        r.service_id, r.merchant_id, r.client_reference, r.details_hash, r.msisdn, r.operator,
        r.amount_minor, r.currency, r.service_code, r.test_subscriber, r.status, r.month_period,
        r.month_limit, r.year_period, r.year_limit, r.debit_account, r.credit_account, r.details,
        r.needs_confirmation, r.reserved_at);
      RETURN QUERY SELECT r.i, c.outcome, c.payment_id, c.payment_status, c.attempt, NULL::TEXT;
    EXCEPTION WHEN SQLSTATE 'OD001' THEN
      RETURN QUERY SELECT r.i, 'refused'::TEXT, NULL::BIGINT, NULL::TEXT, NULL::INTEGER, SQLERRM;
    END;
  END LOOP;
END;
$$;
